// The service account's password in the agent's config as a rotation store: stage writes a
// protected pending password, commit makes it the password, rollback drops it; every step is one
// atomic rewrite (a concurrent reader never sees a partial file) and nothing is ever in clear.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  AgentConfigPasswordStore,
  commitPassword,
  dropPendingPassword,
  readConfigPasswords,
  stagePendingPassword,
} from '../../../engine/src/agent/service-password';
import { agentConfigSchema, agentPaths, readAgentConfig, SECRET_PURPOSE, writeAgentConfig } from '../../../engine/src/agent/config';
import { KeyFileProtector, type SecretProtector } from '../../../engine/src/config/protect';
import { rotatePassword } from '../../../engine/src/delegation/rotation';

const made: string[] = [];
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const OLD = 'Old-Bind-Pa55word!';
const NEW = 'New-Bind-Pa55word!x';

async function installed(): Promise<{ file: string; protector: KeyFileProtector; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'jcadi-svcpw-'));
  made.push(dir);
  const paths = agentPaths(dir);
  const protector = new KeyFileProtector(paths.keyFile, { create: true });
  const config = agentConfigSchema.parse({
    configVersion: 1,
    installedVersion: '0.1.0',
    installedAt: new Date().toISOString(),
    serverType: 'dc',
    domainController: 'dc1.example.com',
    ldap: { mode: 'ldaps' },
    domain: 'DC=example;DC=com',
    rootUserDN: 'CN=Users;DC=example;DC=com',
    serviceAccount: { bindDN: 'jcsync@example.com', password: await protector.protect(OLD, SECRET_PURPOSE.bindPassword) },
    jumpcloud: { baseUrl: 'https://console.jumpcloud.com', apiKey: await protector.protect('api-key-123456', SECRET_PURPOSE.apiKey) },
    connectKey: await protector.protect('jcck_connect-key-value', SECRET_PURPOSE.connectKey),
  });
  writeAgentConfig(paths.config, config);
  return { file: paths.config, protector, dir };
}

const passwords = async (file: string, protector: SecretProtector) => readConfigPasswords(readAgentConfig(file), protector);
const assertNotInClear = (file: string) => {
  const text = readFileSync(file, 'utf8');
  for (const secret of [OLD, NEW]) assert.ok(!text.includes(secret), `${secret} is not in clear in ${file}`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
};

describe('the agent config as a password store', () => {
  it('stage writes a protected pending password next to the current one', async () => {
    const { file, protector } = await installed();
    await stagePendingPassword(file, protector, NEW);
    assert.deepEqual(await passwords(file, protector), { current: OLD, pending: NEW });
    const config = readAgentConfig(file);
    assert.equal(config.serviceAccount.pendingPassword?.scheme, 'keyfile-aes256gcm-v1');
    // Bound to its field: the pending blob does not open as the password.
    await assert.rejects(protector.unprotect(config.serviceAccount.pendingPassword!, SECRET_PURPOSE.bindPassword), /cannot be opened/);
    assertNotInClear(file);
  });

  it('commit makes the new password the only one; it is idempotent', async () => {
    const { file, protector } = await installed();
    await stagePendingPassword(file, protector, NEW);
    await commitPassword(file, protector, NEW);
    assert.deepEqual(await passwords(file, protector), { current: NEW, pending: null });
    assert.equal('pendingPassword' in readAgentConfig(file).serviceAccount, false);
    await commitPassword(file, protector, NEW);
    assert.deepEqual(await passwords(file, protector), { current: NEW, pending: null });
    assertNotInClear(file);
  });

  it('rollback drops the pending password and leaves the file as it was before the stage', async () => {
    const { file, protector } = await installed();
    const before = readFileSync(file, 'utf8');
    await stagePendingPassword(file, protector, NEW);
    assert.notEqual(readFileSync(file, 'utf8'), before);
    dropPendingPassword(file);
    assert.equal(readFileSync(file, 'utf8'), before);
    const inode = statSync(file).ino;
    dropPendingPassword(file);
    assert.equal(statSync(file).ino, inode, 'nothing pending: no write');
  });

  it('keeps every other field (credentials, settings) untouched', async () => {
    const { file, protector } = await installed();
    const before = readAgentConfig(file);
    await stagePendingPassword(file, protector, NEW);
    await commitPassword(file, protector, NEW);
    const afterCommit = readAgentConfig(file);
    assert.deepEqual({ ...afterCommit, serviceAccount: null }, { ...before, serviceAccount: null });
    assert.equal(afterCommit.serviceAccount.bindDN, before.serviceAccount.bindDN);
  });

  it('writes atomically: a new file each time (rename), no temp file left, a failed write leaves the file as it was', async () => {
    const { file, protector } = await installed();
    const inode = statSync(file).ino;
    await stagePendingPassword(file, protector, NEW);
    assert.notEqual(statSync(file).ino, inode, 'replaced by rename, not rewritten in place');
    // Temp names are random and created exclusively: a file planted at a guessable name is
    // neither used nor removed, and the write goes ahead.
    const planted = `${file}.${process.pid}.tmp`;
    mkdirSync(planted);
    try {
      await commitPassword(file, protector, NEW);
      assert.ok(statSync(planted).isDirectory(), 'the planted name is left alone');
    } finally {
      rmSync(planted, { recursive: true });
    }
    await stagePendingPassword(file, protector, NEW);
    const before = readFileSync(file, 'utf8');
    const failing: SecretProtector = {
      scheme: 'keyfile-aes256gcm-v1',
      protect: () => Promise.reject(new Error('protect failed')),
      unprotect: (v, p) => protector.unprotect(v, p),
    };
    await assert.rejects(stagePendingPassword(file, failing, 'Other-Pa55word!'), /protect failed/);
    assert.equal(readFileSync(file, 'utf8'), before);
    assert.deepEqual(
      readdirSync(join(file, '..')).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });

  it('a concurrent reader (another process, like the running agent) always reads a whole, valid config', async () => {
    const { file, protector } = await installed();
    const reader = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs'); let reads = 0, bad = 0; const end = Date.now() + 1500;
         while (Date.now() < end) { try { const c = JSON.parse(fs.readFileSync(process.argv[1], 'utf8')); if (!c.serviceAccount || !c.serviceAccount.password) bad++; } catch { bad++; } reads++; }
         process.stdout.write(JSON.stringify({ reads, bad }));`,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const out: Buffer[] = [];
    reader.stdout.on('data', (c: Buffer) => out.push(c));
    const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const store = new AgentConfigPasswordStore(file, protector);
    let cycles = 0;
    const stopAt = Date.now() + 1200;
    while (Date.now() < stopAt) {
      await store.stage(`${NEW}${cycles}`);
      if (cycles % 2 === 0) await store.commit();
      else await store.rollback();
      cycles++;
      await new Promise((r) => setImmediate(r));
    }
    await done;
    const { reads, bad } = JSON.parse(Buffer.concat(out).toString('utf8')) as { reads: number; bad: number };
    // Each rewrite is flushed (file and folder): on a busy disk only a few dozen fit in the window.
    assert.ok(cycles >= 10 && reads > 100, `${cycles} rewrites, ${reads} reads`);
    assert.equal(bad, 0, `${bad} of ${reads} reads saw a partial or invalid config`);
  });
});

describe('rotation with the agent config store', () => {
  it('stage → AD → bind → commit: AD sees the new password while the config still holds the old one as the password', async () => {
    const { file, protector } = await installed();
    const seen: Array<{ step: string; current: string; pending: string | null }> = [];
    const outcome = await rotatePassword(
      NEW,
      {
        setPasswordInAd: async () => void seen.push({ step: 'ad', ...(await passwords(file, protector)) }),
        verifyBind: async () => void seen.push({ step: 'bind', ...(await passwords(file, protector)) }),
      },
      [new AgentConfigPasswordStore(file, protector)],
    );
    assert.deepEqual(seen, [
      { step: 'ad', current: OLD, pending: NEW },
      { step: 'bind', current: OLD, pending: NEW },
    ]);
    assert.deepEqual(outcome.committed, [`agent config ${file}`]);
    assert.deepEqual(await passwords(file, protector), { current: NEW, pending: null });
    assertNotInClear(file);
  });

  it('AD refuses the password: the config is byte for byte as before', async () => {
    const { file, protector } = await installed();
    const before = readFileSync(file, 'utf8');
    await assert.rejects(
      rotatePassword('short', { setPasswordInAd: () => Promise.reject(new Error('0000052D: password policy')) }, [
        new AgentConfigPasswordStore(file, protector),
      ]),
      /0000052D/,
    );
    assert.equal(readFileSync(file, 'utf8'), before);
  });

  it('the new password does not bind: the pending one stays for the agent to fall back to', async () => {
    const { file, protector } = await installed();
    await assert.rejects(
      rotatePassword(NEW, { setPasswordInAd: async () => undefined, verifyBind: () => Promise.reject(new Error('bind refused')) }, [
        new AgentConfigPasswordStore(file, protector),
      ]),
      /bind refused/,
    );
    assert.deepEqual(await passwords(file, protector), { current: OLD, pending: NEW });
  });

  it('commit without a stage is refused', async () => {
    const { file, protector } = await installed();
    await assert.rejects(new AgentConfigPasswordStore(file, protector).commit(), /nothing staged/);
    assert.deepEqual(await passwords(file, protector), { current: OLD, pending: null });
  });
});
