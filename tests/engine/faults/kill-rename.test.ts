// SIGKILL of the engine in the middle of rename cycles. Each round swaps the usernames of two
// synced users, rotates those of three others and swaps the names of two bound groups in
// JumpCloud (through a spare name, as JumpCloud itself needs), starts the built engine's sync and kills it once a random number of the round's
// operations are journaled (each round the next point in turn, plus a few random milliseconds, so some kills land between the two
// writes of one step), then reruns the sync. After every rerun AD must equal the model, a
// sync-plan must plan nothing, and every account and group must still be the same AD object
// (objectGUID, and a group's objectSid, by JumpCloud id unchanged since the first sync). Seeded: JCADI_FAULTS_SEED replays a run.
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
import { OrgModel, readAdObjects, seededRandom, type ModelGroup, type ModelUser } from '../helpers/orgmodel';

const KILLS = Number(process.env.JCADI_FAULTS_RENAME_KILLS ?? 10);
const SEED = Number(process.env.JCADI_FAULTS_SEED ?? Math.floor(Math.random() * 1e9));
const USERS = 10;

describe(`SIGKILL during rename swaps and rotations, ${KILLS} times (seed ${SEED})`, { timeout: 900_000 }, () => {
  const random = seededRandom(SEED);
  let sandbox: SandboxProcess;
  let ou: ScenarioOU;
  let model: OrgModel;
  let spare = 0;
  let swapped: [ModelGroup, ModelGroup];
  const guids = new Map<string, string>();
  const journals = workDir('journals', 'kill-rename');

  const params = (extra: Record<string, unknown> = {}) => ({
    jumpcloud: sandbox.jumpcloud,
    dc: serviceDc(),
    domain: DOMAIN,
    rootUserDN: ou.rootUserDN,
    force: true,
    journalFile: join(journals, 'rerun.jsonl'),
    ...extra,
  });

  async function guidsByAnchor(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for await (const page of ou.admin.searchPaged(
      ou.rootDN,
      { scope: 'sub', filter: '(|(objectClass=user)(objectClass=group))', attributes: ['objectGUID', 'objectSid', 'adminDescription'] },
      1000,
    )) {
      for (const entry of page) {
        const anchor = String(entry.adminDescription ?? '').split(';')[0] as string;
        // The safety ledger is the sync's bookkeeping, not a synced object.
        if (!anchor.startsWith('JumpCloud:')) continue;
        out.set(anchor, `${Buffer.from(entry.objectGUID as Buffer).toString('hex')}/${Buffer.from(entry.objectSid as Buffer).toString('hex')}`);
      }
    }
    return out;
  }

  async function assertConverged(context: string): Promise<void> {
    const plan = await execInProcess('sync-plan', params(), 'kill-rename-plan');
    assert.equal(plan.code, 0, `${context}: sync-plan ${plan.raw.slice(0, 500)}`);
    assert.deepEqual(
      plan.records.map((r) => `${r.Operation} ${r.Target}`),
      [],
      `${context}: a converged AD plans nothing`,
    );
    const actual = await readAdObjects(ou.admin, ou.rootDN);
    assert.deepEqual(model.differences(actual, ou.rootDN), [], `${context}: AD equals the model`);
    const now = await guidsByAnchor();
    assert.deepEqual(Object.fromEntries(now), Object.fromEntries(guids), `${context}: every account and group is still the same AD object`);
    model.markSynced();
  }

  /** Shuffled users, so each round picks different ones. */
  const shuffled = (): ModelUser[] => {
    const list = [...model.users.values()];
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j] as ModelUser, list[i] as ModelUser];
    }
    return list;
  };

  /** Renames users so each takes the next one's name (a swap for two, a rotation for three). */
  async function cycle(users: ModelUser[]): Promise<void> {
    const names = users.map((u) => u.username);
    // JumpCloud refuses a username in use: the first moves to a spare name, the rest follow.
    await model.rename(users[0] as ModelUser, `kspare${++spare}`);
    for (let i = users.length - 1; i >= 1; i--) await model.rename(users[i] as ModelUser, names[(i + 1) % users.length] as string);
    await model.rename(users[0] as ModelUser, names[1] as string);
  }

  /** Two bound groups swap names (the first through a spare name: JumpCloud refuses a name in use). */
  async function swapGroups([a, b]: [ModelGroup, ModelGroup]): Promise<void> {
    const [nameA, nameB] = [a.name, b.name];
    await model.renameGroup(a, `kr-gspare${++spare}`);
    await model.renameGroup(b, nameA);
    await model.renameGroup(a, nameB);
  }

  before(async () => {
    sandbox = await startSandboxProcess('kill-rename');
    ou = await scenarioOU('kill-rename');
    model = new OrgModel((method, path, body) => sandbox.admin(method, path, body));
    await sandbox.admin('POST', '/domains', { domain: DOMAIN });
    const staff = await model.createGroup('kr-staff');
    swapped = [await model.createGroup('kr-ga'), await model.createGroup('kr-gb')];
    for (let i = 0; i < USERS; i++) await model.createUser(`kr${i}`, [staff, ...(i < 3 ? [swapped[i % 2] as ModelGroup] : [])]);
    const first = await execInProcess('sync', params(), 'kill-rename-initial');
    assert.equal(first.code, 0, first.raw.slice(0, 1000));
    for (const [anchor, guid] of await guidsByAnchor()) guids.set(anchor, guid);
    assert.equal(guids.size, USERS + 3, 'the users, kr-staff and the two groups that swap names');
    await assertConverged('after the initial sync');
  });

  after(async () => {
    await sandbox?.close();
    await ou?.close();
  });

  it(`converges after each of ${KILLS} kills, every objectGUID kept`, async (t) => {
    const killedDuring = new Map<string, number>();
    let kills = 0;
    let rounds = 0;
    while (kills < KILLS) {
      rounds++;
      assert.ok(rounds <= KILLS * 3, `only ${kills} of ${rounds - 1} rounds were killed mid-apply`);
      const [a, b, c, d, e] = shuffled() as [ModelUser, ModelUser, ModelUser, ModelUser, ModelUser];
      await cycle([a, b]);
      await cycle([c, d, e]);
      await swapGroups(swapped);
      // Users: 5 vacates, 5 renames, 5 logon-name updates; groups: 2 vacates, 2 renames (the sAMAccountName goes with each).
      const expectedOps = 19;
      const journal = join(journals, `round-${rounds}.jsonl`);
      // Every point in turn: before the first write, after each vacate, rename and update.
      const killAfter = (rounds - 1) % expectedOps;
      const engine = spawnEngine('sync', params({ journalFile: journal }), `kill-rename-round-${rounds}`);
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
      } else {
        assert.equal(killed.code, 0, `round ${rounds} finished before the kill, and cleanly: ${killed.raw.slice(0, 500)}`);
      }
      const rerun = await execInProcess('sync', params(), 'kill-rename-rerun');
      assert.equal(rerun.code, 0, `round ${rounds} rerun: ${rerun.raw.slice(0, 1000)}`);
      await assertConverged(`round ${rounds} (killed after ${entries.length} operations, seed ${SEED})`);
    }
    t.diagnostic(`${kills} kills in ${rounds} rounds; last journaled operation at the kill: ${[...killedDuring].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    assert.ok(killedDuring.has('vacateUserName') || killedDuring.has('before the first write'), 'some kills landed while names were being vacated');
    if (KILLS >= 10) assert.ok(killedDuring.has('vacateGroupName') || killedDuring.has('renameGroup'), 'some kills landed during the group swap');
  });
});
