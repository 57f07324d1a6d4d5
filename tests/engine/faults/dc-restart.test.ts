// The DC stopped in the middle of a sync and started again, on the suite's PRIVATE DC (never the
// shared one): the built engine, applying a plan of 80 new users, loses its DC after its first
// writes. It must end on its own with per-object AD errors and a documented exit code (no crash, no
// hang), a sync while the DC is down must stop at once with AD.Unreachable, and once the DC is back
// a rerun must converge: AD equals JumpCloud and a sync-plan plans nothing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdSession } from '../../../engine/src/ad/session';
import { FileJournal } from '../../../engine/src/sync/journal';
import {
  adminDc,
  DOMAIN,
  execInProcess,
  faultSandbox,
  privateDcScript,
  scenarioOU,
  serviceDc,
  sleep,
  spawnEngine,
  workDir,
  type ScenarioOU,
} from '../helpers/faultworld';
import { OrgModel, readAdObjects } from '../helpers/orgmodel';
import type { TestSandbox } from '../integration/sandbox-harness';

const USERS = 80;

describe('the DC stopped in the middle of a sync, then started again', { timeout: 600_000 }, () => {
  let sandbox: TestSandbox;
  let ou: ScenarioOU;
  let model: OrgModel;
  const journals = workDir('journals', 'dc-restart');
  let params: Record<string, unknown>;

  before(async () => {
    sandbox = await faultSandbox('dc-restart');
    ou = await scenarioOU('dc-restart');
    model = new OrgModel((method, path, body) => sandbox.admin(method, path, body));
    await sandbox.call('POST', '/sandbox/admin/domains', { domain: DOMAIN });
    const staff = await model.createGroup('d-staff');
    for (let i = 1; i <= USERS; i++) await model.createUser(`dcr${i}`, [staff]);
    params = {
      jumpcloud: { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile },
      dc: serviceDc(),
      domain: DOMAIN,
      rootUserDN: ou.rootUserDN,
      journalFile: join(journals, 'reruns.jsonl'),
    };
  });

  after(async () => {
    // Whatever happened, the private DC runs again for the next scenario.
    await privateDcScript('testdc-start.sh');
    await sandbox?.close();
    await ou?.close();
  });

  it('a sync that loses its DC mid-apply ends by itself with AD errors and exit 1 or 3', async () => {
    const journal = join(journals, 'interrupted.jsonl');
    const engine = spawnEngine('sync', { ...params, journalFile: journal }, 'dc-restart-interrupted');
    let exited = false;
    void engine.exited.then(() => (exited = true));
    while (!exited && FileJournal.read(journal).filter((e) => e.outcome === 'applied').length < 10) await sleep(20);
    assert.equal(exited, false, 'the DC was stopped while the engine was still applying');
    assert.equal(await privateDcScript('testdc-stop.sh'), 0, 'the private DC stopped');
    const stoppedAt = Date.now();
    const run = await Promise.race([engine.result(), sleep(180_000).then(() => null)]);
    assert.ok(run, 'the engine ended on its own within 3 minutes of losing its DC');
    assert.equal(run.signal, null);
    assert.ok([1, 3].includes(run.code), `exit ${run.code} (1: some objects failed, 3: unreachable), not a crash`);
    assert.equal(run.stderr, '', 'no crash text');
    assert.equal(run.lines.at(-1)?.type, 'result', 'the run ended with its result line');
    assert.ok(run.errors.length > 0, 'the lost writes are reported');
    for (const e of run.errors) assert.match(String(e.id), /^AD\./, `an AD error, not ${String(e.id)}: ${String(e.message)}`);
    const entries = FileJournal.read(journal);
    assert.ok(entries.some((e) => e.outcome === 'applied') && entries.some((e) => e.outcome === 'failed'), 'some writes were done, the rest failed');
    assert.ok(Date.now() - stoppedAt < 180_000);
  });

  it('while the DC is down, a sync stops at once with AD.Unreachable (exit 3) and writes nothing', async () => {
    const before = FileJournal.read(join(journals, 'reruns.jsonl')).length;
    const down = await execInProcess('sync', params, 'dc-restart-down');
    assert.equal(down.code, 3, down.raw.slice(0, 500));
    assert.equal(down.errors[0]?.id, 'AD.Unreachable');
    assert.equal(FileJournal.read(join(journals, 'reruns.jsonl')).length, before, 'nothing journaled');
  });

  it('after the DC is back, a rerun converges: AD equals JumpCloud and a sync-plan plans nothing', async () => {
    assert.equal(await privateDcScript('testdc-start.sh'), 0, 'the private DC started again');
    const rerun = await execInProcess('sync', params, 'dc-restart-rerun');
    assert.equal(rerun.code, 0, rerun.raw.slice(0, 1000));
    const plan = await execInProcess('sync-plan', params, 'dc-restart-plan');
    assert.equal(plan.code, 0);
    assert.deepEqual(plan.records, [], 'converged');
    const session = await AdSession.open(adminDc());
    try {
      assert.deepEqual(model.differences(await readAdObjects(session, ou.rootDN), ou.rootDN), []);
    } finally {
      await session.close();
    }
  });
});
