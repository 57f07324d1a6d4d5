// The rolling safety limit against the JumpCloud sandbox and the Samba DC, through the engine
// commands Invoke-JCSync and Approve-JCSyncSafetyLimit call: five unbinds of 24 % of the users each
// (under the per-run threshold of 25 %) stop at the limit, stay stopped across new processes
// (the count lives in AD, not in the process or the journal), and resume only after an approval
// (journaled) or for one -Force run.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdLedgerStore, ledgerAccountName } from '../../../engine/src/ad/ledger';
import { AdWriter } from '../../../engine/src/ad/writer';
import { execRequest } from '../../../engine/src/cli/exec';
import { FileJournal } from '../../../engine/src/sync/journal';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const USERS = 25;
const BATCH = 6; // 24 % of 25

describe('rolling safety limit: sandbox → Samba AD', () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let params: Record<string, unknown>;
  const work = mkdtempSync(join(tmpdir(), 'jcadi-safety-'));
  const userIds: string[] = [];
  let run = 0;

  async function engine(command: string, extra: Record<string, unknown> = {}) {
    const out: string[] = [];
    // Each call its own journal: nothing but AD connects one run to the next.
    const code = await execRequest(
      JSON.stringify({ protocol: 1, command, params: { ...params, journalFile: join(work, `journal-${++run}.jsonl`), ...extra } }),
      {
        writeLine: (l) => out.push(l),
        env: { JCADI_LOG_FILE: join(work, 'engine.log') },
      },
    );
    const lines = out
      .join('')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return {
      code,
      records: lines.filter((l) => l.type === 'record').map((l) => l.data as Record<string, unknown>),
      errors: lines.filter((l) => l.type === 'error'),
      journal: FileJournal.read(join(work, `journal-${run}.jsonl`)),
      raw: out.join(''),
    };
  }
  const disabledCount = async () => {
    const users = await fx.session.search(fx.rootDN, {
      scope: 'sub',
      filter: '(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))',
      attributes: ['cn'],
    });
    return users.length;
  };
  const unbind = async (ids: string[]) => {
    for (const target of ids) await sb.admin('POST', '/domains/DC=example;DC=com/bindings', { op: 'remove', type: 'user', target });
  };
  const heldOf = (result: Awaited<ReturnType<typeof engine>>) =>
    (result.records.find((r) => r.Applied !== undefined)?.Held ?? []) as Array<Record<string, unknown>>;

  before(async () => {
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture('jcadi-safety');
    await sb.admin('POST', '/domains', { domain: 'DC=example;DC=com' });
    for (let i = 1; i <= USERS; i++) {
      const created = await sb.admin('POST', '/users', {
        username: `sl.user${i}`,
        email: `sl.user${i}@example.com`,
        firstname: 'Safe',
        lastname: `User${i}`,
        bindToDomain: 'DC=example;DC=com',
      });
      userIds.push(String(created._id));
    }
    params = {
      jumpcloud: { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile },
      dc: adminDc(),
      domain: 'DC=example;DC=com',
      rootUserDN: fx.rootDN.replace(/,/g, ';'),
    };
    const first = await engine('sync');
    assert.equal(first.code, 0, first.raw.slice(0, 2000));
  });
  after(async () => {
    await fx?.close();
    await sb?.close();
  });

  it('five 24 % unbinds stop at the limit and resume only after approval (or one -Force run)', async () => {
    const batches = [0, 1, 2, 3, 4].map((b) => userIds.slice(b * BATCH, Math.min(USERS, (b + 1) * BATCH)));

    // 1: within the limit (6 of a 24 h allowance of 25 % of 25 = 6).
    await unbind(batches[0] as string[]);
    const one = await engine('sync');
    assert.equal(one.code, 0, one.raw.slice(0, 2000));
    assert.equal(await disabledCount(), 6);

    // 2: each run alone is under the per-run 25 %, but the window would reach 12 > 6: held.
    await unbind(batches[1] as string[]);
    const two = await engine('sync');
    assert.equal(two.code, 1, 'a held kind is a partial result');
    assert.deepEqual(heldOf(two), [{ Kind: 'disable', Held: 6, InWindow: 6, Limit: 6 }]);
    assert.equal(two.errors[0]?.id, 'Sync.SafetyLimit', JSON.stringify(two.errors));
    assert.match(String(two.errors[0]?.message), /Approve-JCSyncSafetyLimit -SafetyKind disable/);
    assert.ok(
      two.journal.some((e) => e.kind === 'safetyLimit' && e.outcome === 'reported' && e.target === 'disable'),
      'the hold is in the history',
    );
    assert.ok(!two.journal.some((e) => e.kind === 'disableUser'));
    assert.equal(await disabledCount(), 6, 'nothing disabled while held');
    // A new process (a restart, another server) still holds: the count is in AD.
    const twoAgain = await engine('sync');
    assert.equal(twoAgain.code, 1);
    assert.equal(await disabledCount(), 6);
    // The approval adds just enough for what is held, and is journaled.
    const approval = await engine('safety-approve', { kind: 'disable', dc: adminDc(), rootUserDN: params.rootUserDN, domain: undefined, jumpcloud: undefined });
    assert.equal(approval.code, 0, approval.raw.slice(0, 2000));
    assert.equal(approval.records[0]?.Approved, 6);
    assert.ok(approval.journal.some((e) => e.kind === 'approveSafetyLimit' && e.outcome === 'applied' && /approved 6 more disables/.test(e.detail)));
    const twoApproved = await engine('sync');
    assert.equal(twoApproved.code, 0, twoApproved.raw.slice(0, 2000));
    assert.equal(await disabledCount(), 12);

    // 3: held again; -Force admits it for that one run only (and it is counted).
    await unbind(batches[2] as string[]);
    assert.equal((await engine('sync')).code, 1);
    assert.equal(await disabledCount(), 12);
    const forced = await engine('sync', { force: true });
    assert.equal(forced.code, 0, forced.raw.slice(0, 2000));
    assert.equal(await disabledCount(), 18);

    // 4: the next run without -Force is held again (the forced 6 count in the window).
    await unbind(batches[3] as string[]);
    const four = await engine('sync');
    assert.deepEqual(heldOf(four), [{ Kind: 'disable', Held: 6, InWindow: 18, Limit: 12 }]);
    assert.equal(await disabledCount(), 18);
    assert.equal(
      (await engine('safety-approve', { kind: 'disable', dc: adminDc(), rootUserDN: params.rootUserDN, domain: undefined, jumpcloud: undefined })).code,
      0,
    );
    assert.equal((await engine('sync')).code, 0);
    assert.equal(await disabledCount(), 24);

    // 5: the last user: still held until approved.
    await unbind(batches[4] as string[]);
    assert.deepEqual(heldOf(await engine('sync')), [{ Kind: 'disable', Held: 1, InWindow: 24, Limit: 24 }]);
    assert.equal(await disabledCount(), 24);
    // Approving when nothing of that kind is held is refused (clear error, nothing written).
    const none = await engine('safety-approve', { kind: 'rename', dc: adminDc(), rootUserDN: params.rootUserDN, domain: undefined, jumpcloud: undefined });
    assert.notEqual(none.code, 0);
    assert.match(none.raw, /Sync.NothingHeld/);
    assert.equal(
      (await engine('safety-approve', { kind: 'disable', dc: adminDc(), rootUserDN: params.rootUserDN, domain: undefined, jumpcloud: undefined })).code,
      0,
    );
    assert.equal((await engine('sync')).code, 0);
    assert.equal(await disabledCount(), 25);
    const [ledger] = await fx.session.search(`CN=jcsync-safety-ledger,${fx.rootDN}`, {
      scope: 'base',
      filter: '(objectClass=group)',
      attributes: ['sAMAccountName'],
    });
    assert.equal(String(ledger?.sAMAccountName), ledgerAccountName(fx.rootDN), 'the ledger carries the name derived from its root');
  });

  it('two sync roots in one domain each hold a ledger; a ledger created with another name keeps it and keeps working', async () => {
    const writer = new AdWriter(fx.session, 'adminDescription');
    const roots = ['OU=ledger-a', 'OU=ledger-b', 'OU=ledger-old'].map((ou) => `${ou},${fx.rootDN}`);
    for (const root of roots) await fx.session.ldapClient.add(root, { objectClass: ['top', 'organizationalUnit'] });
    const [a, b, old] = roots as [string, string, string];
    for (const root of [a, b]) {
      const store = new AdLedgerStore(fx.session, writer, root);
      assert.equal(await store.replace(null, `ledger of ${root}`), true, `the ledger of ${root} is created`);
      assert.equal(await store.read(), `ledger of ${root}`);
    }
    assert.notEqual(ledgerAccountName(a), ledgerAccountName(b));
    // An earlier version's ledger (another sAMAccountName) at the DN: found by its DN, written in place, its name kept.
    const legacyName = `jcsl-old-${Math.random().toString(36).slice(2, 8)}`;
    await writer.createLedger(`CN=jcsync-safety-ledger,${old}`, 'jcsync-safety-ledger', legacyName, 'old value');
    const store = new AdLedgerStore(fx.session, writer, old);
    assert.equal(await store.read(), 'old value');
    assert.equal(await store.replace('old value', 'new value'), true);
    assert.equal(await store.read(), 'new value');
    const [entry] = await fx.session.search(store.dn, { scope: 'base', filter: '(objectClass=group)', attributes: ['sAMAccountName'] });
    assert.equal(String(entry?.sAMAccountName), legacyName);
    for (const root of roots) {
      await fx.session.ldapClient.del(`CN=jcsync-safety-ledger,${root}`);
      await fx.session.ldapClient.del(root);
    }
  });
});
