// The go-live rehearsal (engine command `rehearsal`) against the test DC, the way an admin runs it
// with the sync service account: the sandbox runs as a child process of the real engine with the
// rehearsal org (its large group cut to LARGE_GROUP members: the admin's run uses 1,501, past
// Windows' 1,500-value range, and seeding that many takes minutes on the test DC; range retrieval
// itself is proven through the slicing relay's tests), the delegation is granted on the scratch OU and
// verified, the sync and the agent bind as the service account, the scratch OU holds every write
// (the directory's change log proves nothing changed outside it), every row that does not need
// Windows passes, the Windows rows say Skipped with the reason, and afterwards nothing is left:
// no OU, no process, no folder.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { AdSession } from '../../../engine/src/ad/session';
import { RehearsalWriter } from '../../../engine/src/ad/writer';
import { assertEngineBuilt, ENGINE, exec, type ExecResult } from '../helpers/agent';
import { changedSince, generalizedTime, highestUsn, outsideChanges } from '../helpers/changelog';
import { adminDc } from '../helpers/testdc';

/** Members of the rehearsal's large group here (the cmdlet's default is 1,501). */
const LARGE_GROUP = 150;

describe('rehearsal on the test DC', { timeout: 900_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'jcadi-rehearsal-test-'));
  const manifestFile = join(work, 'manifest.json');
  let admin: AdSession;
  let result: ExecResult;
  let usnBefore: number;
  // The service account lives in an OU of this test, made before the change log is read.
  const svcOU = `OU=rehearsal-svc-${randomBytes(4).toString('hex')},DC=example,DC=com`;
  const svcName = `jcrh${randomBytes(3).toString('hex')}`;
  const svcPassword = `Svc-${randomBytes(12).toString('base64url')}-9!`;
  const started = new Date(Date.now() - 2000);
  const rows = () => result.records;

  before(async () => {
    assertEngineBuilt();
    admin = await AdSession.open(adminDc());
    await new RehearsalWriter(admin).createOrganizationalUnit(svcOU, 'rehearsal test: the service account');
    const svc = await exec(
      'service-account-create',
      { dc: adminDc(), container: svcOU, samAccountName: svcName, password: svcPassword },
      join(work, 'exec.log'),
    );
    assert.equal(svc.code, 0, svc.raw);
    // Its first logon sets lastLogonTimestamp (the DC's own bookkeeping, then left alone for
    // days): done here, before the change log is read, so that the log shows only the rehearsal.
    await (await AdSession.open(adminDc({ bindDN: `${svcName}@example.com`, bindPassword: svcPassword }))).close();
    usnBefore = await highestUsn(admin);
    const serviceAccount = { name: svcName, bindDN: `${svcName}@example.com`, password: svcPassword };
    result = await exec(
      'rehearsal',
      { dc: adminDc(), serviceAccount, engineFile: ENGINE, largeGroupSize: LARGE_GROUP, manifestFile, platform: 'linux' },
      join(work, 'exec.log'),
    );
  });

  after(async () => {
    if (admin) await new RehearsalWriter(admin).deleteTree(svcOU);
    await admin?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('every row that does not need Windows passes, with evidence', () => {
    const failed = rows().filter((r) => r.Status === 'Fail');
    assert.deepEqual(failed, [], 'no failed check');
    const nonWindows = rows().filter((r) => r.Area !== 'Windows host');
    assert.ok(nonWindows.length >= 25, `the full flow ran (${nonWindows.length} rows)`);
    for (const r of nonWindows) {
      assert.equal(r.Status, 'Pass', `${String(r.Area)} / ${String(r.Check)}: ${String(r.Reason)}`);
      assert.notEqual(String(r.Evidence), '', `${String(r.Check)} has evidence`);
    }
    assert.equal(result.code, 0, result.raw.slice(-2000));
  });

  it('granted the delegation to the service account on the scratch OU and verified it', () => {
    const row = rows().find((r) => r.Area === 'Delegation');
    assert.equal(row?.Status, 'Pass', String(row?.Reason));
    assert.match(String(row?.Evidence), new RegExp(`^granted \\d+ ACE\\(s\\) to ${svcName}; `));
    assert.match(String(rows().find((r) => r.Check === 'Agent installed in a temporary folder and started')?.Evidence), /AD Integration, process \d+$/);
  });

  it('never shows the service account password', () => {
    assert.ok(!result.raw.includes(svcPassword), 'the password is in no line the engine wrote');
    assert.ok(!readFileSync(join(work, 'exec.log'), 'utf8').includes(svcPassword), 'nor in the engine log');
  });

  it('the Windows rows are Skipped with the reason', () => {
    const windows = rows().filter((r) => r.Area === 'Windows host');
    assert.equal(windows.length, 5);
    for (const r of windows) {
      assert.equal(r.Status, 'Skipped');
      assert.match(String(r.Reason), /^needs Windows: .+; this host is linux$/);
    }
  });

  it('timed each change and proved the password by binding', () => {
    const timed = rows().filter((r) => r.Area === 'JumpCloud changes' || r.Area === 'AD changes');
    assert.deepEqual(
      timed.map((r) => r.Check),
      [
        'Rename',
        'Suspend',
        'Password (proven by binding as the user)',
        'Group membership',
        'Unbind from the domain',
        'Disable in AD suspends in JumpCloud (offboarding)',
      ],
    );
    for (const r of timed) assert.ok(typeof r.Seconds === 'number' && r.Seconds > 0 && r.Seconds < 90, `${String(r.Check)} took ${String(r.Seconds)} s`);
    assert.match(String(timed[2]?.Evidence), /^bound as CN=jcrh\.password,OU=Users,OU=JumpCloudADI-Rehearsal-/);
    const large = rows().find((r) => String(r.Check).startsWith(`A group of ${LARGE_GROUP} members`));
    // Windows answers a group this large with range retrieval (member;range=0-1499); Samba sends all values.
    assert.match(
      String(large?.Evidence),
      new RegExp(
        `^${LARGE_GROUP} members; the DC answered with (range retrieval \\(member;range=0-1499\\)|all values at once \\(no range retrieval on this DC\\))$`,
      ),
    );
  });

  it('wrote nothing outside the scratch OU (the change log)', async () => {
    const scratch = String(rows().find((r) => r.Check === 'Scratch OU created')?.Evidence).split(' with ')[0] as string;
    assert.match(scratch, /^OU=JumpCloudADI-Rehearsal-\d{8}-\d{6},DC=example,DC=com$/);
    const outside = outsideChanges(await changedSince(admin, usnBefore), scratch, /JumpCloudADI-Rehearsal-/i, generalizedTime(started));
    assert.deepEqual(outside, [], 'no write outside the scratch OU');
  });

  it('left nothing behind: no OU, no process, no folder, no manifest', async () => {
    const cleanup = rows().find((r) => r.Area === 'Cleanup');
    assert.equal(cleanup?.Status, 'Pass', String(cleanup?.Reason));
    const leftovers = await admin.search('DC=example,DC=com', { scope: 'one', filter: '(ou=JumpCloudADI-Rehearsal-*)', attributes: ['ou'] });
    assert.deepEqual(
      leftovers.map((e) => e.dn),
      [],
    );
    const removed = String(cleanup?.Evidence);
    for (const m of removed.matchAll(/sandbox process (\d+)/g)) assert.throws(() => process.kill(Number(m[1]), 0), 'the sandbox process is gone');
    for (const folder of removed
      .replace(/^removed: /, '')
      .split('; ')
      .filter((f) => f.startsWith('/')))
      assert.ok(!existsSync(folder), `${folder} is gone`);
    assert.ok(!existsSync(manifestFile), 'the manifest is removed once everything is');
  });
});
