// Every command `jcadi-engine exec` can run, by name: the one registry. Each entry loads its
// command's module only when a request names it (an `import()` stays lazy inside the one
// bundle), so a request evaluates its own command's libraries and no other's. The name must be
// the command's own `name` (tests/engine/unit/commands.test.ts checks every entry).
import type { Command } from '../command';

type CommandLoader = () => Promise<Command>;

/** Drops the command's own params type: exec validates params with the command's schema. */
function lazy<C extends Pick<Command, 'name' | 'params'>>(load: () => Promise<C>): CommandLoader {
  return load as unknown as CommandLoader;
}

const ALL: Array<[name: string, load: CommandLoader]> = [
  // Foundation: checks of the engine, a Root User DN, a DC, JumpCloud.
  ['version', lazy(() => import('./version').then((m) => m.versionCommand))],
  ['describe', lazy(() => import('./describe').then((m) => m.describeCommand))],
  ['test-rootdn', lazy(() => import('./test-rootdn').then((m) => m.testRootDnCommand))],
  ['ad-ping', lazy(() => import('./ad-ping').then((m) => m.adPingCommand))],
  ['jc-ping', lazy(() => import('./jc-ping').then((m) => m.jcPingCommand))],
  // The sync.
  ['sync-plan', lazy(() => import('./sync').then((m) => m.syncPlanCommand))],
  ['sync', lazy(() => import('./sync').then((m) => m.syncCommand))],
  ['group-remove', lazy(() => import('./group-remove').then((m) => m.groupRemoveCommand))],
  ['safety-approve', lazy(() => import('./safety').then((m) => m.safetyApproveCommand))],
  // ADI domains and the sync agent.
  ['adi-domain-new', lazy(() => import('./adi-domain').then((m) => m.adiDomainNewCommand))],
  ['adi-domain-list', lazy(() => import('./adi-domain').then((m) => m.adiDomainListCommand))],
  ['agent-connect-key-new', lazy(() => import('./adi-domain').then((m) => m.agentConnectKeyNewCommand))],
  ['agent-record-remove', lazy(() => import('./adi-domain').then((m) => m.agentRecordRemoveCommand))],
  ['agent-install', lazy(() => import('./agent').then((m) => m.agentInstallCommand))],
  ['agent-uninstall', lazy(() => import('./agent').then((m) => m.agentUninstallCommand))],
  ['agent-start', lazy(() => import('./agent').then((m) => m.agentStartCommand))],
  ['agent-stop', lazy(() => import('./agent').then((m) => m.agentStopCommand))],
  ['agent-wait', lazy(() => import('./agent').then((m) => m.agentWaitCommand))],
  ['agent-status', lazy(() => import('./agent').then((m) => m.agentStatusCommand))],
  ['agent-history', lazy(() => import('./agent').then((m) => m.agentHistoryCommand))],
  ['agent-configure', lazy(() => import('./agent-configure').then((m) => m.agentConfigureCommand))],
  // One-time CSV import and export.
  ['csv-export', lazy(() => import('./csv-export').then((m) => m.csvExportCommand))],
  ['csv-import', lazy(() => import('./csv-import').then((m) => m.csvImportCommand))],
  // Prerequisites, delegation, the service account.
  ['delegation-test', lazy(() => import('./delegation').then((m) => m.delegationTestCommand))],
  ['delegation-grant', lazy(() => import('./delegation').then((m) => m.delegationGrantCommand))],
  ['service-account-create', lazy(() => import('./service-account').then((m) => m.serviceAccountCreateCommand))],
  ['service-account-rotate', lazy(() => import('./service-account').then((m) => m.serviceAccountRotateCommand))],
  ['policy-alignment', lazy(() => import('./policy-alignment').then((m) => m.policyAlignmentCommand))],
  ['prerequisites', lazy(() => import('./prerequisites').then((m) => m.prerequisitesCommand))],
  // The go-live rehearsal on the admin's own DC.
  ['rehearsal', lazy(() => import('./rehearsal').then((m) => m.rehearsalCommand))],
  ['rehearsal-cleanup', lazy(() => import('./rehearsal').then((m) => m.rehearsalCleanupCommand))],
];

const LOADERS: ReadonlyMap<string, CommandLoader> = new Map(ALL);

/** The names of all commands, in registry order. */
export const COMMAND_NAMES: readonly string[] = ALL.map(([name]) => name);

/** Loads the named command's code, or undefined for a name no command has. */
export async function loadCommand(name: string): Promise<Command | undefined> {
  return LOADERS.get(name)?.();
}
