#!/usr/bin/env node
// Builds the Windows service host (engine/service-host, C#, .NET 10):
//   build/jcadi-service.exe                    the service: `dotnet publish -r win-x64`, self-contained,
//                                              one file; shipped next to jcadi-engine.exe and installed with it
//   build/service-host/console/jcadi-service.dll  the same supervision code without the service
//                                              (`dotnet build`), run by the tests under `dotnet ... --console`
// Cached by a hash of the sources in build/cache/service-host-<hash>/: an unchanged host costs
// nothing. build-engine.mjs calls this; it also runs on its own (--quiet, --force).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICE_HOST_SOURCES = join(root, 'engine', 'service-host');
export const SERVICE_HOST_EXE = join(root, 'build', 'jcadi-service.exe');
export const SERVICE_HOST_CONSOLE_DLL = join(root, 'build', 'service-host', 'console', 'jcadi-service.dll');
const PROJECT = join(SERVICE_HOST_SOURCES, 'JumpCloudADI.ServiceHost.csproj');

/** A hash of every source file of the host (names and contents), so any edit rebuilds it. */
export function serviceHostSourceHash(dir = SERVICE_HOST_SOURCES) {
  const hash = createHash('sha256');
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'bin' && entry.name !== 'obj') walk(path);
      } else if (/\.(cs|csproj|props|targets)$/.test(entry.name)) {
        hash.update(relative(dir, path).replace(/\\/g, '/')).update('\0').update(readFileSync(path)).update('\0');
      }
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 16);
}

function dotnetAvailable() {
  try {
    execFileSync('dotnet', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds (or takes from the cache) the service host. Returns { cached, seconds }; throws with a
 * clear message when dotnet is missing or the build fails.
 */
export function buildServiceHost({ say = () => undefined, force = false } = {}) {
  const started = Date.now();
  const cache = join(root, 'build', 'cache', `service-host-${serviceHostSourceHash()}`);
  const cachedExe = join(cache, 'win-x64', 'jcadi-service.exe');
  const cachedConsole = join(cache, 'net10.0');
  const cached = !force && existsSync(cachedExe) && existsSync(join(cachedConsole, 'jcadi-service.dll'));
  if (!cached) {
    if (!dotnetAvailable()) {
      throw new Error(
        'the .NET SDK (dotnet) is not on PATH: it builds the Windows service host jcadi-service.exe (install the .NET 10 SDK; scripts/setup.sh checks it)',
      );
    }
    const env = { ...process.env, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_SKIP_FIRST_TIME_EXPERIENCE: '1' };
    const binDir = join(root, 'build', 'service-host', 'bin', 'Release');
    const staging = `${cache}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    const dotnet = (args, what) => {
      try {
        execFileSync('dotnet', [...args, '--nologo', '-v', 'quiet', '-clp:ErrorsOnly'], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      } catch (err) {
        const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
        throw new Error(`dotnet ${what} of ${relative(root, PROJECT)} failed:\n${output || err.message}`);
      }
    };
    // One after the other: both restore into the same obj/ folder.
    dotnet(['build', PROJECT, '-c', 'Release'], 'build');
    // (bin/Release/net10.0/win-x64 is the publish's intermediate, not part of the console build.)
    const consoleBin = join(binDir, 'net10.0');
    cpSync(consoleBin, join(staging, 'net10.0'), { recursive: true, filter: (src) => src !== join(consoleBin, 'win-x64') });
    dotnet(['publish', PROJECT, '-c', 'Release', '-r', 'win-x64', '-o', join(staging, 'win-x64')], 'publish (win-x64, self-contained)');
    rmSync(cache, { recursive: true, force: true });
    renameSync(staging, cache);
  }
  mkdirSync(dirname(SERVICE_HOST_CONSOLE_DLL), { recursive: true });
  cpSync(cachedExe, SERVICE_HOST_EXE);
  rmSync(dirname(SERVICE_HOST_CONSOLE_DLL), { recursive: true, force: true });
  cpSync(cachedConsole, dirname(SERVICE_HOST_CONSOLE_DLL), { recursive: true });
  const seconds = (Date.now() - started) / 1000;
  say(`${SERVICE_HOST_EXE} (${cached ? 'cached' : 'built'} in ${seconds.toFixed(1)} s)`);
  return { cached, seconds };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const quiet = process.argv.includes('--quiet');
  try {
    buildServiceHost({ say: (msg) => quiet || console.log(`build: ${msg}`), force: process.argv.includes('--force') });
  } catch (err) {
    console.error(`build: ${err.message}`);
    process.exit(1);
  }
}
