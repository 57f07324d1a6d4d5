// CSV → JumpCloud: plan each validated row against the users JumpCloud already has (pure), then
// create the new ones with bounded concurrency, add their group memberships and bind them to the
// ADI domain. Idempotent: a user that exists (same username and e-mail) is not created again, but
// the memberships and binding its row asks for are completed, so a rerun finishes an interrupted
// import. A failure of one row never stops the others; losing JumpCloud (unreachable, key
// refused) stops the run and the rows not started are reported as Skipped.
import { asEngineError, ExitCode, type EngineError } from '../errors';
import type { GraphConnection, SystemUser, UserGroup } from '../jumpcloud/schemas';
import type { ListOptions, NewSystemUser } from '../jumpcloud/client';
import type { RowProblem, ValidatedRow } from './validate';

type RowStatus = 'Created' | 'Exists' | 'WouldCreate' | 'Invalid' | 'Failed' | 'Skipped';

/** One result per row: the record the module shows (never the password). */
export interface RowResult {
  Row: number;
  Username: string;
  Email: string;
  Status: RowStatus;
  JumpCloudId: string | null;
  Reason: string;
  ErrorId: string | null;
  Groups: string[];
  BoundToDomain: boolean;
  Warnings: string[];
}

/** The JumpCloud calls the import makes (JumpCloudClient has them all). */
export interface ImportClient {
  listUsers(options?: ListOptions): AsyncGenerator<SystemUser>;
  createUser(user: NewSystemUser): Promise<SystemUser>;
  listUserGroups(options?: ListOptions): AsyncGenerator<UserGroup>;
  createUserGroup(name: string, description?: string): Promise<UserGroup>;
  changeGroupMember(groupId: string, userId: string, op?: 'add' | 'remove'): Promise<void>;
  listGroupMembers(groupId: string): AsyncGenerator<GraphConnection>;
  listDomainAssociations(domainId: string, target: 'user' | 'user_group'): AsyncGenerator<GraphConnection>;
  bindToDomain(domainId: string, type: 'user' | 'user_group', id: string, op?: 'add' | 'remove'): Promise<void>;
}

interface ExistingUser {
  id: string;
  username: string;
  email: string;
}

export interface ExistingUsers {
  byUsername: Map<string, ExistingUser>;
  byEmail: Map<string, ExistingUser>;
}

export async function loadExistingUsers(client: Pick<ImportClient, 'listUsers'>): Promise<ExistingUsers> {
  const existing: ExistingUsers = { byUsername: new Map(), byEmail: new Map() };
  for await (const u of client.listUsers({ fields: ['_id', 'username', 'email'] })) {
    const user = { id: u._id, username: u.username, email: u.email };
    existing.byUsername.set(u.username.toLowerCase(), user);
    if (u.email) existing.byEmail.set(u.email.toLowerCase(), user);
  }
  return existing;
}

type RowAction = 'invalid' | 'create' | 'exists' | 'existsOther';

export interface RowPlan {
  row: ValidatedRow;
  action: RowAction;
  existing: ExistingUser | null;
}

/** Decides per row (pure): invalid, create, exists (same username and e-mail), or exists as someone else. */
export function planImport(rows: ValidatedRow[], existing: ExistingUsers): RowPlan[] {
  return rows.map((row) => {
    const byName = existing.byUsername.get(row.username.toLowerCase()) ?? null;
    const byMail = row.email ? (existing.byEmail.get(row.email.toLowerCase()) ?? null) : null;
    if (row.problems.length === 0 && byMail && (!byName || byMail.id !== byName.id)) {
      row.problems.push({
        id: 'Csv.EmailTaken',
        column: 'Email',
        message: `the e-mail '${row.email}' belongs to the JumpCloud user '${byMail.username}' (${byMail.id}); e-mails are unique in JumpCloud`,
      });
    }
    if (row.problems.length > 0) return { row, action: 'invalid', existing: byName };
    if (!byName) return { row, action: 'create', existing: null };
    if (byName.email.toLowerCase() === row.email.toLowerCase()) return { row, action: 'exists', existing: byName };
    return { row, action: 'existsOther', existing: byName };
  });
}

export interface ImportOptions {
  whatIf: boolean;
  concurrency: number;
  /** Bind each imported user to this ADI domain (its JumpCloud id), or null. */
  domainId: string | null;
  signal?: AbortSignal;
  onResult: (result: RowResult) => void;
  onProgress?: (done: number, total: number) => void;
  onLog?: (level: 'verbose' | 'warning', message: string) => void;
}

export interface ImportOutcome {
  counts: Record<RowStatus, number>;
  groupsCreated: string[];
  /** Group names a real run would create (whatIf). */
  groupsToCreate: string[];
  membershipsAdded: number;
  bound: number;
  /** The error that stopped the run (JumpCloud unreachable, key refused), or null. */
  stoppedBy: EngineError | null;
}

const warningTexts = (warnings: RowProblem[]) => warnings.map((w) => w.message);

function baseResult(row: ValidatedRow, status: RowStatus, reason: string): RowResult {
  return {
    Row: row.line,
    Username: row.username,
    Email: row.email,
    Status: status,
    JumpCloudId: null,
    Reason: reason,
    ErrorId: null,
    Groups: [],
    BoundToDomain: false,
    Warnings: warningTexts(row.warnings),
  };
}

export function invalidResult(plan: RowPlan): RowResult {
  const { row } = plan;
  return {
    ...baseResult(row, 'Invalid', row.problems.map((p) => (p.column ? `${p.column}: ${p.message}` : p.message)).join('; ')),
    ErrorId: row.problems[0]?.id ?? 'Csv.InvalidValue',
    JumpCloudId: plan.existing?.id ?? null,
  };
}

/** JumpCloud lost for the whole run, not just this row. */
function stopsTheRun(err: EngineError): boolean {
  return err.exitCode === ExitCode.Unreachable || err.exitCode === ExitCode.AuthFailed || err.id === 'JumpCloud.Cancelled';
}

/** An answer that leaves open whether JumpCloud created the user (timeout, dropped connection, 5xx). */
function unclear(err: EngineError): boolean {
  return err.id === 'JumpCloud.Timeout' || err.id === 'JumpCloud.ServiceError' || (err.id === 'JumpCloud.Unreachable' && err.category !== 'SecurityError');
}

/** The row's password never leaves in a message, even if a service repeated it. */
function scrubbed(text: string, password: string): string {
  return password.length >= 4 ? text.split(password).join('***') : text;
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** Finds the groups by name (case-insensitively) and, unless whatIf, creates the missing ones. */
async function resolveGroups(client: ImportClient, names: string[], whatIf: boolean, outcome: ImportOutcome, log: ImportOptions['onLog']) {
  const ids = new Map<string, string>();
  const failures = new Map<string, EngineError>();
  /** Members of the groups that existed before: users already in them need no call. */
  const members = new Map<string, Set<string>>();
  if (names.length === 0) return { ids, failures, members };
  const wanted = new Map(names.map((n) => [n.toLowerCase(), n]));
  for await (const group of client.listUserGroups({ fields: ['id', 'name'] })) {
    const key = group.name.toLowerCase();
    // An exact-case match wins over a case-insensitive one.
    if (wanted.has(key) && (!ids.has(key) || group.name === wanted.get(key))) ids.set(key, group.id);
  }
  for (const groupId of new Set(ids.values())) members.set(groupId, await userIds(client.listGroupMembers(groupId)));
  for (const [key, name] of wanted) {
    if (ids.has(key)) continue;
    if (whatIf) {
      outcome.groupsToCreate.push(name);
      continue;
    }
    try {
      const created = await client.createUserGroup(name);
      ids.set(key, created.id);
      outcome.groupsCreated.push(name);
      log?.('verbose', `Created the JumpCloud user group '${name}' (${created.id}).`);
    } catch (err) {
      const e = asEngineError(err);
      if (stopsTheRun(e)) throw e;
      failures.set(key, e);
      log?.('warning', `Cannot create the JumpCloud user group '${name}': ${e.message}`);
    }
  }
  return { ids, failures, members };
}

async function userIds(edges: AsyncGenerator<GraphConnection>): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const edge of edges) if (edge.to.type === 'user') ids.add(edge.to.id);
  return ids;
}

type Groups = Awaited<ReturnType<typeof resolveGroups>>;

export async function runImport(client: ImportClient, plans: RowPlan[], options: ImportOptions): Promise<ImportOutcome> {
  const outcome: ImportOutcome = {
    counts: { Created: 0, Exists: 0, WouldCreate: 0, Invalid: 0, Failed: 0, Skipped: 0 },
    groupsCreated: [],
    groupsToCreate: [],
    membershipsAdded: 0,
    bound: 0,
    stoppedBy: null,
  };
  const total = plans.length;
  let done = 0;
  const emit = (result: RowResult) => {
    outcome.counts[result.Status]++;
    done++;
    options.onResult(result);
    options.onProgress?.(done, total);
  };

  for (const plan of plans) if (plan.action === 'invalid') emit(invalidResult(plan));
  for (const plan of plans) {
    if (plan.action !== 'existsOther') continue;
    const other = plan.existing as ExistingUser;
    emit({
      ...baseResult(
        plan.row,
        'Exists',
        `a JumpCloud user with this username exists with another e-mail ('${other.email}'); left untouched: no groups added, not bound`,
      ),
      JumpCloudId: other.id,
    });
  }
  const work = plans.filter((p) => p.action === 'create' || p.action === 'exists');
  const groupNames = [...new Map(work.flatMap((p) => p.row.groups).map((g) => [g.toLowerCase(), g])).values()];
  const groups = await resolveGroups(client, groupNames, options.whatIf, outcome, options.onLog);

  if (options.whatIf) {
    for (const plan of work) {
      const { row } = plan;
      if (plan.action === 'exists') {
        const completes = row.groups.length > 0 || options.domainId !== null ? '; a real run adds the missing group memberships and binding' : '';
        emit({
          ...baseResult(row, 'Exists', `already in JumpCloud (same username and e-mail)${completes}`),
          JumpCloudId: plan.existing?.id ?? null,
          Groups: row.groups,
        });
        continue;
      }
      const extras = [
        row.groups.length > 0 ? `member of ${row.groups.join(', ')}` : '',
        options.domainId ? 'bound to the ADI domain' : '',
        row.password === '' ? 'without a password (set at activation)' : '',
      ].filter(Boolean);
      emit({
        ...baseResult(row, 'WouldCreate', `would be created${extras.length > 0 ? `: ${extras.join('; ')}` : ''}`),
        Groups: row.groups,
        BoundToDomain: options.domainId !== null,
      });
    }
    return outcome;
  }

  // Users already bound need no call (a rerun is then cheap).
  const alreadyBound = options.domainId ? await userIds(client.listDomainAssociations(options.domainId, 'user')) : new Set<string>();
  await pool(work, options.concurrency, async (plan) => {
    const { row } = plan;
    if (outcome.stoppedBy || options.signal?.aborted) {
      emit(baseResult(row, 'Skipped', outcome.stoppedBy ? `not attempted: the run stopped (${outcome.stoppedBy.id})` : 'not attempted: the run was cancelled'));
      return;
    }
    const result = await importRow(client, plan, groups, options.domainId, alreadyBound);
    if (result.stop && !outcome.stoppedBy) outcome.stoppedBy = result.stop;
    outcome.membershipsAdded += result.memberships;
    if (result.result.BoundToDomain) outcome.bound++;
    emit(result.result);
  });
  return outcome;
}

interface RowOutcome {
  result: RowResult;
  memberships: number;
  stop: EngineError | null;
}

async function importRow(client: ImportClient, plan: RowPlan, groups: Groups, domainId: string | null, alreadyBound: Set<string>): Promise<RowOutcome> {
  const { row } = plan;
  const fail = (err: EngineError, prefix: string, id: string | null): RowOutcome => ({
    result: { ...baseResult(row, 'Failed', scrubbed(`${prefix}${err.message}`, row.password)), ErrorId: err.id, JumpCloudId: id },
    memberships: 0,
    stop: stopsTheRun(err) ? err : null,
  });

  let id = plan.existing?.id ?? null;
  let note = '';
  if (plan.action === 'create') {
    try {
      const created = await client.createUser(row.password === '' ? row.user : { ...row.user, password: row.password });
      id = created._id;
    } catch (err) {
      const e = asEngineError(err);
      if (!unclear(e)) return fail(e, '', null);
      // The answer was lost: look the user up before calling it a failure.
      const found = await findByUsername(client, row.username).catch(() => null);
      if (!found || found.email.toLowerCase() !== row.email.toLowerCase()) return fail(e, '', null);
      id = found._id;
      note = ' (confirmed after an unclear answer from JumpCloud)';
    }
  }
  const userId = id as string;

  const stepFailures: string[] = [];
  let firstError: EngineError | null = null;
  let memberships = 0;
  for (const group of row.groups) {
    const groupId = groups.ids.get(group.toLowerCase());
    if (!groupId) {
      const why = groups.failures.get(group.toLowerCase());
      stepFailures.push(`the group '${group}' could not be created${why ? ` (${why.message})` : ''}`);
      firstError ??= why ?? null;
      continue;
    }
    if (groups.members.get(groupId)?.has(userId)) continue;
    try {
      await client.changeGroupMember(groupId, userId, 'add');
      memberships++;
    } catch (err) {
      const e = asEngineError(err);
      stepFailures.push(`adding to the group '${group}' failed: ${e.message}`);
      firstError ??= e;
      if (stopsTheRun(e)) break;
    }
  }
  let bound = false;
  if (domainId && alreadyBound.has(userId)) bound = true;
  else if (domainId && !(firstError && stopsTheRun(firstError))) {
    try {
      await client.bindToDomain(domainId, 'user', userId, 'add');
      bound = true;
    } catch (err) {
      const e = asEngineError(err);
      stepFailures.push(`binding to the ADI domain failed: ${e.message}`);
      firstError ??= e;
    }
  }

  const created = plan.action === 'create';
  if (stepFailures.length > 0) {
    const what = created ? 'created' : 'already in JumpCloud';
    return {
      result: {
        ...baseResult(row, 'Failed', scrubbed(`${what}${note}, but ${stepFailures.join('; ')}; run the import again to finish`, row.password)),
        ErrorId: firstError?.id ?? 'Csv.StepFailed',
        JumpCloudId: userId,
        Groups: row.groups.filter((g) => groups.ids.has(g.toLowerCase())),
        BoundToDomain: bound,
      },
      memberships,
      stop: firstError && stopsTheRun(firstError) ? firstError : null,
    };
  }
  const reason = created
    ? `created${note}${row.password === '' ? ' without a password: the user sets one when activating the account' : ''}`
    : 'already in JumpCloud (same username and e-mail): not created again';
  return {
    result: { ...baseResult(row, created ? 'Created' : 'Exists', reason), JumpCloudId: userId, Groups: row.groups, BoundToDomain: bound },
    memberships,
    stop: null,
  };
}

async function findByUsername(client: Pick<ImportClient, 'listUsers'>, username: string): Promise<SystemUser | null> {
  for await (const user of client.listUsers({ filter: [`username:$eq:${username}`], fields: ['_id', 'username', 'email'] })) {
    if (user.username.toLowerCase() === username.toLowerCase()) return user;
  }
  return null;
}
