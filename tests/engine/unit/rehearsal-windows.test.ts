// The rehearsal's Windows host rows that the engine answers (install folder ACL, DPAPI round-trip)
// and its requests to the module (start, check, remove the rehearsal service): the inputs and the
// judgements as data, the Windows thin layers replaced by stand-ins. What only Windows can prove
// (the SDDL it reports, DPAPI itself, the service control manager) runs in the rehearsal on the
// admin's server.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AGENT_SERVICE_NAME, REHEARSAL_SERVICE_PATTERN } from '../../../engine/src/agent/config';
import { agentFolderPolicy } from '../../../engine/src/agent/install';
import { agentInstallCommand } from '../../../engine/src/cli/commands/agent';
import { rehearsalCommand } from '../../../engine/src/cli/commands/rehearsal';
import {
  askHost,
  dpapiProbe,
  ENGINE_REQUEST_RECORD,
  judgeDpapi,
  judgeInstallFolderAcl,
  protectedSchemes,
  type DpapiEvidence,
} from '../../../engine/src/cli/rehearsal/windows-host';
import { folderSddl, inspectWindowsFolder, virtualAccountSid, WINDOWS_FOLDER_ARGS, type SyncStdinRunner } from '../../../engine/src/config/folder';
import { DpapiProtector, type StdinRunner } from '../../../engine/src/config/protect';
import type { Reporter } from '../../../engine/src/log/reporter';

const REHEARSAL = 'JumpCloudADISync-Rehearsal-20261201-081500';
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const work = () => {
  const d = mkdtempSync(join(tmpdir(), 'jcadi-rehwin-'));
  dirs.push(d);
  return d;
};

function recordingReporter() {
  const records: Array<{ type: string; data: Record<string, unknown> }> = [];
  const reporter: Reporter = {
    progress: () => undefined,
    log: () => undefined,
    record: (type, data) => records.push({ type, data }),
    error: () => undefined,
  };
  return { reporter, records };
}

describe('the rehearsal service name', () => {
  it('is JumpCloudADISync-Rehearsal-<yyyyMMdd-HHmmss>, never the production service', () => {
    assert.match(REHEARSAL, REHEARSAL_SERVICE_PATTERN);
    assert.doesNotMatch(AGENT_SERVICE_NAME, REHEARSAL_SERVICE_PATTERN);
    assert.doesNotMatch(`${REHEARSAL}x`, REHEARSAL_SERVICE_PATTERN);
  });

  it('is the only other name agent-install and the rehearsal take for the folder ACL', () => {
    const base = { installPath: '/x', engineFile: '/e' };
    assert.equal(agentInstallCommand.params.safeParse({ ...base, serviceName: REHEARSAL }).success, true);
    for (const name of ['Spooler', 'JumpCloudADISync', 'JumpCloudADISync-Rehearsal-', 'JumpCloudADISync-Rehearsal-2026-x'])
      assert.equal(agentInstallCommand.params.safeParse({ ...base, serviceName: name }).success, false, name);
    const dc = { host: 'dc1', mode: 'ldaps', bindDN: 'a', bindPassword: 'b' };
    const host = (serviceName: string) => rehearsalCommand.params.safeParse({ dc, windowsHost: { serviceName, serviceHostFile: 'C:\\m\\jcadi-service.exe' } });
    assert.equal(host(REHEARSAL).success, true);
    assert.equal(host(AGENT_SERVICE_NAME).success, false, 'the rehearsal never takes the production service');
  });

  it("gives the install folder's modify access to the rehearsal service's own virtual account", () => {
    const policy = agentFolderPolicy({ serviceName: REHEARSAL, platform: 'win32' });
    assert.equal(policy.writerSid, virtualAccountSid(REHEARSAL));
    assert.notEqual(policy.writerSid, virtualAccountSid(AGENT_SERVICE_NAME));
    assert.equal(policy.writerName, `NT SERVICE\\${REHEARSAL}`);
    assert.equal(agentFolderPolicy({ platform: 'win32' }).writerName, 'NT SERVICE\\JumpCloudADISync');
  });
});

describe('Install folder ACL row', () => {
  const designed = folderSddl(virtualAccountSid(REHEARSAL));
  const facts = (sddl: string | null, exists = true) => ({ exists, isDirectory: exists, reparsePoint: false, sddl, me: 'S-1-5-21-1-2-3-500' });

  it('passes the production SDDL for the rehearsal service (owner Administrators, protected, SYSTEM/Administrators full, the service modify)', () => {
    assert.equal(designed, `O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;${virtualAccountSid(REHEARSAL)})`);
    const v = judgeInstallFolderAcl(facts(designed), REHEARSAL);
    assert.equal(v.status, 'Pass');
    assert.match(v.evidence, /NT SERVICE\\JumpCloudADISync-Rehearsal-20261201-081500 has modify/);
  });

  it('fails a folder secured for another service, one that inherits, one that grants Users, and a missing one', () => {
    const production = judgeInstallFolderAcl(facts(folderSddl(virtualAccountSid(AGENT_SERVICE_NAME))), REHEARSAL);
    assert.equal(production.status, 'Fail');
    assert.match(production.reason, /grants access to S-1-5-80-/);
    assert.match(production.reason, /lacks modify access/);
    assert.match(production.evidence, /designed: O:BA/);
    const inherited = judgeInstallFolderAcl(facts(designed.replace('D:PAI', 'D:AI')), REHEARSAL);
    assert.equal(inherited.status, 'Fail');
    assert.match(inherited.reason, /inherits access from its parent/);
    const users = judgeInstallFolderAcl(facts(`${designed}(A;OICI;FR;;;BU)`), REHEARSAL);
    assert.equal(users.status, 'Fail');
    assert.match(users.reason, /BUILTIN\\Users/);
    const missing = judgeInstallFolderAcl(facts(null, false), REHEARSAL);
    assert.equal(missing.status, 'Fail');
    assert.match(missing.reason, /does not exist/);
  });

  it('reads the folder through the production thin layer (inspect, nothing set) by full path', () => {
    const calls: Array<{ file: string; args: string[]; input: string }> = [];
    const run: SyncStdinRunner = (file, args, input) => {
      calls.push({ file, args, input });
      return { code: 0, stdout: JSON.stringify(facts(designed)), stderr: '' };
    };
    const folder = 'C:\\Users\\adm\\AppData\\Local\\Temp\\jcadi-rehearsal-agent-x\\AD Integration';
    assert.equal(inspectWindowsFolder(folder, run).sddl, designed);
    assert.match(calls[0]?.file ?? '', /^[A-Z]:\\Windows\\System32\\WindowsPowerShell\\v1\.0\\powershell\.exe$/i);
    assert.deepEqual(calls[0]?.args, WINDOWS_FOLDER_ARGS);
    const [op, path, sddl] = (calls[0]?.input ?? '').split('\n');
    assert.equal(op, 'inspect');
    assert.equal(Buffer.from(path ?? '', 'base64').toString('utf8'), folder);
    assert.equal(sddl, '', 'nothing to set');
    assert.throws(
      () => inspectWindowsFolder(folder, () => ({ code: 1, stdout: '', stderr: 'Access is denied.' })),
      (e: Error & { id?: string }) => e.id === 'Folder.SecureFailed' && /Access is denied/.test(e.message),
    );
    assert.throws(
      () => inspectWindowsFolder(folder, () => ({ code: 0, stdout: '', stderr: '' })),
      (e: Error) => /gave no answer/.test(e.message),
    );
  });
});

describe('DPAPI round-trip row', () => {
  // A stand-in for powershell.exe's DPAPI: the blob is a tag of the entropy, then the data XORed;
  // unprotect with another entropy fails as DPAPI does.
  const fakeDpapi: StdinRunner = async (_file, _args, input) => {
    const [op, entropy, data] = input.split('\n') as [string, string, string];
    const tag = createHash('sha256').update(entropy).digest().subarray(0, 4);
    const bytes = Buffer.from(data, 'base64');
    if (op === 'protect') return { code: 0, stdout: Buffer.concat([tag, bytes.map((b) => b ^ 0x5a)]).toString('base64'), stderr: '' };
    if (!bytes.subarray(0, 4).equals(tag)) return { code: 1, stdout: '', stderr: 'The parameter is incorrect.' };
    return { code: 0, stdout: Buffer.from(bytes.subarray(4).map((b) => b ^ 0x5a)).toString('base64'), stderr: '' };
  };
  const good: DpapiEvidence = {
    scheme: 'dpapi-localmachine-v1',
    blobBytes: 170,
    blobHidesProbe: true,
    openedEqual: true,
    otherFieldRefused: true,
    configSchemes: ['dpapi-localmachine-v1', 'dpapi-localmachine-v1'],
    agentConnected: true,
  };

  it("round-trips a random probe through the agent's DpapiProtector and checks the field binding", async () => {
    const probe = await dpapiProbe(new DpapiProtector(fakeDpapi));
    assert.deepEqual(
      { ...probe, blobBytes: probe.blobBytes > 4 },
      { scheme: 'dpapi-localmachine-v1', blobBytes: true, blobHidesProbe: true, openedEqual: true, otherFieldRefused: true },
    );
    const careless: StdinRunner = async (_f, _a, input) => ({ code: 0, stdout: input.split('\n')[2] as string, stderr: '' });
    const exposed = await dpapiProbe(new DpapiProtector(careless));
    assert.equal(exposed.blobHidesProbe, false);
    assert.equal(exposed.otherFieldRefused, false);
  });

  it('passes when DPAPI round-trips and the agent under the service opened its DPAPI secrets', () => {
    const v = judgeDpapi(good);
    assert.equal(v.status, 'Pass');
    assert.match(v.evidence, /agent under the service connected: yes/);
  });

  const failures: Array<[what: string, change: Partial<DpapiEvidence>, reason: RegExp]> = [
    ['a key file protector', { scheme: 'keyfile-aes256gcm-v1' }, /not DPAPI/],
    ['a blob with the probe in clear', { blobHidesProbe: false }, /in clear/],
    ['a probe that opens to something else', { openedEqual: false }, /did not open to itself/],
    ["a value that opens under another field's name", { otherFieldRefused: false }, /another field/],
    ['an agent.json without protected secrets', { configSchemes: [] }, /no protected secret/],
    ['an agent.json with a key-file secret', { configSchemes: ['dpapi-localmachine-v1', 'keyfile-aes256gcm-v1'] }, /keyfile-aes256gcm-v1/],
    ['an agent that did not connect under the service', { agentConnected: false }, /did not report connected/],
  ];
  for (const [what, change, reason] of failures) {
    it(`fails ${what}`, () => {
      const v = judgeDpapi({ ...good, ...change });
      assert.equal(v.status, 'Fail');
      assert.match(v.reason, reason);
    });
  }

  it("finds every protected value's scheme in agent.json", () => {
    const config = {
      serviceAccount: { bindDN: 'x', password: { scheme: 'dpapi-localmachine-v1', data: 'AA' } },
      jumpcloud: { apiKey: { scheme: 'dpapi-localmachine-v1', data: 'AB' }, proxy: { password: { scheme: 'dpapi-localmachine-v1', data: 'AC' } } },
      list: [{ scheme: 'keyfile-aes256gcm-v1', data: 'AD' }],
      scheme: 'not a value',
    };
    assert.deepEqual(protectedSchemes(config).sort(), ['dpapi-localmachine-v1', 'dpapi-localmachine-v1', 'dpapi-localmachine-v1', 'keyfile-aes256gcm-v1']);
  });
});

describe('requests to the module (JumpCloudADI.EngineRequest and its reply file)', () => {
  it('names the reply file in the request, waits for it, reads the answer and removes the file', async () => {
    const dir = work();
    const replyFile = join(dir, 'host.reply.json');
    writeFileSync(replyFile, 'stale');
    const { reporter, records } = recordingReporter();
    const asked = askHost(
      reporter,
      replyFile,
      'Start',
      { ServiceName: REHEARSAL, InstallPath: 'C:\\t\\AD Integration' },
      new AbortController().signal,
      5000,
      10,
    );
    assert.equal(existsSync(replyFile), false, 'an old answer is never taken for the new one');
    assert.deepEqual(records, [
      {
        type: ENGINE_REQUEST_RECORD,
        data: { Name: 'rehearsal-host', Action: 'Start', Reply: replyFile, ServiceName: REHEARSAL, InstallPath: 'C:\\t\\AD Integration' },
      },
    ]);
    // As the module writes it: whole, through a temp file and a rename.
    writeFileSync(`${replyFile}.tmp`, JSON.stringify({ ok: true, reason: '', evidence: 'Running as NT SERVICE\\x' }));
    renameSync(`${replyFile}.tmp`, replyFile);
    assert.deepEqual(await asked, { ok: true, reason: '', evidence: 'Running as NT SERVICE\\x' });
    assert.deepEqual(readdirSync(dir), []);
  });

  it('gives up after the timeout, when interrupted, and on an answer that is not one', async () => {
    const dir = work();
    const { reporter } = recordingReporter();
    await assert.rejects(
      askHost(reporter, join(dir, 'a.reply.json'), 'Check', {}, new AbortController().signal, 50, 10),
      /did not answer the request to check .* within 0.05 s/,
    );
    const abort = new AbortController();
    const waiting = askHost(reporter, join(dir, 'b.reply.json'), 'Remove', {}, abort.signal, 5000, 10);
    abort.abort();
    await assert.rejects(waiting, /interrupted/);
    const bad = join(dir, 'c.reply.json');
    const reading = askHost(reporter, bad, 'Start', {}, new AbortController().signal, 5000, 10);
    writeFileSync(bad, '{"ok":"yes"}');
    await assert.rejects(reading, /is not one/);
  });
});
