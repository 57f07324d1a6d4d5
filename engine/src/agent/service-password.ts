// The service account's password in the agent's config (agent.json), as a store of a password
// rotation (engine/src/delegation/rotation.ts): the new password is staged next to the current one
// (`serviceAccount.pendingPassword`, protected like every secret), then committed (it becomes
// `serviceAccount.password`) or rolled back (dropped). Each step is one atomic rewrite of the
// config (temp file + rename): a reader sees the old file or the new one, never a mix, and no
// password is ever written in clear. The running agent uses the same functions: when its bind
// fails it tries the pending password and, if AD takes it, commits it itself (./runner.ts).
import { readAgentConfig, SECRET_PURPOSE, writeAgentConfig, type AgentConfig } from './config';
import type { SecretProtector } from '../config/protect';
import type { PasswordStore } from '../delegation/rotation';

/** Writes `password` as the pending one (replacing an older pending one). */
export async function stagePendingPassword(configFile: string, protector: SecretProtector, password: string): Promise<void> {
  const config = readAgentConfig(configFile);
  const pendingPassword = await protector.protect(password, SECRET_PURPOSE.pendingBindPassword);
  writeAgentConfig(configFile, { ...config, serviceAccount: { ...config.serviceAccount, pendingPassword } });
}

/** Makes `password` the config's password and drops the pending one. Idempotent. */
export async function commitPassword(configFile: string, protector: SecretProtector, password: string): Promise<void> {
  const config = readAgentConfig(configFile);
  const next: AgentConfig = {
    ...config,
    serviceAccount: { bindDN: config.serviceAccount.bindDN, password: await protector.protect(password, SECRET_PURPOSE.bindPassword) },
  };
  writeAgentConfig(configFile, next);
}

/** Drops the pending password; the config keeps its current one. No write when none is pending. */
export function dropPendingPassword(configFile: string): void {
  const config = readAgentConfig(configFile);
  if (!config.serviceAccount.pendingPassword) return;
  writeAgentConfig(configFile, { ...config, serviceAccount: { bindDN: config.serviceAccount.bindDN, password: config.serviceAccount.password } });
}

/** The config's current and pending passwords, opened (in memory only). */
export async function readConfigPasswords(config: AgentConfig, protector: SecretProtector): Promise<{ current: string; pending: string | null }> {
  const { password, pendingPassword } = config.serviceAccount;
  return {
    current: await protector.unprotect(password, SECRET_PURPOSE.bindPassword),
    pending: pendingPassword ? await protector.unprotect(pendingPassword, SECRET_PURPOSE.pendingBindPassword) : null,
  };
}

/** The agent config as a store of a password rotation. */
export class AgentConfigPasswordStore implements PasswordStore {
  readonly name: string;
  #staged: string | null = null;

  constructor(
    readonly configFile: string,
    private readonly protector: SecretProtector,
  ) {
    this.name = `agent config ${configFile}`;
  }

  async stage(newPassword: string): Promise<void> {
    await stagePendingPassword(this.configFile, this.protector, newPassword);
    this.#staged = newPassword;
  }

  async commit(): Promise<void> {
    if (this.#staged === null) throw new Error('nothing staged to commit');
    await commitPassword(this.configFile, this.protector, this.#staged);
    this.#staged = null;
  }

  async rollback(): Promise<void> {
    dropPendingPassword(this.configFile);
    this.#staged = null;
  }
}
