// Smoke test of the Windows engine (build/jcadi-engine.exe) under wine64: it starts, answers
// --version and one protocol request. Wine's pipes are not Windows pipes, so stdin and stdout
// go through files here; real Windows uses pipes (the module's bridge).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/testdc';

const exe = join(REPO_ROOT, 'build', 'jcadi-engine.exe');
const wine = ['/usr/lib/wine/wine64', '/usr/bin/wine64'].find((p) => existsSync(p));
const skip = !wine ? 'wine64 is not installed (npm run setup installs it)' : !existsSync(exe) ? 'build/jcadi-engine.exe was not built' : false;

function runUnderWine(args: string[], stdin: string): { status: number | null; stdout: string } {
  const dir = join(REPO_ROOT, 'build', 'wine-smoke');
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'stdin.json');
  const output = join(dir, 'stdout.txt');
  writeFileSync(input, stdin);
  const r = spawnSync('sh', ['-c', '"$0" "$@" < "$IN" > "$OUT" 2>/dev/null', wine as string, exe, ...args], {
    env: { ...process.env, IN: input, OUT: output, WINEPREFIX: join(REPO_ROOT, 'build', 'wineprefix'), WINEDEBUG: '-all', NODE_SKIP_PLATFORM_CHECK: '1' },
    timeout: 240_000,
  });
  return { status: r.status, stdout: existsSync(output) ? readFileSync(output, 'utf8') : '' };
}

describe('Windows engine under wine', { skip }, () => {
  it('answers --version', { timeout: 240_000 }, () => {
    const { status, stdout } = runUnderWine(['--version'], '');
    assert.equal(status, 0);
    assert.match(stdout, /^jcadi-engine \d+\.\d+\.\d+/);
  });

  it('answers a request over stdin with protocol lines', { timeout: 240_000 }, () => {
    const { status, stdout } = runUnderWine(['exec'], JSON.stringify({ protocol: 1, command: 'test-rootdn', params: { rootUserDN: 'OU=Corporate Users;DC=example;DC=com' } }));
    assert.equal(status, 0);
    const lines = stdout.trim().split(/\r?\n/).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.at(-1)?.type, 'result');
    const record = lines.find((l) => l.type === 'record');
    assert.equal((record?.data as Record<string, unknown>).LdapDN, 'OU=Corporate Users,DC=example,DC=com');
  });

  it('reports win32 as its platform', { timeout: 240_000 }, () => {
    const { stdout } = runUnderWine(['exec'], JSON.stringify({ protocol: 1, command: 'version' }));
    assert.match(stdout, /"Platform":"win32"/);
  });
});
