// Windows programs the engine starts, by full path under the system folder. Never a bare name:
// Windows looks for a bare program name in the current folder before PATH, so a program planted
// in a writable folder would run instead (and with the agent's rights). A test scans engine/ and
// module/ for spawns that name a Windows program without its full path.
import { win32 } from 'node:path';

/** %SystemRoot% when it is a plain absolute local path (C:\Windows), else the standard one. */
function windowsRoot(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? '';
  return /^[A-Za-z]:\\[^"<>|?*;%]*$/.test(root) && !root.includes('..') ? root.replace(/\\+$/, '') : 'C:\\Windows';
}

/** C:\Windows\System32 (the folder is also the working folder of every program started from here). */
export function windowsSystemDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return win32.join(windowsRoot(env), 'System32');
}

/** Windows PowerShell 5.1, which every supported Windows Server has. */
export function windowsPowerShellPath(env: NodeJS.ProcessEnv = process.env): string {
  return win32.join(windowsSystemDirectory(env), 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}
