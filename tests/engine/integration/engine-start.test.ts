// The built engine (build/jcadi-engine) starts clean: node accepts its SEA code cache (it warns
// "Code cache data rejected." on stderr otherwise, and starts slower) and an offline request runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/testdc';

const ENGINE = join(REPO_ROOT, 'build', 'jcadi-engine');

function run(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  assert.ok(existsSync(ENGINE), `the engine is built (npm run build): ${ENGINE}`);
  const r = spawnSync(ENGINE, args, { input, encoding: 'utf8', env: { PATH: '' }, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('built engine start-up', () => {
  it('answers --version with nothing on stderr (the code cache is accepted)', () => {
    const { status, stdout, stderr } = run(['--version']);
    assert.equal(stderr, '');
    assert.equal(status, 0);
    assert.match(stdout, /^jcadi-engine \d+\.\d+\.\d+\n$/);
  });

  it('runs an offline test-rootdn request with nothing on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcadi-start-'));
    try {
      const request = {
        protocol: 1,
        command: 'test-rootdn',
        params: { rootUserDN: 'OU=Corporate Users;DC=example;DC=com', domain: 'DC=example;DC=com' },
        logFile: join(dir, 'engine.log'),
      };
      const { status, stdout, stderr } = run(['exec'], JSON.stringify(request));
      assert.equal(stderr, '');
      assert.equal(status, 0);
      const lines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; data?: Record<string, unknown> });
      assert.deepEqual(
        lines.map((line) => line.type),
        ['record', 'result'],
      );
      assert.equal(lines[0]?.data?.LdapDN, 'OU=Corporate Users,DC=example,DC=com');
      assert.equal(lines[0]?.data?.UnderDomain, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
