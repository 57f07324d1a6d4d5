// Where the engine keeps its own files when a request or config names none.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.JCADI_STATE_DIR) return env.JCADI_STATE_DIR; // empty counts as unset
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'JumpCloudADI');
  return join(env.XDG_STATE_HOME ?? join(env.HOME ?? homedir(), '.local', 'state'), 'jumpcloudadi');
}

export function defaultJournalFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultStateDir(env), 'journal.jsonl');
}
