// JumpCloud misbehaving during syncs: the sandbox answers 429 (Retry-After 0 or 1 s) or 500 on
// about 20% of the public API calls and drops about 5% of the connections. Each round changes the
// org, then syncs through the built engine. A run either converges (the client retried through the
// faults) or stops with a JumpCloud error and exit 3 having written nothing: a page lost to a fault
// must never look like users that left scope. With the faults cleared, the last run converges and
// a sync-plan plans nothing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileJournal } from '../../../engine/src/sync/journal';
import { DOMAIN, execInProcess, faultSandbox, scenarioOU, serviceDc, spawnEngine, workDir, type ScenarioOU } from '../helpers/faultworld';
import { OrgModel, pick, readAdObjects, seededRandom, type ModelGroup } from '../helpers/orgmodel';
import type { TestSandbox } from '../integration/sandbox-harness';

const ROUNDS = 6;
const SEED = Number(process.env.JCADI_FAULTS_SEED ?? Math.floor(Math.random() * 1e9));
const FAULTS = [
  // The first calls meet each fault for sure; then about 20% of calls fail at random.
  { kind: 'drop', count: 1 },
  { kind: 'status', status: 500, count: 1 },
  { kind: 'status', status: 429, count: 1, retryAfter: '0' },
  { kind: 'status', status: 429, rate: 0.1, retryAfter: '0' },
  { kind: 'status', status: 429, rate: 0.03, retryAfter: '1' },
  { kind: 'status', status: 500, rate: 0.08 },
  { kind: 'drop', rate: 0.05 },
];

describe(`JumpCloud answering 429/500 to ~20% of calls and dropping connections (seed ${SEED})`, { timeout: 600_000 }, () => {
  const random = seededRandom(SEED);
  let sandbox: TestSandbox;
  let ou: ScenarioOU;
  let model: OrgModel;
  const groups: ModelGroup[] = [];
  let params: Record<string, unknown>;
  const journals = workDir('journals', 'sandbox-faults');

  before(async () => {
    sandbox = await faultSandbox('sandbox-faults', { faultRandom: seededRandom(SEED + 1) });
    ou = await scenarioOU('sandbox-faults');
    model = new OrgModel((method, path, body) => sandbox.admin(method, path, body));
    await sandbox.admin('POST', '/domains', { domain: DOMAIN });
    for (const name of ['f-staff', 'f-ops', 'f-dev']) groups.push(await model.createGroup(name));
    // Enough users for several pages of 100 per listing.
    for (let i = 1; i <= 150; i++) await model.createUser(`sf${i}`, [groups[0] as ModelGroup, groups[1 + (i % 2)] as ModelGroup]);
    params = {
      jumpcloud: { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile },
      dc: serviceDc(),
      domain: DOMAIN,
      rootUserDN: ou.rootUserDN,
      force: true,
    };
    const first = await execInProcess('sync', { ...params, journalFile: join(journals, 'initial.jsonl') }, 'sandbox-faults-initial');
    assert.equal(first.code, 0, first.raw.slice(0, 800));
    assert.deepEqual(model.differences(await readAdObjects(ou.admin, ou.rootDN), ou.rootDN), []);
    model.markSynced();
  });

  after(async () => {
    await sandbox?.close();
    await ou?.close();
  });

  it('every run under faults converges, or stops with a JumpCloud error having written nothing', async (t) => {
    await sandbox.admin('PUT', '/faults', { rules: FAULTS });
    const outcomes: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const active = model.scopedUsers().filter((u) => !u.suspended);
      await model.createUser(`sfn${round}`, [groups[0] as ModelGroup]);
      await model.setLastName(pick(random, active), `Faulted${round}`);
      await model.setSuspended(pick(random, active), true);
      await model.rename(pick(random, active), `sfr${round}`);
      const before = await readAdObjects(ou.admin, ou.rootDN);
      const journal = join(journals, `round-${round}.jsonl`);
      const run = await spawnEngine('sync', { ...params, journalFile: journal }, `sandbox-faults-round-${round}`).result();
      assert.equal(run.stderr, '', 'no crash text');
      assert.equal(run.lines.at(-1)?.type, 'result');
      if (run.code === 0) {
        assert.deepEqual(model.differences(await readAdObjects(ou.admin, ou.rootDN), ou.rootDN), [], `round ${round}: converged through the faults`);
        model.markSynced();
        outcomes.push('converged');
      } else {
        assert.equal(run.code, 3, `round ${round}: ${run.raw.slice(0, 800)}`);
        const fatal = run.errors.find((e) => e.fatal);
        assert.match(String(fatal?.id), /^JumpCloud\.(RateLimited|ServiceError|Unreachable|Timeout)$/, `round ${round}: ${String(fatal?.message)}`);
        assert.deepEqual(FileJournal.read(journal), [], `round ${round}: nothing applied`);
        assert.deepEqual(await readAdObjects(ou.admin, ou.rootDN), before, `round ${round}: AD unchanged`);
        outcomes.push(String(fatal?.id));
      }
    }
    const rules = (await sandbox.admin('GET', '/faults')) as unknown as Array<{ kind: string; status?: number; hits: number }>;
    t.diagnostic(`rounds: ${outcomes.join(', ')}; faults hit: ${rules.map((r) => `${r.kind}${r.status ?? ''} ${r.hits}`).join(', ')}`);
    // The one-shot rules are gone once they fired; the random ones remain with their counts.
    assert.equal(rules.length, 4, 'each one-shot fault fired');
    assert.ok(rules.reduce((sum, r) => sum + r.hits, 0) >= 5, 'the random faults fired');
    assert.ok(outcomes.includes('converged'), 'the client retried through the faults at least once');
  });

  it('with the faults cleared, a sync converges and a sync-plan plans nothing', async () => {
    await sandbox.admin('DELETE', '/faults');
    const last = await execInProcess('sync', { ...params, journalFile: join(journals, 'final.jsonl') }, 'sandbox-faults-final');
    assert.equal(last.code, 0, last.raw.slice(0, 800));
    const plan = await execInProcess('sync-plan', params, 'sandbox-faults-plan');
    assert.deepEqual(plan.records, []);
    assert.deepEqual(model.differences(await readAdObjects(ou.admin, ou.rootDN), ou.rootDN), []);
  });
});
