// rehearsal / rehearsal-cleanup: the product's go-live proof on the admin's own DC
// (Invoke-JCSyncRehearsal). The JumpCloud sandbox runs as a child process with the rehearsal org
// (sandbox seed `rehearsal`: the awkward cases), a scratch OU JumpCloudADI-Rehearsal-<time> holds
// everything the rehearsal writes, and the real flow runs against them: prerequisites and policy
// alignment, plan, sync, an agent installed into a temporary folder, changes made in JumpCloud and
// in AD, each verified by reading AD (or JumpCloud) back and timed. One record per check
// (JumpCloudADI.RehearsalCheck: Pass / Fail / Skipped, with the reason and the evidence), then
// everything is removed again unless `keep`. A manifest file (no secrets) names what exists at each
// moment, so that `rehearsal-cleanup` can remove it when the rehearsal itself was killed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import { AdSession } from '../../ad/session';
import { rangedKey, textAttribute } from '../../ad/entry';
import { RehearsalWriter } from '../../ad/writer';
import { agentPaths, REHEARSAL_SERVICE_PATTERN } from '../../agent/config';
import { peekAgentState } from '../../agent/state';
import { inspectWindowsFolder } from '../../config/folder';
import { DpapiProtector } from '../../config/protect';
import { dcSchema, type DcConfig } from '../../config/request';
import { EngineError, ExitCode } from '../../errors';
import type { Reporter } from '../../log/reporter';
import { REHEARSAL_DIRECT_USER, REHEARSAL_GROUP } from '../../sandbox/seed';
import type { Command, CommandContext } from '../command';
import { defineCommand } from '../command';
import { startSandboxChild, type SandboxChild } from '../rehearsal/sandbox-child';
import { askHost, dpapiProbe, judgeDpapi, judgeInstallFolderAcl, protectedSchemes } from '../rehearsal/windows-host';
import { isDisabled, uacOf } from '../../ad/uac';

const RECORD = 'JumpCloudADI.RehearsalCheck';
const PROJECT_GROUP = 'JCRH Project';
const LARGE_GROUP = 'JCRH Large';

export type CheckStatus = 'Pass' | 'Fail' | 'Skipped';
interface RehearsalCheck {
  Step: number;
  Area: string;
  Check: string;
  Status: CheckStatus;
  Reason: string;
  Evidence: string;
  Seconds: number | null;
}

/** What exists right now, for rehearsal-cleanup (no secrets: names, folders, process ids). */
const manifestSchema = z.strictObject({
  scratchDN: z.string().nullable(),
  sandboxPid: z.number().int().nullable(),
  sandboxDir: z.string().nullable(),
  installPath: z.string().nullable(),
  workDir: z.string().nullable(),
  /** Windows: the rehearsal service the module registered (the module removes it). */
  serviceName: z.string().nullable().default(null),
});
type Manifest = z.infer<typeof manifestSchema>;

const serviceAccountSchema = z.strictObject({
  /** Its sAMAccountName (what the delegation is granted to). */
  name: z.string().min(1).max(256),
  bindDN: z.string().min(1).max(1024),
  password: z.string().min(1).max(1024),
});

const rehearsalParamsSchema = z.strictObject({
  /** The admin's connection to the DC (creates and removes the scratch OU). */
  dc: dcSchema,
  /** Where the scratch OU goes (LDAP form); default: the domain's naming context. */
  parentDN: z.string().min(1).max(4096).optional(),
  /** With it: the delegation is granted on the scratch OU and verified, and the sync and the agent bind as this account. */
  serviceAccount: serviceAccountSchema.optional(),
  /** The engine file that runs the sandbox and the agent; default: this engine. */
  engineFile: z.string().min(1).max(4096).optional(),
  /** Members of the large group (over 1,500 makes AD answer with range retrieval). */
  largeGroupSize: z.number().int().min(0).max(20_000).default(1501),
  /** How long a change may take to show up before its check fails. */
  changeTimeoutSeconds: z.number().int().min(5).max(600).default(90),
  keep: z.boolean().default(false),
  /** Where the manifest is written (for rehearsal-cleanup); default: in the work folder. */
  manifestFile: z.string().min(1).max(4096).optional(),
  /**
   * Windows, from Invoke-JCSyncRehearsal: the agent runs as this rehearsal service, which the module
   * registers, starts, kills, stops and removes on request (JumpCloudADI.EngineRequest records).
   */
  windowsHost: z
    .strictObject({
      serviceName: z.string().regex(REHEARSAL_SERVICE_PATTERN, 'must be JumpCloudADISync-Rehearsal-<yyyyMMdd-HHmmss>'),
      /** The service host to install next to the engine (jcadi-service.exe). */
      serviceHostFile: z.string().min(1).max(4096),
      /** How long the engine waits for the module's answer to one request. */
      timeoutSeconds: z.number().int().min(10).max(3600).default(900),
    })
    .optional(),
  /** Platform the Windows-only rows are judged for (tests); default: this host's. */
  platform: z.enum(['win32', 'linux', 'darwin']).optional(),
});
type RehearsalParams = z.infer<typeof rehearsalParamsSchema>;

/** Runs another command of this engine in-process; its records are collected, its progress passed on. */
async function runCommand(command: Command, params: unknown, parent: Reporter, signal: AbortSignal) {
  const records: Array<{ type: string; data: Record<string, unknown> }> = [];
  const errors: EngineError[] = [];
  const warnings: string[] = [];
  const reporter: Reporter = {
    progress: (u) => parent.progress(u),
    log: (level, message, meta) => {
      if (level === 'warning') warnings.push(message);
      parent.log(level === 'warning' ? 'verbose' : level, message, meta);
    },
    record: (type, data) => records.push({ type, data }),
    error: (err) => errors.push(err),
  };
  const parsed = command.params.parse(params);
  const outcome = await command.run(parsed, { reporter, signal } satisfies CommandContext);
  return { ...outcome, records, errors, warnings };
}

const adi = (ldapDn: string) => ldapDn.replace(/,/g, ';');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

function strongPassword(): string {
  return `Rh-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}-7q!`;
}

function writeManifest(file: string, manifest: Manifest): void {
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
}

/** Polls until `probe` answers a value (not null/false) or the time runs out; returns it and the seconds taken. */
async function waitFor<T>(
  probe: () => Promise<T | null | false>,
  timeoutMs: number,
  signal: AbortSignal,
  started = Date.now(),
): Promise<{ value: T; seconds: number }> {
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== false) return { value, seconds: (Date.now() - started) / 1000 };
    if (Date.now() - started > timeoutMs) throw new Error(`not seen within ${timeoutMs / 1000} s`);
    if (signal.aborted) throw new Error('interrupted');
    await sleep(250);
  }
}

class Checks {
  readonly list: RehearsalCheck[] = [];
  constructor(
    private readonly reporter: Reporter,
    private readonly signal: AbortSignal,
  ) {}

  add(area: string, check: string, status: CheckStatus, reason: string, evidence: string, seconds: number | null = null): boolean {
    const row: RehearsalCheck = {
      Step: this.list.length + 1,
      Area: area,
      Check: check,
      Status: status,
      Reason: reason,
      Evidence: evidence,
      Seconds: seconds === null ? null : Math.round(seconds * 100) / 100,
    };
    this.list.push(row);
    this.reporter.record(RECORD, { ...row });
    this.reporter.progress({ activity: 'JumpCloudADI rehearsal', status: `${area}: ${check}`, percent: Math.min(95, this.list.length * 2) });
    return status === 'Pass';
  }

  /** Runs one check: its function returns the evidence (Pass) or throws (Fail, with the reason). Skipped when `blocked` names a reason. */
  async run(area: string, check: string, blocked: string | null, fn: () => Promise<string | { evidence: string; seconds: number }>): Promise<boolean> {
    if (blocked !== null) return this.add(area, check, 'Skipped', blocked, '');
    if (this.signal.aborted) return this.add(area, check, 'Skipped', 'the rehearsal was interrupted', '');
    const started = Date.now();
    try {
      const out = await fn();
      if (typeof out === 'string') return this.add(area, check, 'Pass', '', out, (Date.now() - started) / 1000);
      return this.add(area, check, 'Pass', '', out.evidence, out.seconds);
    } catch (err) {
      const e = err as Error & { evidence?: string };
      return this.add(area, check, 'Fail', e.message, e.evidence ?? '', (Date.now() - started) / 1000);
    }
  }
}

/** A failed expectation with what was seen. */
function fail(reason: string, evidence: string): never {
  throw Object.assign(new Error(reason), { evidence });
}

/** The Windows-only rows: what each proves and why only a Windows host can answer it. */
const WINDOWS_ROWS: ReadonlyArray<[check: string, what: string]> = [
  ['Service starts and stops', 'the service control manager starts the rehearsal service and stops it gracefully'],
  ['Service restarted after its engine is killed', 'the service host restarts a killed engine (recovery)'],
  ['Install folder ACL', 'the install folder grants only SYSTEM, Administrators and the service account'],
  ['DPAPI round-trip', 'secrets protected with DPAPI open again for the service account'],
  ['Event Log entries', 'the service host writes its events to the Application log'],
];
/** The rows the module answers (it drives the service control manager and reads the Event Log). */
const MODULE_ROWS = new Set(['Service starts and stops', 'Service restarted after its engine is killed', 'Event Log entries']);

async function cleanupFrom(manifest: Manifest, dc: DcConfig | null, keep: boolean): Promise<{ removed: string[]; left: string[] }> {
  const removed: string[] = [];
  const left: string[] = [];
  if (manifest.installPath && existsSync(manifest.installPath)) {
    const { agentStopCommand } = await import('./agent');
    try {
      await runCommand(agentStopCommand, { installPath: manifest.installPath, timeoutSeconds: 20 }, silentReporter, new AbortController().signal);
    } catch {
      // not running
    }
    const pidFile = agentPaths(manifest.installPath).pid;
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
    if (Number.isInteger(pid) && alive(pid)) left.push(`agent process ${pid}`);
  }
  if (manifest.sandboxPid !== null && alive(manifest.sandboxPid)) {
    try {
      process.kill(manifest.sandboxPid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
    for (let i = 0; i < 40 && alive(manifest.sandboxPid); i++) await sleep(250);
    if (alive(manifest.sandboxPid)) left.push(`sandbox process ${manifest.sandboxPid}`);
    else removed.push(`sandbox process ${manifest.sandboxPid}`);
  }
  if (keep) return { removed, left };
  for (const folder of [manifest.installPath ? dirname(manifest.installPath) : null, manifest.sandboxDir, manifest.workDir]) {
    if (!folder || !existsSync(folder)) continue;
    try {
      rmSync(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      removed.push(folder);
    } catch (err) {
      left.push(`${folder} (${(err as Error).message})`);
    }
  }
  if (manifest.scratchDN && dc) {
    // A tree delete of a large scratch OU takes the DC a while: a long timeout, and a new session
    // and another attempt when one is lost half way.
    let problem = '';
    let notDeleted: string[] = [manifest.scratchDN];
    for (let attempt = 1; attempt <= 3 && notDeleted.length > 0; attempt++) {
      try {
        const session = await AdSession.open({ ...dc, timeoutMs: Math.max(dc.timeoutMs, 300_000) });
        try {
          notDeleted = await new RehearsalWriter(session).deleteTree(manifest.scratchDN);
          problem = '';
        } finally {
          await session.close();
        }
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    if (problem !== '') left.push(`${manifest.scratchDN} (${problem})`);
    else if (notDeleted.length > 0) left.push(...notDeleted);
    else removed.push(manifest.scratchDN);
  }
  return { removed, left };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const silentReporter: Reporter = { progress: () => undefined, log: () => undefined, record: () => undefined, error: () => undefined };

export const rehearsalCommand = defineCommand({
  name: 'rehearsal',
  description:
    'Rehearse the go-live on this DC: a sandbox org with the awkward cases, a scratch OU, the real flow (plan, sync, agent, changes both ways), one record per check, then clean up.',
  params: rehearsalParamsSchema,
  async run(params: RehearsalParams, ctx) {
    const { reporter, signal } = ctx;
    const began = new Date();
    const checks = new Checks(reporter, signal);
    const platform = params.platform ?? process.platform;
    const engineFile = params.engineFile ?? process.execPath;
    const workDir = mkdtempSync(join(tmpdir(), 'jcadi-rehearsal-'));
    const manifestFile = params.manifestFile ?? join(workDir, 'manifest.json');
    const manifest: Manifest = { scratchDN: null, sandboxPid: null, sandboxDir: null, installPath: null, workDir, serviceName: null };
    // Windows through the module: the agent is a real service under a rehearsal name.
    const host = platform === 'win32' && params.windowsHost ? params.windowsHost : null;
    const replyFile = join(workDir, 'host.reply.json');
    const ask = (action: 'Start' | 'Check' | 'Remove', data: Record<string, unknown>) =>
      askHost(reporter, replyFile, action, data, signal, (host?.timeoutSeconds ?? 900) * 1000);
    let serviceRemoved = false;
    let hostAnswers = true;
    const save = () => writeManifest(manifestFile, manifest);
    save();
    const timeoutMs = params.changeTimeoutSeconds * 1000;

    let sandbox: SandboxChild | null = null;
    let session: AdSession | null = null;
    let scratchDN = '';
    let rootDN = '';
    let domain = '';
    const syncDc: DcConfig = params.serviceAccount
      ? { ...params.dc, bindDN: params.serviceAccount.bindDN, bindPassword: params.serviceAccount.password }
      : params.dc;
    const jumpcloud = () => ({ baseUrl: (sandbox as SandboxChild).url, apiKey: (sandbox as SandboxChild).apiKey, caFile: (sandbox as SandboxChild).caFile });
    const adUser = async (sam: string) => {
      const [entry] = await (session as AdSession).search(
        rootDN,
        { scope: 'sub', filter: `(sAMAccountName=${sam})`, attributes: ['sAMAccountName', 'givenName', 'sn', 'userAccountControl', 'cn', 'memberOf'] },
        'read a rehearsal user',
      );
      return entry ?? null;
    };
    const disabled = (entry: Awaited<ReturnType<typeof adUser>>) => entry !== null && isDisabled(uacOf(entry));

    try {
      // --- the host -----------------------------------------------------------------------
      checks.add('Host', 'Engine and platform', 'Pass', '', `${platform} ${process.arch}, Node.js ${process.version}, engine ${engineFile}`);

      // --- JumpCloud: the sandbox as a child process ----------------------------------------
      const sandboxOk = await checks.run('JumpCloud sandbox', 'Sandbox started with the rehearsal org', null, async () => {
        // The sandbox makes its data folder itself (0700, owned by this account).
        manifest.sandboxDir = join(workDir, 'sandbox');
        sandbox = await startSandboxChild(engineFile, [], manifest.sandboxDir);
        manifest.sandboxPid = sandbox.pid;
        save();
        const info = await sandbox.admin('GET', '/info');
        return `${sandbox.url} (process ${sandbox.pid}), org ${String(info.orgName ?? info.name ?? sandbox.orgId)}`;
      });

      // --- AD: connect, scratch OU ---------------------------------------------------------
      const adOk = await checks.run('Active Directory', 'Connect and bind as the admin', null, async () => {
        session = await AdSession.open(params.dc);
        const dse = await session.rootDse();
        domain = adi(dse.defaultNamingContext);
        return `${session.where}, ${dse.dnsHostName}, naming context ${dse.defaultNamingContext}`;
      });
      const scratchOk = await checks.run('Active Directory', 'Scratch OU created', adOk ? null : 'no connection to the DC', async () => {
        const s = session as AdSession;
        const parent = params.parentDN ?? domain.replace(/;/g, ',');
        if (!(await s.readObject(parent, ['objectClass']))) fail(`the parent ${parent} does not exist or cannot be read`, parent);
        scratchDN = `OU=JumpCloudADI-Rehearsal-${stamp(began)},${parent}`;
        rootDN = `OU=Users,${scratchDN}`;
        const writer = new RehearsalWriter(s);
        await writer.createOrganizationalUnit(scratchDN, 'JumpCloudADI rehearsal: removed when the rehearsal ends');
        manifest.scratchDN = scratchDN;
        save();
        await writer.createOrganizationalUnit(rootDN, 'Root user container of the rehearsal');
        await writer.createOrganizationalUnit(`OU=Elsewhere,${scratchDN}`, 'Holds a name the rehearsal org also uses');
        await writer.createPlainUser(`CN=jcrh.taken,OU=Elsewhere,${scratchDN}`, 'jcrh.taken');
        return `${scratchDN} with OU=Users (the root user container) and OU=Elsewhere (an account named jcrh.taken)`;
      });
      const ready = sandboxOk && scratchOk ? null : !sandboxOk ? 'the sandbox did not start' : 'the scratch OU could not be created';

      const orgOk = await checks.run('JumpCloud sandbox', 'ADI domain bound, large group generated', ready, async () => {
        const sb = sandbox as SandboxChild;
        await sb.admin('POST', '/domains', { domain });
        await sb.admin('POST', `/domains/${encodeURIComponent(domain)}/bindings`, { op: 'add', type: 'user_group', target: REHEARSAL_GROUP });
        await sb.admin('POST', `/domains/${encodeURIComponent(domain)}/bindings`, { op: 'add', type: 'user_group', target: PROJECT_GROUP });
        await sb.admin('POST', `/domains/${encodeURIComponent(domain)}/bindings`, { op: 'add', type: 'user', target: REHEARSAL_DIRECT_USER });
        if (params.largeGroupSize > 0) {
          await sb.admin('POST', '/groups', { name: LARGE_GROUP, bindToDomain: domain });
          await sb.admin('POST', '/users/generate', { count: params.largeGroupSize, prefix: 'jcrh.m', group: LARGE_GROUP });
        }
        return `domain ${domain}; bound: ${REHEARSAL_GROUP}, ${PROJECT_GROUP}, ${params.largeGroupSize > 0 ? `${LARGE_GROUP} (${params.largeGroupSize} members), ` : ''}${REHEARSAL_DIRECT_USER}`;
      });
      const flow = ready ?? (orgOk ? null : 'the rehearsal org could not be prepared');

      // --- delegation -----------------------------------------------------------------------
      const sa = params.serviceAccount;
      const delegationOk = await checks.run(
        'Delegation',
        'Delegation granted on the scratch OU and verified',
        flow ?? (sa ? null : 'no service account given: everything ran as the admin account'),
        async () => {
          const { delegationGrantCommand, delegationTestCommand } = await import('./delegation');
          const account = (sa as z.infer<typeof serviceAccountSchema>).name;
          const grant = await runCommand(delegationGrantCommand, { dc: params.dc, rootUserDN: adi(rootDN), serviceAccount: account }, reporter, signal);
          const test = await runCommand(delegationTestCommand, { dc: params.dc, rootUserDN: adi(rootDN), serviceAccount: account }, reporter, signal);
          const tasks = test.records.filter((r) => r.data.Kind === 'Task').map((r) => `${String(r.data.Check)} ${String(r.data.Status)}`);
          if (test.summary.allGranted !== true) fail(`not granted: ${(test.summary.missingTasks as string[]).join(', ')}`, tasks.join('; '));
          const rules = test.summary.failedAccountRules as string[];
          if (rules.length > 0) fail(`the account breaks rules: ${rules.join(', ')}`, tasks.join('; '));
          return `granted ${grant.records.length} ACE(s) to ${account}; ${tasks.join('; ')}`;
        },
      );
      const syncFlow = flow ?? (sa && !delegationOk ? 'the delegation for the service account is not in place' : null);

      // --- prerequisites and policy alignment -------------------------------------------------
      await checks.run('Prerequisites', 'Prerequisite checklist', syncFlow, async () => {
        const { prerequisitesCommand } = await import('./prerequisites');
        const out = await runCommand(
          prerequisitesCommand,
          { dc: syncDc, rootUserDN: adi(rootDN), serviceAccount: sa?.name ?? 'jcsync', jumpcloud: jumpcloud(), domain },
          reporter,
          signal,
        );
        const items = out.records.map((r) => r.data);
        // Findings the rehearsal org or this run causes on purpose: its users without a last name,
        // no service account when none was given, the password policy (its own row), and on
        // hosts other than Windows the operating system.
        const expected = (i: Record<string, unknown>) =>
          i.Item === 'Users.FirstAndLastName' ||
          i.Item === 'PasswordPolicy.Alignment' ||
          (!sa && (String(i.Item).startsWith('ServiceAccount') || String(i.Item).startsWith('Delegation'))) ||
          (platform !== 'win32' && String(i.Item).startsWith('Host.'));
        const failed = items.filter((i) => i.Status === 'Fail' && !expected(i));
        const evidence = items.map((i) => `${String(i.Item)} ${String(i.Status)}${i.Status !== 'Pass' && expected(i) ? ' (expected here)' : ''}`).join('; ');
        if (failed.length > 0) fail(`${failed.length} item(s) fail: ${failed.map((i) => `${String(i.Title)}: ${String(i.Detail)}`).join('; ')}`, evidence);
        return evidence;
      });
      await checks.run('Prerequisites', 'Password policy alignment (this domain against the sandbox policy)', syncFlow, async () => {
        const { policyAlignmentCommand } = await import('./policy-alignment');
        const out = await runCommand(policyAlignmentCommand, { jumpcloud: jumpcloud(), dc: syncDc, rootUserDN: adi(rootDN) }, reporter, signal);
        const rows = out.records.map((r) => r.data);
        if (rows.length === 0) fail('no rule compared', JSON.stringify(out.summary));
        // The sandbox's policy stands in for the org's: the AD side is this domain's real policy.
        const evidence = rows
          .map((r) => `${String(r.Rule)}: ${String(r.Status)}${r.Status === 'Aligned' ? '' : ` (${String(r.Detail ?? r.Remedy ?? '')})`}`)
          .join('; ');
        return `${evidence}. Compared with the sandbox's policy: run Test-JCPasswordPolicyAlignment for your JumpCloud org's`;
      });

      // --- plan and sync --------------------------------------------------------------------
      const { syncPlanCommand, syncCommand } = await import('./sync');
      const syncParams = () => ({ jumpcloud: jumpcloud(), dc: syncDc, domain, rootUserDN: adi(rootDN), journalFile: join(workDir, 'sync-journal.jsonl') });
      let planOps: Array<Record<string, unknown>> = [];
      const planOk = await checks.run('Sync', 'Plan', syncFlow, async () => {
        const out = await runCommand(syncPlanCommand, syncParams(), reporter, signal);
        planOps = out.records.map((r) => r.data);
        const counts = new Map<string, number>();
        for (const op of planOps) counts.set(String(op.Operation), (counts.get(String(op.Operation)) ?? 0) + 1);
        if (!counts.get('createUser')) fail('the plan creates no user', JSON.stringify(Object.fromEntries(counts)));
        return [...counts].map(([k, v]) => `${k} ${v}`).join(', ');
      });
      const skipOf = (name: string) => planOps.find((op) => op.Operation === 'skip' && op.Target === name);
      const expectSkip = (name: string, code: string, what: string) =>
        checks.run('Awkward cases', what, planOk ? null : 'no plan', async () => {
          const op = skipOf(name);
          if (!op) fail(`${name} is not skipped`, JSON.stringify(planOps.filter((o) => o.Target === name)));
          if (op.Code !== code) fail(`${name} is skipped with ${String(op.Code)}, expected ${code}`, String(op.Reason));
          return `skip ${code}: ${String(op.Reason)}`;
        });
      await expectSkip('jcrh.twenty.chars.abc', 'InvalidUsername', 'A 21-character username is skipped with the reason');
      await expectSkip('jcrh.nolastname', 'MissingName', 'A user without a last name is skipped with the reason');
      await expectSkip('jcrh.taken', 'NameTaken', 'A username taken elsewhere in the forest is skipped with the holder');

      let syncErrors: EngineError[] = [];
      let syncWarnings: string[] = [];
      const syncOk = await checks.run('Sync', 'Sync applied', planOk ? null : 'no plan', async () => {
        const out = await runCommand(syncCommand, syncParams(), reporter, signal);
        syncErrors = out.errors;
        syncWarnings = out.warnings;
        const applied = String(out.summary.applied ?? out.records.length);
        const perObject = out.errors.map((e) => `${e.target ?? ''}: ${e.message}`);
        const unexpected = out.errors.filter((e) => !String(e.target ?? e.message).includes('jcrh.longname'));
        if (unexpected.length > 0) fail(`${unexpected.length} operation(s) failed`, perObject.join('; '));
        return `${applied} operation(s) applied${perObject.length > 0 ? `; reported per object: ${perObject.join('; ')}` : ''}`;
      });
      const readBack = syncOk ? null : 'the sync did not complete';
      await checks.run('Awkward cases', 'Non-ASCII names read back exactly', readBack, async () => {
        const u = await adUser('jcrh.zoe');
        const seen = `givenName '${textAttribute(u, 'givenName')}', sn '${textAttribute(u, 'sn')}'`;
        if (textAttribute(u, 'givenName') !== 'Zoë' || textAttribute(u, 'sn') !== 'Ångström-Øre') fail('the names differ from JumpCloud', seen);
        return seen;
      });
      await checks.run('Awkward cases', 'A 20-character username is created', readBack, async () => {
        const u = await adUser('jcrh.twenty.chars.ab');
        if (!u) fail('no account jcrh.twenty.chars.ab', '');
        return `${u.dn}, sAMAccountName ${textAttribute(u, 'sAMAccountName')}`;
      });
      await checks.run('Awkward cases', 'A first name over 64 characters is stored or refused clearly', readBack, async () => {
        const u = await adUser('jcrh.longname');
        const given = textAttribute(u, 'givenName');
        if (u && given.length > 64) return `stored in full (${given.length} characters): this DC does not enforce givenName's 64-character limit`;
        const error = syncErrors.find((e) => String(e.target ?? e.message).includes('jcrh.longname'));
        if (!u && error) return `refused per object: ${error.id}: ${error.message}`;
        const skipped = syncWarnings.find((w) => w.includes('jcrh.longname'));
        if (!u && skipped) return `reported by the plan before any write: ${skipped}`;
        fail(u ? `stored as '${given}' (${given.length} characters): changed silently` : 'neither created nor reported', '');
      });
      await checks.run('Awkward cases', 'STAGED and SUSPENDED users are created disabled', readBack, async () => {
        const staged = await adUser('jcrh.staged');
        const suspended = await adUser('jcrh.suspended');
        if (!disabled(staged) || !disabled(suspended))
          fail('not both disabled', `staged ${textAttribute(staged, 'userAccountControl')}, suspended ${textAttribute(suspended, 'userAccountControl')}`);
        return `jcrh.staged uac ${textAttribute(staged, 'userAccountControl')}, jcrh.suspended uac ${textAttribute(suspended, 'userAccountControl')}`;
      });
      await checks.run('Awkward cases', 'Users in scope only through a group are created', readBack, async () => {
        const u = await adUser('jcrh.member');
        if (!u || disabled(u)) fail('jcrh.member (in scope only through a bound group) is missing or disabled', '');
        return `${u.dn} enabled`;
      });
      await checks.run(
        'Awkward cases',
        `A group of ${params.largeGroupSize} members reads back in full (range retrieval)`,
        readBack ?? (params.largeGroupSize > 0 ? null : 'largeGroupSize is 0'),
        async () => {
          const s = session as AdSession;
          const [entry] = await s.search(
            rootDN,
            { scope: 'sub', filter: `(&(objectClass=group)(cn=${LARGE_GROUP}))`, attributes: ['member'] },
            'read the large group',
          );
          if (!entry) fail('the group is missing', '');
          const ranged = rangedKey(entry, 'member');
          const { readActualState } = await import('../../ad/directory');
          const actual = await readActualState(s, { rootDN, candidateNames: [] });
          const group = actual.groups.find((g) => g.cn === LARGE_GROUP);
          const count = group?.members.length ?? 0;
          if (count !== params.largeGroupSize) fail(`${count} members read back, expected ${params.largeGroupSize}`, ranged ?? 'member');
          return `${count} members; the DC answered with ${ranged ? `range retrieval (${ranged})` : 'all values at once (no range retrieval on this DC)'}`;
        },
      );
      await checks.run('Sync', 'A second plan is empty', readBack, async () => {
        const out = await runCommand(syncPlanCommand, syncParams(), reporter, signal);
        // An object AD refused during the sync (reported per object) is planned again, by design.
        const refused = (op: Record<string, unknown>) =>
          syncErrors.some((e) => String(e.target ?? '').includes(String(op.Target)) || e.message.includes(`CN=${String(op.Target)},`));
        const rest = out.records.map((r) => r.data).filter((op) => op.Operation !== 'skip' && !refused(op));
        if (rest.length > 0)
          fail(
            `${rest.length} operation(s) planned again`,
            rest
              .slice(0, 5)
              .map((op) => `${String(op.Operation)} ${String(op.Target)}`)
              .join('; '),
          );
        const again = out.records.length - out.records.filter((r) => r.data.Operation === 'skip').length;
        return `only the ${out.records.length - again} skip(s)${again > 0 ? ` and ${again} retry(s) of what AD refused` : ''} remain`;
      });

      // --- the agent ------------------------------------------------------------------------
      const agentOk = await checks.run('Agent', 'Agent installed in a temporary folder and started', readBack, async () => {
        const { agentConnectKeyNewCommand } = await import('./adi-domain');
        const { agentInstallCommand, agentStartCommand } = await import('./agent');
        const key = await runCommand(agentConnectKeyNewCommand, { jumpcloud: jumpcloud(), domain }, reporter, signal);
        const connectKey = String(key.records[0]?.data.Key ?? '');
        const installPath = join(mkdtempSync(join(tmpdir(), 'jcadi-rehearsal-agent-')), 'AD Integration');
        manifest.installPath = installPath;
        save();
        const dcCfg = syncDc;
        await runCommand(
          agentInstallCommand,
          {
            installPath,
            engineFile,
            serverType: 'dc',
            domainController: dcCfg.host,
            ldap: {
              mode: dcCfg.mode,
              ...(dcCfg.port ? { port: dcCfg.port } : {}),
              ...(dcCfg.caFile ? { caFile: dcCfg.caFile } : {}),
              allowInsecure: dcCfg.allowInsecure,
              insecureRiskAcknowledged: dcCfg.insecureRiskAcknowledged,
            },
            rootUserDN: adi(rootDN),
            domain,
            serviceAccount: { bindDN: dcCfg.bindDN, password: dcCfg.bindPassword },
            connectKey,
            jumpcloud: jumpcloud(),
            sync: { debounceMs: 100, offboardPollSeconds: 2 },
            ...(host ? { serviceHostFile: host.serviceHostFile, serviceName: host.serviceName } : {}),
          },
          reporter,
          signal,
        );
        if (host) {
          // The module registers the service (its production code, under the rehearsal name) and starts it.
          manifest.serviceName = host.serviceName;
          save();
          const reply = await ask('Start', { InstallPath: installPath, ServiceName: host.serviceName }).catch((err: unknown) => {
            hostAnswers = false;
            throw err;
          });
          if (!reply.ok) fail(`the rehearsal service did not start: ${reply.reason}`, reply.evidence);
          return `${installPath}, as the Windows service ${host.serviceName}: ${reply.evidence}`;
        }
        const started = await runCommand(agentStartCommand, { installPath, timeoutSeconds: 60 }, reporter, signal);
        return `${installPath}, process ${String(started.summary.pid ?? '?')}`;
      });
      const live = agentOk ? null : 'the agent is not running';
      const sb = () => sandbox as SandboxChild;
      const jcChange = (check: string, change: () => Promise<unknown>, visible: () => Promise<string | null | false>) =>
        checks.run('JumpCloud changes', check, live, async () => {
          const started = Date.now();
          await change();
          const { value, seconds } = await waitFor(visible, timeoutMs, signal, started);
          return { evidence: `${value} after ${seconds.toFixed(1)} s`, seconds };
        });
      await jcChange(
        'Rename',
        () => sb().admin('PATCH', '/users/jcrh.rename', { username: 'jcrh.renamed' }),
        async () => {
          const u = await adUser('jcrh.renamed');
          return u ? `AD account now ${u.dn}` : null;
        },
      );
      await jcChange(
        'Suspend',
        () => sb().admin('PATCH', '/users/jcrh.suspend', { suspended: true }),
        async () => (disabled(await adUser('jcrh.suspend')) ? 'AD account disabled' : null),
      );
      const password = strongPassword();
      await jcChange(
        'Password (proven by binding as the user)',
        () => sb().admin('PATCH', '/users/jcrh.password', { password }),
        async () => {
          const u = await adUser('jcrh.password');
          if (!u) return null;
          try {
            const asUser = await AdSession.open({ ...params.dc, bindDN: u.dn, bindPassword: password });
            await asUser.close();
            return `bound as ${u.dn} with the new password`;
          } catch {
            return null;
          }
        },
      );
      await jcChange(
        'Group membership',
        () => sb().admin('POST', `/groups/${encodeURIComponent(PROJECT_GROUP)}/members`, { user: 'jcrh.member' }),
        async () => {
          const u = await adUser('jcrh.member');
          const groups = (Array.isArray(u?.memberOf) ? u.memberOf : [u?.memberOf]).map(String);
          const hit = groups.find((g) => g.toLowerCase().startsWith(`cn=${PROJECT_GROUP.toLowerCase()},`));
          return hit ? `jcrh.member is a member of ${hit}` : null;
        },
      );
      await jcChange(
        'Unbind from the domain',
        () => sb().admin('POST', `/domains/${encodeURIComponent(domain)}/bindings`, { op: 'remove', type: 'user', target: REHEARSAL_DIRECT_USER }),
        async () => (disabled(await adUser(REHEARSAL_DIRECT_USER)) ? `${REHEARSAL_DIRECT_USER} out of scope: AD account disabled` : null),
      );
      await checks.run('AD changes', 'Disable in AD suspends in JumpCloud (offboarding)', live, async () => {
        const u = await adUser('jcrh.offboard');
        if (!u) fail('jcrh.offboard is not in AD', '');
        const started = Date.now();
        await new RehearsalWriter(session as AdSession).disableAsAdmin(u.dn);
        const { seconds } = await waitFor(async () => (await sb().admin('GET', '/users/jcrh.offboard')).suspended === true, timeoutMs, signal, started);
        return { evidence: `suspended in JumpCloud ${seconds.toFixed(1)} s after the AD disable`, seconds };
      });

      // --- Windows host checks ----------------------------------------------------------------
      if (!host) {
        for (const [check, what] of WINDOWS_ROWS) {
          if (platform !== 'win32') checks.add('Windows host', check, 'Skipped', `needs Windows: ${what}; this host is ${platform}`, '');
          else checks.add('Windows host', check, 'Skipped', `run through Invoke-JCSyncRehearsal: the module registers the rehearsal service (${what})`, '');
        }
      } else {
        const installPath = manifest.installPath ?? '';
        const onService = agentOk ? null : 'the agent is not running as the rehearsal service';
        await checks.run('Windows host', 'Install folder ACL', onService, async () => {
          const v = judgeInstallFolderAcl(inspectWindowsFolder(installPath), host.serviceName);
          if (v.status !== 'Pass') fail(v.reason, v.evidence);
          return v.evidence;
        });
        await checks.run('Windows host', 'DPAPI round-trip', onService, async () => {
          const probe = await dpapiProbe(new DpapiProtector());
          const paths = agentPaths(installPath);
          const config: unknown = JSON.parse(readFileSync(paths.config, 'utf8'));
          const v = judgeDpapi({ ...probe, configSchemes: protectedSchemes(config), agentConnected: peekAgentState(paths.state)?.connected === true });
          if (v.status !== 'Pass') fail(v.reason, v.evidence);
          return v.evidence;
        });
        // The module answers the service rows (kill and restart, stop, Event Log) and removes the service.
        const moduleRows = WINDOWS_ROWS.filter(([check]) => MODULE_ROWS.has(check));
        try {
          if (!hostAnswers) throw new Error('it did not answer the request to start the service');
          const reply = await ask('Check', {
            InstallPath: installPath,
            ServiceName: host.serviceName,
            Rows: moduleRows.map(([check, what]) => ({ Check: check, What: what })),
            Blocked: onService,
          });
          serviceRemoved = reply.ok;
          if (!reply.ok) reporter.log('warning', `The rehearsal service ${host.serviceName} was not removed: ${reply.reason}`);
        } catch (err) {
          hostAnswers = false;
          for (const [check] of moduleRows) checks.add('Windows host', check, 'Fail', `no answer from the module: ${(err as Error).message}`, '');
        }
      }
    } finally {
      if (host && manifest.serviceName && !serviceRemoved && hostAnswers && !signal.aborted) {
        // Before the folder goes: the service runs from it (Ctrl+C: the module's own cleanup removes it).
        await ask('Remove', { InstallPath: manifest.installPath, ServiceName: manifest.serviceName })
          .then((r) => {
            serviceRemoved = r.ok;
          })
          .catch(() => undefined);
      }
      try {
        if (session) await (session as AdSession).close().catch(() => undefined);
        await (sandbox as SandboxChild | null)?.stop();
      } finally {
        const { removed, left } = await cleanupFrom(manifest, params.dc, params.keep);
        if (host && manifest.serviceName) (serviceRemoved ? removed : left).push(`service ${manifest.serviceName}`);
        if (params.keep)
          checks.add(
            'Cleanup',
            'Rehearsal objects removed',
            'Skipped',
            'kept as asked (keep)',
            [manifest.scratchDN, manifest.installPath, manifest.sandboxDir].filter(Boolean).join('; '),
          );
        else if (left.length > 0)
          checks.add('Cleanup', 'Rehearsal objects removed', 'Fail', `${left.length} thing(s) could not be removed`, `left: ${left.join('; ')}`);
        else checks.add('Cleanup', 'Rehearsal objects removed', 'Pass', '', `removed: ${removed.join('; ')}`);
        if (!params.keep && left.length === 0 && params.manifestFile) rmSync(params.manifestFile, { force: true });
      }
    }
    const count = (s: CheckStatus) => checks.list.filter((c) => c.Status === s).length;
    const summary = {
      passed: count('Pass'),
      failed: count('Fail'),
      skipped: count('Skipped'),
      scratchOU: scratchDN,
      seconds: Math.round((Date.now() - began.getTime()) / 100) / 10,
      interrupted: signal.aborted,
    };
    return { exitCode: summary.failed > 0 ? ExitCode.PartialFailure : ExitCode.Ok, summary };
  },
});

export const rehearsalCleanupCommand = defineCommand({
  name: 'rehearsal-cleanup',
  description: 'Remove what an interrupted rehearsal left (its manifest names the scratch OU, the agent, the sandbox and the folders).',
  params: z.strictObject({ dc: dcSchema, manifestFile: z.string().min(1).max(4096) }),
  async run(params, { reporter }) {
    if (!existsSync(params.manifestFile)) return { exitCode: ExitCode.Ok, summary: { removed: [], left: [] } };
    let manifest: Manifest;
    try {
      manifest = manifestSchema.parse(JSON.parse(readFileSync(params.manifestFile, 'utf8')));
    } catch (err) {
      throw new EngineError('Rehearsal.ManifestInvalid', `The rehearsal manifest ${params.manifestFile} cannot be read: ${(err as Error).message}`, {
        category: 'InvalidData',
        exitCode: ExitCode.BadRequest,
        target: params.manifestFile,
      });
    }
    const { removed, left } = await cleanupFrom(manifest, params.dc, false);
    reporter.record('JumpCloudADI.RehearsalCleanup', { Removed: removed, Left: left });
    if (left.length === 0) rmSync(params.manifestFile, { force: true });
    return { exitCode: left.length > 0 ? ExitCode.PartialFailure : ExitCode.Ok, summary: { removed, left } };
  },
});
