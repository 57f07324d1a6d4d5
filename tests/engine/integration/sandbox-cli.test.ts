// `jcadi-engine sandbox` as a process: one JSON line on stdout (no secrets) when it listens,
// the demo seed, state kept across a restart, a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { JumpCloudClient } from '../../../engine/src/jumpcloud/client';

const root = resolve(__dirname, '../../..');
const children: ChildProcess[] = [];

function startCli(args: string[]): Promise<{ child: ChildProcess; line: string; announcement: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/src/main.ts'), 'sandbox', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('refuses bad flags with exit 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'engine/src/main.ts'), 'sandbox', '--seed', 'huge'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 2);
    assert.match(stderr, /--seed must be one of empty, demo/);
  });
});
