// `jcadi-engine sandbox` as a process: one JSON line on stdout (no secrets) when it listens,
// the demo seed, state kept across a restart, a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { JumpCloudClient } from '../../../engine/src/jumpcloud/client';

const root = resolve(__dirname, '../../..');
const children: ChildProcess[] = [];

function startCli(args: string[]): Promise<{ child: ChildProcess; line: string; announcement: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/src/main.ts'), 'sandbox', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`no announcement within 20 s; stderr: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolveStart({ child, line, announcement: JSON.parse(line) as Record<string, unknown> });
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolveStop) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolveStop(code));
    child.kill('SIGTERM');
  });
}

after(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('sandbox CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'jcadi-sandbox-cli-'));

  it('announces itself in one JSON line, serves the demo org, keeps it across a restart', async () => {
    const first = await startCli(['--data', dataDir, '--port', '0', '--seed', 'demo']);
    assert.deepEqual(Object.keys(first.announcement).sort(), ['apiKeyFile', 'caFile', 'dataDir', 'orgId', 'pid', 'url']);
    assert.equal(first.announcement.pid, first.child.pid);
    const apiKey = readFileSync(first.announcement.apiKeyFile as string, 'utf8').trim();
    assert.ok(!first.line.includes(apiKey), 'the announcement holds no secret');
    if (process.platform !== 'win32') assert.equal(statSync(first.announcement.apiKeyFile as string).mode & 0o777, 0o600);

    const connect = (url: string) =>
      new JumpCloudClient({ baseUrl: url, apiKey, ca: readFileSync(first.announcement.caFile as string, 'utf8'), timeoutMs: 5000 });
    let client = connect(first.announcement.url as string);
    assert.equal(await client.countUsers(), 285);
    const added = await client.createUser({ username: 'survives.restart', email: 'survives.restart@example.com' });
    client.close();
    assert.equal(await stop(first.child), 0);

    const second = await startCli(['--data', dataDir, '--port', '0']);
    assert.equal(second.announcement.orgId, first.announcement.orgId);
    client = connect(second.announcement.url as string);
    assert.equal((await client.getUser(added._id)).username, 'survives.restart');
    assert.equal(await client.countUsers(), 286);
    client.close();
    assert.equal(await stop(second.child), 0);
  });

  it('takes its API key from --api-key-file, and refuses a file without a usable key', async () => {
    const own = mkdtempSync(join(tmpdir(), 'jcadi-sandbox-keyfile-'));
    const keyFile = join(own, 'rehearsal.key');
    const key = `Rehearsal-${Date.now().toString(36)}-Key-0123456789`;
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const started = await startCli(['--data', join(own, 'data'), '--port', '0', '--api-key-file', keyFile]);
    assert.equal(started.announcement.apiKeyFile, keyFile);
    assert.equal(existsSync(join(own, 'data', 'apikey.secret')), false, 'no key of its own');
    const client = new JumpCloudClient({
      baseUrl: started.announcement.url as string,
      apiKey: key,
      ca: readFileSync(started.announcement.caFile as string, 'utf8'),
      timeoutMs: 5000,
    });
    assert.equal(await client.countUsers(), 0);
    client.close();
    assert.equal(await stop(started.child), 0);

    writeFileSync(keyFile, 'short\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'engine/src/main.ts'), 'sandbox', '--data', join(own, 'data'), '--api-key-file', keyFile],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    assert.equal(await new Promise<number | null>((r) => child.once('exit', r)), 2);
    assert.match(stderr, /--api-key-file: the API key file .* must hold one key of 16 to 256 visible ASCII characters/);
    assert.doesNotMatch(stderr, /short/);
  });

  it('refuses bad flags with exit 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/src/main.ts'), 'sandbox', '--seed', 'huge'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 2);
    assert.match(stderr, /--seed must be one of empty, demo/);
  });
});
