// Smoke test of the Windows engine (build/jcadi-engine.exe) under wine64: it starts, answers
// --version and one protocol request. Wine's pipes are not Windows pipes, so stdin and stdout
// go through files here; real Windows uses pipes (the module's bridge). Wine has no Windows
// PowerShell, which the engine needs to create its state folder (%ProgramData%\JumpCloudADI) with
// the right access: the runs name a log file instead (JCADI_LOG_FILE), and one run proves that
// without it the engine refuses rather than write into a folder it could not secure.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/testdc';

const exe = join(REPO_ROOT, 'build', 'jcadi-engine.exe');
const WINEPREFIX = join(REPO_ROOT, 'build', 'wineprefix');
const wine = ['/usr/lib/wine/wine64', '/usr/bin/wine64'].find((p) => existsSync(p));
const skip = !wine ? 'wine64 is not installed (npm run setup installs it)' : !existsSync(exe) ? 'build/jcadi-engine.exe was not built' : false;

function runUnderWine(args: string[], stdin: string, options: { stateFolder?: boolean } = {}): { status: number | null; stdout: string } {
  const dir = join(REPO_ROOT, 'build', 'wine-smoke');
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'stdin.json');
  const output = join(dir, 'stdout.txt');
  writeFileSync(input, stdin);
  // Wine maps the Linux root to Z:.
  const logFile = options.stateFolder ? {} : { JCADI_LOG_FILE: `Z:${join(dir, 'engine.log').replaceAll('/', '\\')}` };
  const r = spawnSync('sh', ['-c', '"$0" "$@" < "$IN" > "$OUT" 2>/dev/null', wine as string, exe, ...args], {
    env: { ...process.env, IN: input, OUT: output, WINEPREFIX, WINEDEBUG: '-all', NODE_SKIP_PLATFORM_CHECK: '1', ...logFile },
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
    const { status, stdout } = runUnderWine(
      ['exec'],
      JSON.stringify({ protocol: 1, command: 'test-rootdn', params: { rootUserDN: 'OU=Corporate Users;DC=example;DC=com' } }),
    );
    assert.equal(status, 0);
    const lines = stdout
      .trim()
      .split(/\r?\n/)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.at(-1)?.type, 'result');
    const record = lines.find((l) => l.type === 'record');
    assert.equal((record?.data as Record<string, unknown>).LdapDN, 'OU=Corporate Users,DC=example,DC=com');
  });

  it('reports win32 as its platform', { timeout: 240_000 }, () => {
    const { stdout } = runUnderWine(['exec'], JSON.stringify({ protocol: 1, command: 'version' }));
    assert.match(stdout, /"Platform":"win32"/);
  });

  it("refuses to create its state folder when it cannot set the folder's access (no Windows PowerShell under wine)", { timeout: 240_000 }, () => {
    // A state folder left by an older engine would be used as it is (only links are refused then).
    rmSync(join(WINEPREFIX, 'drive_c', 'ProgramData', 'JumpCloudADI'), { recursive: true, force: true });
    const { status, stdout } = runUnderWine(['exec'], JSON.stringify({ protocol: 1, command: 'version' }), { stateFolder: true });
    assert.equal(status, 2);
    const error = stdout
      .trim()
      .split(/\r?\n/)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.type === 'error');
    assert.equal(error?.id, 'Folder.SecureFailed');
    assert.match(String(error?.message), /JumpCloudADI: .*powershell\.exe/i);
  });
});
