// SIGKILL of the engine at 30 random points during an apply. Each round changes the org in the
// sandbox (new users, renames, name changes, suspensions, team moves, users leaving scope, new and
// unbound groups), starts the built engine (`jcadi-engine exec`, a sync request on stdin), kills it
// once a random number of the round's operations are journaled (plus a random few milliseconds, so
// some kills land inside an LDAP write), then reruns the sync. After every rerun AD must equal the
// model exactly (every object once, nothing missing, nothing extra, attributes and memberships as in
// JumpCloud) and a sync-plan must plan nothing. Seeded: JCADI_FAULTS_SEED replays a run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileJournal } from '../../../engine/src/sync/journal';
import {
  DOMAIN,
  execInProcess,
  scenarioOU,
  serviceDc,
  sleep,
  spawnEngine,
  startSandboxProcess,
  workDir,
  type SandboxProcess,
  type ScenarioOU,
} from '../helpers/faultworld';
import { OrgModel, pick, readAdObjects, seededRandom, type ModelGroup, type ModelUser } from '../helpers/orgmodel';

const KILLS = Number(process.env.JCADI_FAULTS_KILLS ?? 30);
const SEED = Number(process.env.JCADI_FAULTS_SEED ?? Math.floor(Math.random() * 1e9));
const INITIAL_USERS = 30;

describe(`SIGKILL during an apply, ${KILLS} times (seed ${SEED})`, { timeout: 1_200_000 }, () => {
  const random = seededRandom(SEED);
  let sandbox: SandboxProcess;
  let ou: ScenarioOU;
  let model: OrgModel;
  let staff: ModelGroup;
  const teams: ModelGroup[] = [];
  let made = 0;
  const journals = workDir('journals', 'kill-apply');

  const params = (extra: Record<string, unknown> = {}) => ({
    jumpcloud: sandbox.jumpcloud,
    dc: serviceDc(),
    domain: DOMAIN,
    rootUserDN: ou.rootUserDN,
    force: true,
    journalFile: join(journals, 'rerun.jsonl'),
    ...extra,
  });

  async function assertConverged(context: string): Promise<void> {
    const plan = await execInProcess('sync-plan', params(), 'kill-apply-plan');
    assert.equal(plan.code, 0, `${context}: sync-plan ${plan.raw.slice(0, 500)}`);
    assert.deepEqual(
      plan.records.map((r) => `${r.Operation} ${r.Target}`),
      [],
      `${context}: a converged AD plans nothing`,
    );
    const actual = await readAdObjects(ou.admin, ou.rootDN);
    assert.deepEqual(model.differences(actual, ou.rootDN), [], `${context}: AD equals the model`);
    const anchors = actual.map((o) => o.attributes.adminDescription?.split(';')[0]);
    assert.equal(new Set(anchors).size, actual.length, `${context}: every anchor once`);
    model.markSynced();
  }

  const activeUsers = () => model.scopedUsers().filter((u) => !u.suspended && u.synced);
  const name = (kind: string) => `k${kind}${++made}`;

  /** One round of changes in JumpCloud; returns how many operations the sync should need at least. */
  async function changeOrg(round: number): Promise<number> {
    let ops = 0;
    for (let j = 0; j < 2; j++) {
      const team = pick(
        random,
        teams.filter((t) => t.bound),
      );
      await model.createUser(name('n'), [staff, team]);
      ops += 3; // create, two memberships
    }
    const renamed = pick(random, activeUsers());
    await model.rename(renamed, name('r'));
    ops += 2; // rename, then sAMAccountName/UPN/mail
    for (const user of [pick(random, activeUsers()), pick(random, activeUsers())]) {
      await model.setLastName(user, `Round${round}-${Math.floor(random() * 1000)}`);
      ops += 1;
    }
    await model.setSuspended(pick(random, activeUsers()), true);
    ops += 1;
    const suspended = model.scopedUsers().filter((u) => u.suspended && u.synced);
    if (suspended.length > 1) {
      await model.setSuspended(pick(random, suspended), false);
      ops += 1;
    }
    const mover = pick(random, activeUsers());
    const from = teams.find((t) => t.bound && t.members.has(mover.id));
    const to = pick(
      random,
      teams.filter((t) => t.bound && t !== from),
    );
    if (from) await model.removeMember(from, mover);
    await model.addMember(to, mover);
    ops += from ? 2 : 1;
    if (round % 3 === 0) {
      const leaver = pick(random, activeUsers());
      for (const g of [...model.groups.values()].filter((g) => g.members.has(leaver.id))) await model.removeMember(g, leaver);
      ops += 2; // disable, and at least one membership removed
    }
    if (round % 6 === 0) {
      const team = await model.createGroup(name('t'));
      teams.push(team);
      for (let j = 0; j < 3; j++) await model.addMember(team, pick(random, activeUsers()));
      ops += 2;
    }
    if (round % 9 === 0) {
      const spare = teams.filter((t) => t.bound);
      if (spare.length > 3) {
        await model.unbind(pick(random, spare));
        ops += 1;
      }
    }
    return ops;
  }

  before(async () => {
    sandbox = await startSandboxProcess('kill-apply');
    ou = await scenarioOU('kill-apply');
    model = new OrgModel((method, path, body) => sandbox.admin(method, path, body));
    await sandbox.admin('POST', '/domains', { domain: DOMAIN });
    staff = await model.createGroup('k-staff');
    for (const t of ['k-team-a', 'k-team-b', 'k-team-c']) teams.push(await model.createGroup(t));
    for (let i = 0; i < INITIAL_USERS; i++) await model.createUser(name('u'), [staff, teams[i % teams.length] as ModelGroup]);
    const first = await execInProcess('sync', params(), 'kill-apply-initial');
    assert.equal(first.code, 0, first.raw.slice(0, 1000));
    await assertConverged('after the initial sync');
  });

  after(async () => {
    await sandbox?.close();
    await ou?.close();
  });

  it(`converges after each of ${KILLS} kills, with no duplicate and nothing lost`, async (t) => {
    const killedDuring = new Map<string, number>();
    let kills = 0;
    let rounds = 0;
    while (kills < KILLS) {
      rounds++;
      assert.ok(rounds <= KILLS * 2, `only ${kills} of ${rounds - 1} rounds were killed mid-apply`);
      const expectedOps = await changeOrg(rounds);
      const journal = join(journals, `round-${rounds}.jsonl`);
      const killAfter = 1 + Math.floor(random() * Math.max(1, expectedOps - 1));
      const engine = spawnEngine('sync', params({ journalFile: journal }), `kill-apply-round-${rounds}`);
      let done = false;
      void engine.exited.then(() => (done = true));
      while (!done && FileJournal.read(journal).length < killAfter) await sleep(3);
      if (!done) {
        await sleep(Math.floor(random() * 12));
        engine.kill('SIGKILL');
      }
      const killed = await engine.result();
      const entries = FileJournal.read(journal);
      if (killed.signal === 'SIGKILL') {
        kills++;
        const last = entries.at(-1)?.kind ?? 'before the first write';
        killedDuring.set(last, (killedDuring.get(last) ?? 0) + 1);
        assert.equal(killed.stderr, '', 'a killed engine wrote no crash text before dying');
      } else {
        assert.equal(killed.code, 0, `round ${rounds} finished before the kill, and cleanly: ${killed.raw.slice(0, 500)}`);
      }
      const rerun = await execInProcess('sync', params(), 'kill-apply-rerun');
      assert.equal(rerun.code, 0, `round ${rounds} rerun: ${rerun.raw.slice(0, 1000)}`);
      await assertConverged(`round ${rounds} (killed after ${entries.length} operations, seed ${SEED})`);
    }
    t.diagnostic(`${kills} kills in ${rounds} rounds; last journaled operation at the kill: ${[...killedDuring].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    assert.ok(killedDuring.size >= 3, `kills landed in several phases of the apply: ${[...killedDuring.keys()].join(', ')}`);
    const users = (await readAdObjects(ou.admin, ou.rootDN)).filter((o) => o.objectClass.includes('user'));
    assert.equal(users.length, [...model.users.values()].filter((u: ModelUser) => u.synced).length, 'one AD account per JumpCloud user that was ever in scope');
  });
});
