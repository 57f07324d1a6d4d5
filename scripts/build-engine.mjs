#!/usr/bin/env node
// Builds the engine into one executable with Node's Single Executable Applications feature:
//   esbuild bundle (one CJS file) → SEA blob (with code cache) → copy of this node → postject.
// Output: build/jcadi-engine. Needs no node_modules and no node on PATH at run time.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');
const bundle = join(out, 'engine.cjs');
const blob = join(out, 'engine.blob');
const exe = join(out, 'jcadi-engine');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const quiet = process.argv.includes('--quiet');
const say = (msg) => quiet || console.log(`build: ${msg}`);

const started = Date.now();
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'engine/src/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // SEA's require() only loads built-in modules; everything else is bundled.
  banner: { js: "require = require('node:module').createRequire(__filename);" },
  legalComments: 'none',
  logLevel: quiet ? 'error' : 'warning',
});
say(`bundled ${(statSync(bundle).size / 1024).toFixed(0)} KiB`);

const seaConfig = join(out, 'sea-config.json');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: quiet ? 'ignore' : 'inherit' });

// Inject into a copy of the running node (its version is the one the blob was made for).
const tmp = `${exe}.tmp`;
rmSync(tmp, { force: true });
copyFileSync(process.execPath, tmp);
chmodSync(tmp, 0o755);
try {
  execFileSync('strip', ['--strip-all', tmp], { stdio: 'ignore' });
} catch {
  say('strip not available; the executable stays unstripped');
}
const postject = join(root, 'node_modules/postject/dist/cli.js');
if (!existsSync(postject)) throw new Error('postject is missing: run npm run setup');
execFileSync(process.execPath, [postject, tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { stdio: 'ignore' });
renameSync(tmp, exe);

const version = execFileSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '' } }).trim();
const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
if (version !== `jcadi-engine ${expected}`) throw new Error(`built engine answered '${version}', expected version ${expected}`);
say(`${exe} (${(statSync(exe).size / 1048576).toFixed(0)} MiB, ${version}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
