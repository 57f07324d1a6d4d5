// Programs by full path: Windows looks for a bare program name in the current folder before
// PATH, so a powershell.exe or sc.exe planted in a writable folder would run with the agent's (or
// an administrator's) rights. This scans every spawn in engine/ and module/ (and the service
// host) and fails on a Windows system program named without its full path.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/testdc';

/** Windows programs the engine, the module or the service host could start. */
const WINDOWS_PROGRAMS = [
  'powershell',
  'pwsh',
  'sc',
  'cmd',
  'taskkill',
  'icacls',
  'dsacls',
  'net',
  'net1',
  'reg',
  'wmic',
  'whoami',
  'netsh',
  'certutil',
  'schtasks',
  'takeown',
  'setspn',
  'nltest',
  'dcdiag',
  'repadmin',
  'wevtutil',
  'eventcreate',
];
const PROGRAM = new RegExp(`^(?:${WINDOWS_PROGRAMS.join('|')})(?:\\.exe)?$`, 'i');
/** A string literal naming one of them, with or without .exe, and nothing before it (no folder). */
const BARE_LITERAL = new RegExp(`(['"\`])(?:${WINDOWS_PROGRAMS.join('|')})\\.exe\\1`, 'gi');

function files(dir: string, ext: RegExp): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'bin' && entry.name !== 'obj') found.push(...files(path, ext));
    else if (ext.test(entry.name)) found.push(path);
  }
  return found;
}

/** The code of a file without its comments (line comments, block comments, PowerShell help blocks). */
function code(text: string, kind: 'ts' | 'ps1' | 'cs'): string[] {
  const noBlocks =
    kind === 'ps1' ? text.replace(/<#[\s\S]*?#>/g, (m) => m.replace(/[^\n]/g, ' ')) : text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
  return noBlocks.split('\n').map((line) => (kind === 'ps1' ? (/^\s*#/.test(line) ? '' : line) : /^\s*\/\//.test(line) ? '' : line));
}

/** Every place a program is started, with the expression naming it. */
function spawnSites(file: string): Array<{ where: string; program: string }> {
  const kind = file.endsWith('.ps1') ? 'ps1' : file.endsWith('.cs') ? 'cs' : 'ts';
  const lines = code(readFileSync(file, 'utf8'), kind);
  const sites: Array<{ where: string; program: string }> = [];
  const patterns =
    kind === 'ts'
      ? [/\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync|fork)\(\s*([^,)]+)/g]
      : kind === 'cs'
        ? [/new\s+ProcessStartInfo\(\s*([^,)]+)/g, /\bFileName\s*=\s*([^,;]+)/g, /Process\.Start\(\s*("[^"]*")/g]
        : [/(?:^|[\s(;{|])&\s+([^\s@|;)]+)/g, /-FilePath\s+([^\s)]+)/g, /\bStart-Process\s+(?!-)([^\s)]+)/g, /Process\]::Start\(\s*([^,)]+)/g];
  lines.forEach((line, i) => {
    for (const pattern of patterns)
      for (const match of line.matchAll(pattern)) sites.push({ where: `${relative(REPO_ROOT, file)}:${i + 1}`, program: (match[1] as string).trim() });
  });
  return sites;
}

const unquote = (expr: string) => expr.replace(/^(['"`])(.*)\1$/, '$2');

/** Bare Windows program names in a code line, except where handed to what prefixes the system folder. */
function bareNames(line: string): string[] {
  return [...line.matchAll(BARE_LITERAL)]
    .filter((match) => {
      const before = line.slice(0, match.index);
      return (
        !/GetJCSystemProgram\s+-Name\s*$/.test(before) &&
        !/Path\.Combine\(\s*Environment\.SystemDirectory,\s*$/.test(before) &&
        !/win32\.join\(windowsSystemDirectory\(env\),.*$/.test(before)
      );
    })
    .map((match) => match[0]);
}

describe('Windows programs are started by full path (engine/, module/, the service host)', () => {
  const sources = [
    ...files(join(REPO_ROOT, 'engine', 'src'), /\.ts$/),
    ...files(join(REPO_ROOT, 'module'), /\.ps1$/),
    ...files(join(REPO_ROOT, 'engine', 'service-host'), /\.cs$/),
  ];

  it('finds the spawns it checks (the scan itself works)', () => {
    const sites = sources.flatMap(spawnSites);
    const where = sites.map((s) => s.where).join(' ');
    assert.match(where, /engine\/src\/config\/protect\.ts/, 'the DPAPI runner');
    assert.match(where, /engine\/src\/config\/folder\.ts/, 'the folder thin layer');
    assert.match(where, /module\/Private\/InvokeJCNativeCommand\.ps1/, 'the module native command runner');
    assert.match(where, /engine\/service-host\/AgentSupervisor\.cs/, 'the service host');
  });

  it('no spawn names a Windows program by a bare name', () => {
    const bare = sources.flatMap(spawnSites).filter((site) => PROGRAM.test(unquote(site.program)));
    assert.deepEqual(bare, []);
  });

  it('no code line carries a bare Windows program name as a string (a default or a -FilePath value)', () => {
    const found: string[] = [];
    for (const file of sources) {
      const kind = file.endsWith('.ps1') ? 'ps1' : file.endsWith('.cs') ? 'cs' : 'ts';
      code(readFileSync(file, 'utf8'), kind).forEach((line, i) => {
        if (bareNames(line).length > 0) found.push(`${relative(REPO_ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    assert.deepEqual(found, []);
  });

  it('would catch the old forms, and lets the full-path forms through', () => {
    assert.deepEqual(bareNames("    private readonly powershell = 'powershell.exe',"), ["'powershell.exe'"]);
    assert.deepEqual(bareNames("InvokeJCNativeCommand -FilePath 'sc.exe' -ArgumentList @('delete')"), ["'sc.exe'"]);
    assert.deepEqual(bareNames("ScExe = (GetJCSystemProgram -Name 'sc.exe')"), []);
    assert.deepEqual(bareNames('new ProcessStartInfo(Path.Combine(Environment.SystemDirectory, "taskkill.exe"), args)'), []);
    assert.ok(PROGRAM.test(unquote("'powershell.exe'")) && PROGRAM.test('sc') && !PROGRAM.test('C:\\Windows\\System32\\sc.exe'));
    assert.deepEqual(bareNames("return win32.join(windowsSystemDirectory(env), 'WindowsPowerShell', 'v1.0', 'powershell.exe');"), []);
  });
});
