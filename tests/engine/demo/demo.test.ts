// `npm run demo`, the README's first command, run as an admin would and checked: it exits 0,
// syncs the demo org, installs the agent (which binds as jcsync, not as an administrator), sees
// each JumpCloud change in AD within seconds (the password by binding as the user), uninstalls
// it, and ends converged; no secret of the run is printed. It runs after the other suites
// (scripts/test.sh): it leaves OU=Corporate Users and the jcsync account on the test DC.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { adminPassword, REPO_ROOT } from '../helpers/testdc';

// PowerShell colours list labels; the checks read plain text.
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('npm run demo', { timeout: 600_000 }, () => {
  const run = spawnSync('bash', [join(REPO_ROOT, 'scripts', 'demo.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 580_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const out = plain(`${run.stdout}\n${run.stderr}`);

  it('exits 0', () => {
    assert.equal(run.status, 0, out.slice(-4000));
  });

  it('syncs the demo org, then installs the agent with a connect key, binding as jcsync', () => {
    assert.match(out, /=== Sync\n[\s\S]*Applied\s+: [1-9]\d*/);
    assert.match(out, /ServiceAccount\s+: jcsync@example\.com/);
    assert.match(out, /Running\s+: True\s+Role\s+: Primary/);
  });

  it('sees each change in AD within seconds, the password by binding as the user', () => {
    const seconds = [...out.matchAll(/in AD ([\d.]+) s after the change/g)].map((m) => Number(m[1]));
    assert.equal(seconds.length, 2, 'two waits reported');
    for (const s of seconds) assert.ok(s < 60, `${s} s`);
    for (const kind of ['renameUser', 'disableUser', 'setPassword']) assert.match(out, new RegExp(`\\b${kind}\\b`), `${kind} in the history`);
  });

  it('uninstalls the agent and ends converged: only skips are left', () => {
    assert.match(out, /Removed .*demo-agent/);
    assert.equal(existsSync(join(REPO_ROOT, 'build', 'demo-agent', 'AD Integration')), false);
    const last = out.slice(out.lastIndexOf('=== Converged'));
    const operations = [...last.matchAll(/^(\w+)\s{2,}\S/gm)].map((m) => m[1]).filter((op) => op !== 'Operation');
    assert.ok(operations.length > 0 && operations.every((op) => op === 'skip'), `left: ${operations.join(', ')}`);
  });

  it('prints no secret of the run (the sandbox API key, the DC administrator password)', () => {
    const secrets = [readFileSync(join(REPO_ROOT, 'build', 'demo-sandbox', 'apikey.secret'), 'utf8').trim(), adminPassword()];
    for (const secret of secrets) {
      assert.ok(secret.length >= 8);
      assert.equal(out.includes(secret), false);
    }
  });
});
