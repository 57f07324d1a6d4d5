// What the engine evaluates when it starts. The bundle is built with the build's own esbuild
// options plus one marker at the end of every module, then run with node: --version must
// evaluate no library at all, and exec only what the named command needs. A static import of a
// heavy module on the start-up path (main.ts, cli/exec.ts, cli/commands/index.ts) fails here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { REPO_ROOT } from '../helpers/testdc';

/** Appends `globalThis.__evaluated.push(<file>)` to every JS/TS module: it runs when the module has run. */
const markEvaluation: Plugin = {
  name: 'mark-evaluation',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      const file = relative(REPO_ROOT, args.path);
      const contents = `${readFileSync(args.path, 'utf8')}\n;globalThis.__evaluated.push(${JSON.stringify(file)});\n`;
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js', resolveDir: dirname(args.path) };
    });
  },
};

// Libraries and engine folders that only some commands need.
const HEAVY = [
  'node_modules/ldapts/',
  'node_modules/axios/',
  'node_modules/csv-parse/',
  'node_modules/mime-db/',
  'engine/src/sandbox/',
  'engine/src/agent/',
  'engine/src/jumpcloud/',
  'engine/src/sync/',
  'engine/src/ad/session.ts',
];

let dir: string;
let bundle: string;
let hadNonAscii = false;

/** Runs the marked bundle; returns what it evaluated and what it printed. */
function start(args: string[], request?: Record<string, unknown>): { evaluated: string[]; stdout: string; status: number | null } {
  const evaluatedFile = join(dir, 'evaluated.json');
  rmSync(evaluatedFile, { force: true });
  const input = request ? JSON.stringify({ ...request, logFile: join(dir, 'engine.log') }) : '';
  const r = spawnSync(process.execPath, [bundle, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, EVALUATED_FILE: evaluatedFile },
    timeout: 30_000,
  });
  assert.equal(r.stderr, '');
  return { evaluated: JSON.parse(readFileSync(evaluatedFile, 'utf8')) as string[], stdout: r.stdout, status: r.status };
}

const heavyIn = (evaluated: string[]) => evaluated.filter((file) => HEAVY.some((heavy) => file.startsWith(heavy)));

describe('engine start-up', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jcadi-startup-'));
    bundle = join(dir, 'engine.cjs');
    const { asciiOnly, engineBundleOptions } = (await import(pathToFileURL(join(REPO_ROOT, 'scripts/engine-bundle.mjs')).href)) as {
      asciiOnly: (file: string) => void;
      engineBundleOptions: (root: string, outfile: string) => BuildOptions & { banner: { js: string } };
    };
    const options = engineBundleOptions(REPO_ROOT, bundle);
    const collect =
      "globalThis.__evaluated = []; process.on('exit', () => require('node:fs').writeFileSync(process.env.EVALUATED_FILE, JSON.stringify(globalThis.__evaluated)));";
    await build({ ...options, banner: { js: `${options.banner.js}\n${collect}` }, plugins: [markEvaluation], logLevel: 'error' });
    hadNonAscii = readFileSync(bundle).some((b) => b > 0x7f);
    asciiOnly(bundle);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is pure ASCII, so V8 holds its source one byte per character (every test here runs it so)', () => {
    assert.ok(hadNonAscii, 'esbuild carries comments with non-ASCII characters over (what asciiOnly is for)');
    const bytes = readFileSync(bundle);
    assert.equal(
      bytes.findIndex((b) => b > 0x7f),
      -1,
    );
  });

  it('evaluates no library and only the entry point for --version', () => {
    const { evaluated, stdout, status } = start(['--version']);
    assert.equal(status, 0);
    assert.match(stdout, /^jcadi-engine \d+\.\d+\.\d+\n$/);
    assert.ok(evaluated.includes('engine/src/main.ts'), 'the markers work');
    assert.deepEqual(
      evaluated.filter((file) => file.startsWith('node_modules/')),
      [],
    );
    assert.deepEqual(
      evaluated.filter((file) => !['engine/src/main.ts', 'engine/src/version.ts', 'engine/src/errors.ts', 'engine/src/util/heap.ts'].includes(file)),
      [],
    );
  });

  it('evaluates neither the network libraries nor the other commands for a version request', () => {
    const { evaluated, stdout, status } = start(['exec'], { protocol: 1, command: 'version' });
    assert.equal(status, 0);
    assert.match(stdout, /"recordType":"JumpCloudADI.EngineInfo"/);
    assert.ok(evaluated.includes('engine/src/cli/commands/version.ts'), 'the command ran');
    assert.deepEqual(heavyIn(evaluated), []);
    assert.deepEqual(
      evaluated.filter((file) => file.startsWith('engine/src/cli/commands/') && !file.endsWith('/index.ts') && !file.endsWith('/version.ts')),
      [],
    );
    // `import * as z` lets the bundle drop zod's locales but English (eslint.config.mjs insists on it).
    const locales = evaluated.filter((file) => /^node_modules\/zod\/.*\/locales\/[^/]+\.js$/.test(file));
    assert.ok(
      locales.some((file) => file.endsWith('/en.js')),
      'zod validates the request',
    );
    assert.deepEqual(
      locales.filter((file) => !/\/(en|index)\.js$/.test(file)),
      [],
    );
  });

  it('checks a Root User DN without loading LDAP when no DC is given', () => {
    const { evaluated, stdout, status } = start(['exec'], {
      protocol: 1,
      command: 'test-rootdn',
      params: { rootUserDN: 'OU=Corporate Users;DC=example;DC=com' },
    });
    assert.equal(status, 0);
    assert.match(stdout, /"LdapDN":"OU=Corporate Users,DC=example,DC=com"/);
    assert.ok(evaluated.includes('engine/src/ad/rootdn.ts'), 'the Root DN parser ran');
    assert.deepEqual(heavyIn(evaluated), []);
  });
});
