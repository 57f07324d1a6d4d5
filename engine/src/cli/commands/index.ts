// Every command `jcadi-engine exec` can run, by name.
import type { Command } from '../command';
import { adPingCommand } from './ad-ping';
import { adiDomainListCommand, adiDomainNewCommand, agentConnectKeyNewCommand } from './adi-domain';
import { agentHistoryCommand, agentInstallCommand, agentStartCommand, agentStatusCommand, agentStopCommand, agentUninstallCommand, agentWaitCommand } from './agent';
import { csvExportCommand } from './csv-export';
import { csvImportCommand } from './csv-import';
import { delegationGrantCommand, delegationTestCommand } from './delegation';
import { jcPingCommand } from './jc-ping';
import { policyAlignmentCommand } from './policy-alignment';
import { prerequisitesCommand } from './prerequisites';
import { serviceAccountCreateCommand, serviceAccountRotateCommand } from './service-account';
import { syncCommand, syncPlanCommand } from './sync';
import { testRootDnCommand } from './test-rootdn';
import { versionCommand } from './version';

const ALL = [
  // Foundation: checks of the engine, a Root User DN, a DC, JumpCloud.
  versionCommand,
  testRootDnCommand,
  adPingCommand,
  jcPingCommand,
  // The sync.
  syncPlanCommand,
  syncCommand,
  // ADI domains and the sync agent.
  adiDomainNewCommand,
  adiDomainListCommand,
  agentConnectKeyNewCommand,
  agentInstallCommand,
  agentUninstallCommand,
  agentStartCommand,
  agentStopCommand,
  agentWaitCommand,
  agentStatusCommand,
  agentHistoryCommand,
  // One-time CSV import and export.
  csvExportCommand,
  csvImportCommand,
  // Prerequisites, delegation, the service account.
  delegationTestCommand,
  delegationGrantCommand,
  serviceAccountCreateCommand,
  serviceAccountRotateCommand,
  policyAlignmentCommand,
  prerequisitesCommand,
];

export const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>(ALL.map((c) => [c.name, c as unknown as Command]));
