// Every command `jcadi-engine exec` can run, by name.
import type { Command } from '../command';
import { adPingCommand } from './ad-ping';
import { csvImportCommand } from './csv-import';
import { csvExportCommand } from './csv-export';
import { agentHistoryCommand, agentInstallCommand, agentStartCommand, agentStatusCommand, agentStopCommand, agentUninstallCommand, agentWaitCommand } from './agent';
import { adiDomainListCommand, adiDomainNewCommand, agentConnectKeyNewCommand } from './adi-domain';
import { serviceAccountCreateCommand, serviceAccountRotateCommand } from './service-account';
import { prerequisitesCommand } from './prerequisites';
import { policyAlignmentCommand } from './policy-alignment';
import { delegationGrantCommand, delegationTestCommand } from './delegation';
import { jcPingCommand } from './jc-ping';
import { syncCommand, syncPlanCommand } from './sync';
import { testRootDnCommand } from './test-rootdn';
import { versionCommand } from './version';

const PREREQUISITE_COMMANDS = [
  delegationTestCommand,
  delegationGrantCommand,
  serviceAccountCreateCommand,
  serviceAccountRotateCommand,
  policyAlignmentCommand,
  prerequisitesCommand,
].map((c) => [c.name, c as unknown as Command] as const);

const AGENT_COMMANDS = [adiDomainNewCommand, adiDomainListCommand, agentConnectKeyNewCommand, agentInstallCommand, agentUninstallCommand, agentStartCommand, agentStopCommand, agentWaitCommand, agentStatusCommand, agentHistoryCommand].map(
  (c) => [c.name, c as unknown as Command] as const,
);

const CSV_COMMANDS = [csvExportCommand, csvImportCommand].map((c) => [c.name, c as unknown as Command] as const);

export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>(
  [versionCommand, testRootDnCommand, adPingCommand, jcPingCommand, syncPlanCommand, syncCommand].map((c) => [c.name, c as unknown as Command] as const).concat(PREREQUISITE_COMMANDS, AGENT_COMMANDS, CSV_COMMANDS),
);
