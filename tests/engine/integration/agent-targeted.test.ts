// Targeted reconciles against the real test DC and the sandbox. The property: random sequences of
// JumpCloud changes, applied through targeted plans built from the change events (the agent
// channel's feed, or Directory Insights for the API-key mode), leave AD exactly where full
// reconciles at the same points leave it. Two twin worlds in one sandbox (T and F: the same operations on users and
// groups that differ only by a name prefix, bound to two ADI domains) sync into two OUs of the
// test DC: T through targeted plans after every batch, F through a full reconcile at the same
// points (the sync keeps what leaves the scope: an unbound group stays, emptied and marked, a user
// stays, disabled; so an object created and taken out of scope within one sequence exists on both
// twins only if both saw it in between); after each sequence both OUs are read back, names
// normalised, and compared. Also: what a targeted plan reads (JumpCloud calls per change) and that
// a replayed batch plans nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planBatch } from '../../../engine/src/agent/events';
import { syncSettingsSchema } from '../../../engine/src/agent/config';
import { DEFAULT_BACKOFF } from '../../../engine/src/agent/failures';
import { planInsights } from '../../../engine/src/agent/insights-poller';
import { NeedsFullReconcile, reconcile, reconcileTargeted, type DnHints, type ReconcileContext } from '../../../engine/src/agent/reconcile';
import { decodeAnchor } from '../../../engine/src/ad/names';
import type { ChangeEvent } from '../../../engine/src/jumpcloud/agent-protocol';
import { directoryEventSchema } from '../../../engine/src/jumpcloud/schemas';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

/** A small deterministic PRNG (mulberry32): a failing sequence is reproduced from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(list: T[]): T => list[Math.floor(next() * list.length)] as T };
}

const SEED = Number(process.env.JCADI_PROPERTY_SEED ?? 1717);
const SEQUENCES = Number(process.env.JCADI_PROPERTY_SEQUENCES ?? 10);
/** Logon names are unique in the whole domain: a run's own prefix, so a crashed run's leftovers cannot clash. */
const RUN = Math.random().toString(36).slice(2, 5);

describe('targeted reconciles (sandbox + test DC)', { timeout: 600_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-targeted-'));
  const requests: string[] = [];
  const twins = {
    // T keeps DN hints as the agent does (a targeted read goes to the object's DN); F reads everything anyway.
    T: {
      prefix: `st${RUN}`,
      domain: 'DC=scale-t;DC=example;DC=com',
      domainId: '',
      root: '',
      failures: {},
      reported: {},
      hints: { dns: new Map<string, string>(), complete: false } as DnHints | undefined,
    },
    F: {
      prefix: `sf${RUN}`,
      domain: 'DC=scale-f;DC=example;DC=com',
      domainId: '',
      root: '',
      failures: {},
      reported: {},
      hints: undefined as DnHints | undefined,
    },
  };
  type Twin = (typeof twins)['T'];
  const settings = syncSettingsSchema.parse({});
  const context = (twin: Twin): ReconcileContext => ({
    client: sb.client(),
    session: fx.session,
    domainId: twin.domainId,
    rootDN: twin.root,
    settings,
    journal: memoryJournal(),
    failures: twin.failures,
    reported: twin.reported,
    backoff: DEFAULT_BACKOFF,
    signal: new AbortController().signal,
    now: () => new Date(),
    hints: twin.hints,
  });

  /**
   * Each twin's root holds its own safety ledger (its sAMAccountName derives from the root), but
   * the sequences' changes add up over the rolling window, which is not what these comparisons are
   * about: each reconcile starts from an empty ledger.
   */
  const ctx = async (twin: Twin): Promise<ReconcileContext> => {
    await fx.session.ldapClient.del(`CN=jcsync-safety-ledger,${twin.root}`).catch(() => undefined);
    return context(twin);
  };

  /** Both OUs as comparable data: the twin prefix and the JumpCloud ids replaced by usernames. */
  const snapshot = async (twin: Twin) => {
    const ids = new Map(
      [...sb.store.users.values()].map((u) => [u._id, u.username] as const).concat([...sb.store.groups.values()].map((g) => [g.id, g.name] as const)),
    );
    const norm = (text: string) => text.replaceAll(twin.prefix, 'scX').replaceAll(twin.root, 'ROOT');
    const { searchEntries } = await fx.session.ldapClient.search(twin.root, {
      scope: 'sub',
      filter: '(|(objectClass=user)(objectClass=group))',
      attributes: [
        'cn',
        'sAMAccountName',
        'userPrincipalName',
        'givenName',
        'sn',
        'displayName',
        'mail',
        'userAccountControl',
        'description',
        'member',
        'adminDescription',
        'objectClass',
      ],
    });
    const first = (v: unknown) => String(Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
    return searchEntries
      .filter((e) => first(e.cn) !== 'jcsync-safety-ledger')
      .map((e) => {
        const anchor = decodeAnchor(first(e.adminDescription));
        const anchorText =
          anchor && anchor !== 'foreign'
            ? `${ids.get(anchor.jcId) ?? '?'}${anchor.syncDisabled ? ';syncDisabled' : ''}${anchor.offboarded ? ';offboarded' : ''}`
            : String(anchor);
        const isGroup = [e.objectClass].flat().map(String).includes('group');
        return norm(
          JSON.stringify(
            isGroup
              ? {
                  group: first(e.cn),
                  sam: first(e.sAMAccountName),
                  description: first(e.description),
                  anchor: anchorText,
                  members: [e.member ?? []].flat().map(String).sort(),
                }
              : {
                  user: e.dn,
                  sam: first(e.sAMAccountName),
                  upn: first(e.userPrincipalName),
                  givenName: first(e.givenName),
                  sn: first(e.sn),
                  displayName: first(e.displayName),
                  mail: first(e.mail),
                  disabled: (Number(first(e.userAccountControl)) & 2) === 2,
                  anchor: anchorText,
                },
          ),
        );
      })
      .sort();
  };

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty', accessLog: (line) => requests.push(line) });
    fx = await openFixture('scale-targeted');
    for (const twin of Object.values(twins)) {
      twin.root = `OU=${twin.prefix},${fx.rootDN}`;
      await fx.session.ldapClient.add(twin.root, { objectClass: ['top', 'organizationalUnit'] });
      twin.domainId = String((await sb.admin('POST', '/domains', { domain: twin.domain })).id);
    }
  });
  after(async () => {
    await fx?.close();
    await sb?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** The same operation on both twins, by name. */
  type Op = (twin: Twin) => Promise<void>;
  const names = { users: [] as string[], groups: [] as string[], counter: 0 };
  const u = (twin: Twin, name: string) => `${twin.prefix}${name}`;
  const g = (twin: Twin, name: string) => `${twin.prefix}-${name}`;

  function randomOp(r: ReturnType<typeof rng>): { what: string; op: Op } | null {
    const user = names.users.length > 0 ? r.pick(names.users) : null;
    const group = names.groups.length > 0 ? r.pick(names.groups) : null;
    const n = ++names.counter;
    const choice = r.int(15);
    switch (choice) {
      case 0:
      case 1: {
        const name = `u${n}`;
        names.users.push(name);
        const inGroup = group && r.next() < 0.7 ? group : null;
        const direct = r.next() < 0.3;
        return {
          what: `create ${name}`,
          op: async (t) =>
            void (await sb.admin('POST', '/users', {
              username: u(t, name),
              email: `${u(t, name)}@example.com`,
              firstname: 'First',
              lastname: `Last${n}`,
              ...(inGroup ? { groups: [g(t, inGroup)] } : {}),
              ...(direct ? { bindToDomain: t.domain } : {}),
            })),
        };
      }
      case 2:
      case 3:
        return user
          ? { what: `last name of ${user}`, op: async (t) => void (await sb.admin('PATCH', `/users/${u(t, user)}`, { lastname: `Changed${n}` })) }
          : null;
      case 4: {
        if (!user) return null;
        const renamed = `${user.split('r')[0]}r${n}`;
        names.users[names.users.indexOf(user)] = renamed;
        return {
          what: `rename ${user} → ${renamed}`,
          op: async (t) => void (await sb.admin('PATCH', `/users/${u(t, user)}`, { username: u(t, renamed), email: `${u(t, renamed)}@example.com` })),
        };
      }
      case 5: {
        if (!user) return null;
        const suspended = r.next() < 0.5;
        return {
          what: `${suspended ? 'suspend' : 'reactivate'} ${user}`,
          op: async (t) => void (await sb.admin('PATCH', `/users/${u(t, user)}`, { suspended })),
        };
      }
      case 6:
      case 7:
        return user && group
          ? { what: `add ${user} to ${group}`, op: async (t) => void (await sb.admin('POST', `/groups/${g(t, group)}/members`, { user: u(t, user) })) }
          : null;
      case 8:
        return user && group
          ? { what: `remove ${user} from ${group}`, op: async (t) => void (await sb.admin('DELETE', `/groups/${g(t, group)}/members/${u(t, user)}`)) }
          : null;
      case 9: {
        if (!user) return null;
        const op = r.next() < 0.5 ? 'add' : 'remove';
        return {
          what: `${op} the direct binding of ${user}`,
          op: async (t) => void (await sb.admin('POST', `/domains/${encodeURIComponent(t.domain)}/bindings`, { op, type: 'user', target: u(t, user) })),
        };
      }
      case 10: {
        const name = `G${n}`;
        names.groups.push(name);
        const bind = r.next() < 0.8;
        const members = names.users.filter(() => r.next() < 0.3);
        return {
          what: `create group ${name}${bind ? ' (bound)' : ''}${members.length > 0 ? ` with ${members.join(', ')}` : ''}`,
          op: async (t) =>
            void (await sb.admin('POST', '/groups', {
              name: g(t, name),
              description: `Group ${n}`,
              members: members.map((m) => u(t, m)),
              ...(bind ? { bindToDomain: t.domain } : {}),
            })),
        };
      }
      case 11: {
        if (!group) return null;
        const renamed = `${group.split('r')[0]}r${n}`;
        names.groups[names.groups.indexOf(group)] = renamed;
        return {
          what: `rename group ${group} → ${renamed}`,
          op: async (t) => void (await sb.admin('PATCH', `/groups/${g(t, group)}`, { name: g(t, renamed), description: `Renamed ${n}` })),
        };
      }
      case 12: {
        if (!group) return null;
        const op = r.next() < 0.6 ? 'add' : 'remove';
        return {
          what: `${op} the binding of group ${group}`,
          op: async (t) => void (await sb.admin('POST', `/domains/${encodeURIComponent(t.domain)}/bindings`, { op, type: 'user_group', target: g(t, group) })),
        };
      }
      case 13: {
        if (!user || r.next() < 0.5) return null;
        names.users.splice(names.users.indexOf(user), 1);
        return { what: `delete ${user}`, op: async (t) => void (await sb.admin('DELETE', `/users/${u(t, user)}`)) };
      }
      default: {
        if (!group || r.next() < 0.6) return null;
        names.groups.splice(names.groups.indexOf(group), 1);
        return { what: `delete group ${group}`, op: async (t) => void (await sb.admin('DELETE', `/groups/${g(t, group)}`)) };
      }
    }
  }

  /** Applies T's events through targeted plans (the agent's decisions), or a full reconcile when they ask for one. */
  const targeted = async (viaInsights: boolean, from: { changes: number; insights: number }, to: { changes: number; insights: number }, managed: number) => {
    const events = sb.store.changes.slice(from.changes, to.changes) as unknown as ChangeEvent[];
    const plan = viaInsights ? planInsights(sb.store.insights.slice(from.insights, to.insights).map((e) => directoryEventSchema.parse(e))) : planBatch(events);
    if (!plan.reconcile) return 'none';
    if (plan.full) {
      await reconcile(await ctx(twins.T));
      return 'full';
    }
    const result = await reconcileTargeted(await ctx(twins.T), plan.targets, managed);
    if (result instanceof NeedsFullReconcile) {
      await reconcile(await ctx(twins.T));
      return 'fallback';
    }
    assert.equal(result.refusal, null);
    assert.equal(result.failed, 0, JSON.stringify(result.failures));
    return 'targeted';
  };

  it('a last-name change reads two JumpCloud objects, whatever the org; a replayed batch plans nothing', async () => {
    const twin = twins.T;
    await sb.admin('POST', '/groups', { name: g(twin, 'calls'), description: 'calls', bindToDomain: twin.domain });
    await sb.admin('POST', '/users', {
      username: u(twin, 'calls1'),
      email: `${u(twin, 'calls1')}@example.com`,
      firstname: 'Call',
      lastname: 'Before',
      groups: [g(twin, 'calls')],
    });
    await sb.admin('POST', '/users/generate', { count: 500, prefix: 'scoutside' });
    const first = await reconcile(await ctx(twin));
    assert.equal(first.failed, 0);
    assert.ok(first.applied > 0, JSON.stringify({ ...first, newSkips: first.newSkips.slice(0, 3) }));
    const from = sb.store.changes.length;
    await sb.admin('PATCH', `/users/${u(twin, 'calls1')}`, { lastname: 'After' });
    const batch = planBatch(sb.store.changes.slice(from) as unknown as ChangeEvent[]);
    assert.equal(batch.full, false);
    assert.deepEqual([...batch.targets.users], [String(sb.store.findUserByName(u(twin, 'calls1'))?._id)]);
    const mark = requests.length;
    const result = await reconcileTargeted(await ctx(twin), batch.targets, first.managedObjects);
    assert.ok(!(result instanceof NeedsFullReconcile));
    assert.equal(result.applied, 1, JSON.stringify({ ...result, newSkips: result.newSkips.slice(0, 3) }));
    const calls = requests.slice(mark);
    assert.deepEqual(
      calls.map((l) =>
        l
          .split(' ')
          .slice(0, 2)
          .join(' ')
          .replace(/\?.*$/, '')
          .replace(/[0-9a-f]{24}/g, 'ID'),
      ),
      ['GET /api/v2/users/ID/activedirectories', 'POST /api/search/systemusers'],
    );
    const [entry] = await fx.session.search(twin.root, { scope: 'sub', filter: `(sAMAccountName=${u(twin, 'calls1')})`, attributes: ['sn'] });
    assert.equal(String(entry?.sn), 'After');
    const replay = await reconcileTargeted(await ctx(twin), batch.targets, first.managedObjects);
    assert.ok(!(replay instanceof NeedsFullReconcile));
    assert.equal(replay.planned, 0, 'a replayed batch plans nothing');
    // Gone again, from both sides, so that the twins start alike.
    await sb.admin('DELETE', `/users/${u(twin, 'calls1')}`);
    await sb.admin('DELETE', `/groups/${g(twin, 'calls')}`);
    await reconcile(await ctx(twin));
    // (An unbound group is kept in AD, marked: removed here by hand.)
    for (const e of await fx.session.search(twin.root, { scope: 'sub', filter: '(|(objectClass=user)(objectClass=group))', attributes: ['cn'] }))
      await fx.session.ldapClient.del(e.dn);
  });

  it('random JumpCloud changes through targeted plans leave AD exactly where full reconciles at the same points leave it', async (t) => {
    const r = rng(SEED);
    // A starting org: users, two bound groups, one unbound; both twins fully reconciled (a takeover).
    for (const name of ['GA', 'GB', 'GC']) names.groups.push(name);
    for (const twin of Object.values(twins)) {
      await sb.admin('POST', '/groups', { name: g(twin, 'GA'), description: 'A', bindToDomain: twin.domain });
      await sb.admin('POST', '/groups', { name: g(twin, 'GB'), description: 'B', bindToDomain: twin.domain });
      await sb.admin('POST', '/groups', { name: g(twin, 'GC'), description: 'C' });
    }
    for (let i = 1; i <= 8; i++) {
      names.users.push(`s${i}`);
      for (const twin of Object.values(twins)) {
        await sb.admin('POST', '/users', {
          username: u(twin, `s${i}`),
          email: `${u(twin, `s${i}`)}@example.com`,
          firstname: 'Start',
          lastname: `User${i}`,
          groups: [g(twin, i % 3 === 0 ? 'GC' : i % 2 === 0 ? 'GA' : 'GB')],
          ...(i === 8 ? { bindToDomain: twin.domain } : {}),
        });
      }
    }
    let managed = 0;
    for (const twin of Object.values(twins)) managed = (await reconcile(await ctx(twin))).managedObjects;
    assert.deepEqual(await snapshot(twins.T), await snapshot(twins.F), 'the starting point is the same');

    const counts = { targeted: 0, full: 0, fallback: 0, none: 0, operations: 0 };
    for (let s = 0; s < SEQUENCES; s++) {
      const viaInsights = s % 2 === 1;
      const length = 3 + r.int(5);
      const done: string[] = [];
      for (let i = 0; i < length;) {
        const batch = 1 + r.int(3);
        const ops: Array<{ what: string; op: Op }> = [];
        while (ops.length < batch) {
          const next = randomOp(r);
          if (next) ops.push(next);
        }
        // T's events are those between these marks (F's come after them).
        const from = { changes: sb.store.changes.length, insights: sb.store.insights.length };
        for (const { op } of ops) await op(twins.T);
        const to = { changes: sb.store.changes.length, insights: sb.store.insights.length };
        for (const { op } of ops) await op(twins.F);
        const kind = await targeted(viaInsights, from, to, managed);
        // F reconciles fully at the same point: both twins go through the same intermediate states.
        managed = (await reconcile(await ctx(twins.F))).managedObjects;
        counts[kind]++;
        counts.operations += ops.length;
        done.push(...ops.map((o) => o.what));
        i += ops.length;
      }
      const [tState, fState] = [await snapshot(twins.T), await snapshot(twins.F)];
      assert.deepEqual(tState, fState, `sequence ${s} (seed ${SEED}, ${viaInsights ? 'Directory Insights' : 'agent channel'}): ${done.join('; ')}`);
      // And a full reconcile of T now finds nothing to do.
      const again = await reconcile(await ctx(twins.T));
      assert.equal(again.planned, 0, `a full reconcile after the targeted ones plans nothing (sequence ${s})`);
    }
    t.diagnostic(
      `${counts.operations} operations in ${SEQUENCES} sequences: ${counts.targeted} targeted plans, ${counts.fallback} fell back to a full reconcile (a group deleted or unbound), ${counts.full} full by shape, ${counts.none} asked for nothing`,
    );
    assert.ok(counts.targeted > counts.fallback + counts.full, 'most batches are targeted');
  });

  it('a batch that renames a group and deletes one of its members takes the member out of the renamed group', async () => {
    const twin = twins.T;
    await sb.admin('POST', '/groups', { name: g(twin, 'ren'), description: 'ren', bindToDomain: twin.domain });
    for (const name of ['ren1', 'ren2'])
      await sb.admin('POST', '/users', {
        username: u(twin, name),
        email: `${u(twin, name)}@example.com`,
        firstname: 'Ren',
        lastname: name,
        groups: [g(twin, 'ren')],
      });
    const first = await reconcile(await ctx(twin));
    assert.equal(first.failed, 0, JSON.stringify(first.failures));
    const from = sb.store.changes.length;
    await sb.admin('PATCH', `/groups/${g(twin, 'ren')}`, { name: g(twin, 'renamed'), description: 'renamed' });
    await sb.admin('DELETE', `/users/${u(twin, 'ren1')}`);
    const batch = planBatch(sb.store.changes.slice(from) as unknown as ChangeEvent[]);
    assert.equal(batch.full, false, 'a rename and a user deletion are a targeted batch');
    const result = await reconcileTargeted(await ctx(twin), batch.targets, first.managedObjects);
    assert.ok(!(result instanceof NeedsFullReconcile));
    assert.equal(result.failed, 0, JSON.stringify(result.failures));
    const [group] = await fx.session.search(twin.root, { scope: 'sub', filter: `(sAMAccountName=${g(twin, 'renamed')})`, attributes: ['member'] });
    assert.deepEqual(
      [group?.member ?? []].flat().map((dn) => String(dn).split(',')[0]),
      [`CN=${u(twin, 'ren2')}`],
    );
    const again = await reconcile(await ctx(twin));
    assert.equal(again.planned, 0, 'a full reconcile afterwards finds nothing to do');
    await sb.admin('DELETE', `/users/${u(twin, 'ren2')}`);
    await sb.admin('DELETE', `/groups/${g(twin, 'renamed')}`);
  });

  it('a targeted plan applies the schema limits as a full one does: a 65-character first name is a ValueTooLong skip', async () => {
    const twin = twins.T;
    const from = sb.store.changes.length;
    await sb.admin('POST', '/users', {
      username: u(twin, 'long1'),
      email: `${u(twin, 'long1')}@example.com`,
      firstname: 'F'.repeat(65),
      lastname: 'Long',
      bindToDomain: twin.domain,
    });
    const batch = planBatch(sb.store.changes.slice(from) as unknown as ChangeEvent[]);
    assert.equal(batch.full, false, 'a new bound user is a targeted batch');
    const schemaCache: NonNullable<ReconcileContext['schemaCache']> = {};
    const result = await reconcileTargeted({ ...(await ctx(twin)), schemaCache }, batch.targets, 10);
    assert.ok(!(result instanceof NeedsFullReconcile));
    assert.equal(result.failed, 0, JSON.stringify(result.failures));
    assert.equal(result.applied, 0, 'nothing is written for the over-long user');
    const skip = result.newSkips.find((op) => op.kind === 'skip');
    assert.equal(skip?.kind === 'skip' ? skip.code : null, 'ValueTooLong');
    assert.match(skip?.kind === 'skip' ? skip.reason : '', /givenName has 65 characters, the schema allows 64/);
    assert.equal(schemaCache.attributeLimits?.get('givenname'), 64, 'the limits read by the targeted read are kept for the agent');
    const found = await fx.session.search(twin.root, { scope: 'sub', filter: `(sAMAccountName=${u(twin, 'long1')})`, attributes: ['cn'] });
    assert.equal(found.length, 0);
    await sb.admin('DELETE', `/users/${u(twin, 'long1')}`);
  });
});
