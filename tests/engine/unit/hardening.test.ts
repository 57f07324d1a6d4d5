// Local hardening (issue "safe on a Windows server"): exclusive atomic writes, the folder rules
// (run for real on this file system for POSIX; the Windows SDDL and decisions as data), journal
// rotation with history across files, the pid check, the GCM tag length and the response limit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { filterHistory } from '../../../engine/src/agent/history';
import { agentFolderPolicy, isAgentProcess, processFacts, secureAgentFolders, stopAgentProcess } from '../../../engine/src/agent/install';
import { agentPaths, AGENT_SERVICE_NAME } from '../../../engine/src/agent/config';
import {
  ensureEngineFolder,
  folderSddl,
  judgeWindowsFolder,
  parseSddl,
  secureFolder,
  SID,
  virtualAccountSid,
  WINDOWS_FOLDER_ARGS,
  WINDOWS_FOLDER_SCRIPT,
  type FolderPolicy,
  type SyncStdinRunner,
} from '../../../engine/src/config/folder';
import { KeyFileProtector } from '../../../engine/src/config/protect';
import { EngineError } from '../../../engine/src/errors';
import { generateAgentKeyPair, openSealed, sealToAgent } from '../../../engine/src/jumpcloud/agent-crypto';
import { HttpTransport } from '../../../engine/src/jumpcloud/transport';
import { ensureTlsMaterial } from '../../../engine/src/sandbox/tls';
import { FileJournal, readLines } from '../../../engine/src/sync/journal';
import { ATOMIC_TEMP_PATTERN, writeExclusiveSync, writeFileAtomicSync } from '../../../engine/src/util/files';

const made: string[] = [];
const work = () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcadi-win-hardening-'));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const isRoot = process.getuid?.() === 0;

function throwsId(fn: () => unknown, id: string): EngineError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.id, id, err.message);
    return err;
  }
  assert.fail(`expected ${id}`);
}

describe('atomic writes cannot be redirected', () => {
  it('never follows a planted symbolic link at the temp name, nor reuses a planted file', () => {
    const dir = work();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'original');
    const link = join(dir, 'planted-link');
    symlinkSync(victim, link);
    assert.throws(() => writeExclusiveSync(link, 'attack', 0o600), /EEXIST/);
    assert.equal(readFileSync(victim, 'utf8'), 'original', 'the link target is untouched');
    const leftover = join(dir, 'leftover.tmp');
    writeFileSync(leftover, 'old', { mode: 0o666 });
    chmodSync(leftover, 0o666);
    assert.throws(() => writeExclusiveSync(leftover, 'new', 0o600), /EEXIST/);
    assert.equal(readFileSync(leftover, 'utf8'), 'old', 'a leftover is not reused (nor its loose mode)');
  });

  it('replaces a target that is a link with a file of its own, random hidden temp names, nothing left over', () => {
    const dir = work();
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(elsewhere, 'not yours');
    const target = join(dir, 'agent.json');
    symlinkSync(elsewhere, target);
    writeFileAtomicSync(target, '{"ok":true}\n', 0o600);
    assert.equal(readFileSync(elsewhere, 'utf8'), 'not yours', 'not written through the link');
    assert.ok(!lstatSync(target).isSymbolicLink());
    assert.equal(readFileSync(target, 'utf8'), '{"ok":true}\n');
    assert.equal(statSync(target).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['agent.json', 'elsewhere.json']);
    assert.match('.agent.json.0123456789abcdef01234567.tmp', ATOMIC_TEMP_PATTERN);
  });
});

describe('folder rules on this file system (POSIX: 0700, owner, no links)', () => {
  const policy = (): FolderPolicy => ({
    label: 'test folder',
    writerSid: null,
    ownerSids: [SID.administrators],
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
  });

  it('creates a missing folder 0700 whatever the umask', () => {
    const folder = join(work(), 'a', 'b');
    const old = process.umask(0o000);
    try {
      assert.equal(secureFolder(folder, { policy: policy() }).action, 'created');
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    assert.equal(secureFolder(folder, { policy: policy() }).action, 'unchanged');
  });

  it('refuses a loose folder with the problem and the way out; -Force repairs it', () => {
    const folder = join(work(), 'loose');
    mkdirSync(folder, { mode: 0o777 });
    chmodSync(folder, 0o757);
    const err = throwsId(() => secureFolder(folder, { policy: policy() }), 'Folder.Insecure');
    assert.match(err.message, /mode is 0757: other accounts can write to it/);
    assert.match(err.message, /-Force/);
    assert.equal(statSync(folder).mode & 0o777, 0o757, 'refused means untouched');
    assert.equal(secureFolder(folder, { policy: policy(), force: true }).action, 'repaired');
    assert.equal(statSync(folder).mode & 0o777, 0o700);
  });

  it('refuses a symbolic link, even with -Force', () => {
    const dir = work();
    mkdirSync(join(dir, 'real'), { mode: 0o700 });
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const err = throwsId(() => secureFolder(join(dir, 'link'), { policy: policy(), force: true }), 'Folder.Link');
    assert.match(err.message, /symbolic link/);
    throwsId(() => ensureEngineFolder(join(dir, 'link'), 'state folder'), 'Folder.Link');
  });

  it('refuses a file where the folder should be', () => {
    const file = join(work(), 'file');
    writeFileSync(file, '');
    throwsId(() => secureFolder(file, { policy: policy(), force: true }), 'Folder.NotAFolder');
  });

  it('refuses a folder of another owner; -Force takes it back (as root, like the install)', () => {
    assert.ok(isRoot, 'giving a folder to another account takes root, as Install-JCSyncAgent on Linux');
    const folder = join(work(), 'foreign');
    mkdirSync(folder, { mode: 0o700 });
    chownSync(folder, 65534, 65534);
    const err = throwsId(() => secureFolder(folder, { policy: policy() }), 'Folder.Insecure');
    assert.match(err.message, /belongs to uid 65534/);
    secureFolder(folder, { policy: policy(), force: true });
    assert.equal(statSync(folder).uid, process.getuid?.());
  });

  it('gives an install folder and its secrets to the agent account (the upgrade keeps that account)', () => {
    assert.ok(isRoot, 'giving a folder to another account takes root, as Install-JCSyncAgent on Linux');
    const folder = join(work(), 'install');
    mkdirSync(folder, { mode: 0o755 });
    writeFileSync(join(folder, 'agent.json'), '{}', { mode: 0o600 });
    // An older install (0755, root's files): refused as a fresh install, repaired as an upgrade.
    throwsId(() => secureAgentFolders(folder, { serviceUser: 'nobody' }, false), 'Folder.Insecure');
    secureAgentFolders(folder, { serviceUser: 'nobody' }, true);
    assert.equal(statSync(folder).uid, 65534);
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    assert.equal(statSync(join(folder, 'agent.json')).uid, 65534, 'the config passes to the agent account');
    // root rewriting the config (Set-JCSyncAgent) keeps it the agent's.
    writeFileAtomicSync(join(folder, 'agent.json'), '{"v":2}', 0o600);
    assert.equal(statSync(join(folder, 'agent.json')).uid, 65534);
    secureAgentFolders(folder, {}, true);
    assert.equal(statSync(folder).uid, 65534, 'an upgrade without a user keeps the folder account');
    throwsId(() => agentFolderPolicy({ serviceUser: 'no-such-user-jcadi', platform: 'linux' }), 'Agent.ServiceUserNotFound');
  });
});

describe('folder rules on Windows, as data (SDDL and decisions)', () => {
  const service = virtualAccountSid(AGENT_SERVICE_NAME);
  const policy = agentFolderPolicy({ platform: 'win32' });

  it('derives the virtual account SID as the SCM does', () => {
    // Well-known: NT SERVICE\TrustedInstaller.
    assert.equal(virtualAccountSid('TrustedInstaller'), 'S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464');
    assert.equal(virtualAccountSid('trustedinstaller'), virtualAccountSid('TrustedInstaller'), 'the name is upper-cased first');
    assert.match(service, /^S-1-5-80(-\d+){5}$/);
  });

  it('computes the install folder SDDL: owner Administrators, protected, SYSTEM/Administrators full, the service modify', () => {
    assert.equal(folderSddl(service), `O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;${service})`);
    assert.equal(folderSddl(null), 'O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)');
    assert.equal(policy.writerSid, service);
    const parsed = parseSddl(folderSddl(service));
    assert.equal(parsed.owner, SID.administrators);
    assert.equal(parsed.protected, true);
    assert.deepEqual(
      parsed.aces.map((a) => a.sid),
      [SID.system, SID.administrators, service],
    );
  });

  const facts = (sddl: string, extra: Partial<{ reparsePoint: boolean; exists: boolean }> = {}) => ({
    exists: true,
    isDirectory: true,
    reparsePoint: false,
    sddl,
    ...extra,
  });

  it('accepts its own SDDL as Windows writes it back, and creates a missing folder', () => {
    assert.deepEqual(judgeWindowsFolder(facts(folderSddl(service)), policy, { force: false }), { action: 'ok' });
    assert.deepEqual(judgeWindowsFolder({ exists: false, isDirectory: false, reparsePoint: false, sddl: null }, policy, { force: false }), {
      action: 'create',
    });
  });

  it('refuses a folder that inherits and grants Users (a custom folder under C:\\), -Force repairs', () => {
    const inherited = 'O:BAD:AI(A;OICIID;FA;;;BA)(A;OICIID;FA;;;SY)(A;OICIID;0x1200a9;;;BU)(A;CIID;LC;;;AU)';
    const verdict = judgeWindowsFolder(facts(inherited), policy, { force: false });
    assert.equal(verdict.action, 'refuse');
    assert.ok(verdict.action === 'refuse' && verdict.problems.some((p) => /inherits access/.test(p)));
    assert.ok(verdict.action === 'refuse' && verdict.problems.some((p) => /BUILTIN\\Users, Authenticated Users/.test(p)));
    assert.equal(judgeWindowsFolder(facts(inherited), policy, { force: true }).action, 'repair');
  });

  it('refuses a foreign owner even when repairing access is allowed (an upgrade); -Force takes it', () => {
    const foreign = `O:S-1-5-21-1-2-3-1104D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;${service})`;
    const verdict = judgeWindowsFolder(facts(foreign), policy, { force: false, repairAccess: true });
    assert.ok(verdict.action === 'refuse' && /owner is S-1-5-21-1-2-3-1104/.test(verdict.problems.join()));
    assert.equal(judgeWindowsFolder(facts(foreign), policy, { force: true }).action, 'repair');
  });

  it('an upgrade from a LocalSystem install (inherited access, owner Administrators) is repaired without -Force', () => {
    const old = 'O:BAD:AI(A;OICIID;FA;;;BA)(A;OICIID;FA;;;SY)(A;OICIID;0x1200a9;;;BU)(A;OICIIOID;GA;;;CO)';
    assert.equal(judgeWindowsFolder(facts(old), policy, { force: false, repairAccess: true }).action, 'repair');
  });

  it('refuses a reparse point (junction), even with -Force', () => {
    const verdict = judgeWindowsFolder(facts(folderSddl(service), { reparsePoint: true }), policy, { force: true });
    assert.ok(verdict.action === 'refuse' && verdict.id === 'Folder.Link');
  });

  it('adds only-missing service access without asking, and refuses the service having more than modify', () => {
    assert.equal(judgeWindowsFolder(facts(folderSddl(null)), policy, { force: false }).action, 'repair');
    const more = `O:BAD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;${service})`;
    assert.equal(judgeWindowsFolder(facts(more), policy, { force: false }).action, 'refuse');
    // A deny ACE only restricts: still fine.
    assert.equal(judgeWindowsFolder(facts(`${folderSddl(service)}(D;OICI;WD;;;WD)`), policy, { force: false }).action, 'ok');
  });

  it('runs the thin layer by full path with the folder and SDDL on stdin, then checks the result', () => {
    const calls: Array<{ file: string; args: string[]; input: string }> = [];
    let made: string | null = null;
    const fake: SyncStdinRunner = (file, args, input) => {
      calls.push({ file, args, input });
      const [op, , sddl] = input.split('\n');
      if (op === 'create') made = sddl as string;
      return {
        code: 0,
        stderr: '',
        stdout: JSON.stringify(
          made
            ? { exists: true, isDirectory: true, reparsePoint: false, sddl: made, me: 'S-1-5-21-9-9-9-500' }
            : { exists: false, isDirectory: false, reparsePoint: false, sddl: null },
        ),
      };
    };
    const folder = 'C:\\Program Files\\JumpCloud\\AD Integration\\';
    assert.equal(secureFolder(folder, { policy, platform: 'win32', run: fake }).action, 'created');
    assert.deepEqual(
      calls.map((c) => c.input.split('\n')[0]),
      ['inspect', 'create'],
    );
    for (const call of calls) {
      assert.match(call.file, /^C:\\Windows\\System32\\WindowsPowerShell\\v1\.0\\powershell\.exe$/);
      assert.deepEqual(call.args, WINDOWS_FOLDER_ARGS);
      assert.ok(!call.args.join(' ').includes('AD Integration'), 'the path travels on stdin, not argv');
      assert.equal(Buffer.from(call.input.split('\n')[1] as string, 'base64').toString('utf8'), folder);
    }
    assert.equal(calls[1]?.input.split('\n')[2], folderSddl(service));
    assert.match(WINDOWS_FOLDER_SCRIPT, /CreateDirectory\(\$path, \$security\)/, 'created with its ACL in one call');
    assert.match(WINDOWS_FOLDER_SCRIPT, /ReparsePoint/);
  });
});

describe('journal rotation, history across the files', () => {
  it('rotates by size, keeps a bounded number of files, and reads them oldest first', () => {
    const file = join(work(), 'journal.jsonl');
    let n = 0;
    const journal = new FileJournal(file, 'run1', () => new Date(Date.UTC(2030, 0, 1, 0, 0, n)), { maxBytes: 1000, keep: 3 });
    for (n = 0; n < 60; n++) journal.write({ kind: 'createUser', target: `CN=user${n}`, jcId: `id${n}`, outcome: 'applied', detail: 'x'.repeat(50) });
    const files = FileJournal.files(file);
    assert.deepEqual(files, [`${file}.3`, `${file}.2`, `${file}.1`, file]);
    assert.ok(!existsSync(`${file}.4`), 'no more than keep rotated files');
    for (const f of files) assert.ok(statSync(f).size <= 1000, `${f} stays under maxBytes`);
    const entries = FileJournal.read(file);
    const ids = entries.map((e) => Number(e.jcId?.slice(2)));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
      'oldest first across the files',
    );
    assert.equal(ids.at(-1), 59);
    assert.ok(ids[0] !== 0, 'the oldest file was dropped');
    assert.deepEqual(
      filterHistory(FileJournal.entries(file), { last: 2 }).map((e) => e.jcId),
      ['id58', 'id59'],
    );
    assert.equal(filterHistory(FileJournal.entries(file), { user: `id${ids[0]}` }).length, 1, 'found in the oldest rotated file');
  });

  it('reads lines longer than its chunk, and a line cut short by a crash is skipped', () => {
    const file = join(work(), 'journal.jsonl');
    const long = { time: '2030-01-01T00:00:00.000Z', run: 'r', kind: 'k', target: 't'.repeat(200_000), jcId: null, outcome: 'applied', detail: '' };
    writeFileSync(file, `${JSON.stringify(long)}\n{"time":"2030-01-01T00:00:01.000Z","run":"r","ki`);
    assert.equal([...readLines(file)].length, 2);
    const entries = FileJournal.read(file);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.target.length, 200_000);
  });

  it('does not append through a link planted at the journal', () => {
    const dir = work();
    writeFileSync(join(dir, 'other'), 'keep');
    symlinkSync(join(dir, 'other'), join(dir, 'journal.jsonl'));
    const journal = new FileJournal(join(dir, 'journal.jsonl'), 'r');
    assert.throws(() => journal.write({ kind: 'k', target: 't', jcId: null, outcome: 'applied', detail: '' }), /ELOOP/);
    assert.equal(readFileSync(join(dir, 'other'), 'utf8'), 'keep');
  });
});

describe('the pid check before a signal', () => {
  it('never signals a live unrelated process named by a stale pid file', async () => {
    const paths = agentPaths(work());
    const unrelated = spawn('/bin/sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(paths.pid, `${unrelated.pid}\n`);
      assert.equal(isAgentProcess(processFacts(unrelated.pid as number), paths), false);
      assert.deepEqual(await stopAgentProcess(paths, 500), { pid: null, killed: false });
      assert.equal(unrelated.exitCode, null);
      assert.doesNotThrow(() => process.kill(unrelated.pid as number, 0), 'still alive');
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('stops the process that is this install engine with run --config agent.json', async () => {
    const paths = agentPaths(work());
    symlinkSync(process.execPath, paths.engine);
    writeFileSync(paths.config, '{}');
    const agent = spawn(paths.engine, ['-e', 'setInterval(() => {}, 1000)', 'run', '--config', paths.config], { stdio: 'ignore' });
    const exited = new Promise((r) => agent.once('exit', r));
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(paths.pid, `${agent.pid}\n`);
    assert.equal(isAgentProcess(processFacts(agent.pid as number), paths), true);
    assert.equal(
      isAgentProcess({ exe: processFacts(agent.pid as number)?.exe ?? null, argv: ['x', 'run', '--config', '/elsewhere/agent.json'] }, paths),
      false,
      'another config',
    );
    const stopped = await stopAgentProcess(paths, 2000);
    assert.equal(stopped.pid, agent.pid);
    await exited;
  });
});

describe('AES-GCM: 16-byte tags and exact lengths only', () => {
  it('the key-file scheme refuses a shortened tag', async () => {
    const dir = work();
    const protector = new KeyFileProtector(join(dir, 'agent.key'), { create: true });
    const sealed = await protector.protect('secret-value', 'connectKey');
    const raw = Buffer.from(sealed.data, 'base64url');
    // The same bytes with a 12-byte tag: GCM would accept a truncated tag if asked to.
    const truncated = { ...sealed, data: raw.subarray(0, raw.length - 4).toString('base64url') };
    await assert.rejects(protector.unprotect(truncated, 'connectKey'), (e: unknown) => e instanceof EngineError && e.id === 'Agent.SecretUnreadable');
    assert.equal(await protector.unprotect(sealed, 'connectKey'), 'secret-value');
  });

  it('a sealed password with a short tag or nonce is refused before decrypting', () => {
    const agent = generateAgentKeyPair();
    const context = { eventId: 'e', agentId: 'a', userId: 'u' };
    const sealed = sealToAgent('Passw0rd!', agent.publicKey, context);
    const tag = Buffer.from(sealed.tag, 'base64url');
    assert.throws(
      () => openSealed({ ...sealed, tag: tag.subarray(0, 12).toString('base64url') }, agent.privateKeyPem, context),
      /tag must be exactly 16 bytes, not 12/,
    );
    assert.throws(() => openSealed({ ...sealed, tag: tag.subarray(0, 4).toString('base64url') }, agent.privateKeyPem, context), /exactly 16 bytes, not 4/);
    assert.throws(
      () => openSealed({ ...sealed, nonce: Buffer.alloc(16).toString('base64url') }, agent.privateKeyPem, context),
      /nonce must be exactly 12 bytes/,
    );
    assert.equal(openSealed(sealed, agent.privateKeyPem, context), 'Passw0rd!');
  });
});

describe('JumpCloud responses are size-bounded', () => {
  it('an answer past the limit fails with JumpCloud.ResponseTooLarge naming the endpoint; one under it passes', async () => {
    const tls = ensureTlsMaterial(work(), '127.0.0.1');
    const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ data: 'x'.repeat(req.url?.startsWith('/big') ? 50_000 : 100) }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const transport = new HttpTransport(
      { baseUrl: `https://127.0.0.1:${port}`, ca: tls.caPem, maxResponseBytes: 10_000, retry: { maxAttempts: 1 } },
      () => ({}),
      [],
    );
    try {
      const small = await transport.send({ method: 'GET', path: '/small' });
      assert.equal(small.status, 200);
      await assert.rejects(transport.send({ method: 'GET', path: '/big/page' }), (err: unknown) => {
        assert.ok(err instanceof EngineError);
        assert.equal(err.id, 'JumpCloud.ResponseTooLarge');
        assert.match(err.message, /GET \/big\/page/);
        assert.match(err.message, /10000 bytes/);
        return true;
      });
    } finally {
      transport.close();
      server.close();
    }
  });
});

describe('the state folder on Windows: made by a cmdlet, then taken over by the install', () => {
  it('a state folder a cmdlet made (owner Administrators, the admin with modify) is reset by the install without -Force; one a user made is refused', () => {
    const admin = 'S-1-5-21-1-2-3-500';
    const made = folderSddl(admin);
    assert.equal(made, `O:BAG:SYD:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;${admin})`);
    const installPolicy: FolderPolicy = { ...agentFolderPolicy({ platform: 'win32' }), label: "engine's state folder", writerSid: null };
    assert.equal(
      judgeWindowsFolder({ exists: true, isDirectory: true, reparsePoint: false, sddl: made }, installPolicy, { force: false, repairAccess: true }).action,
      'repair',
    );
    const planted = 'O:S-1-5-21-1-2-3-1105D:PAI(A;OICI;FA;;;S-1-5-21-1-2-3-1105)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)';
    assert.equal(
      judgeWindowsFolder({ exists: true, isDirectory: true, reparsePoint: false, sddl: planted }, installPolicy, { force: false, repairAccess: true }).action,
      'refuse',
    );
  });
});
