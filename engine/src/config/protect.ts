// Secrets at rest in the agent's config: one small adapter per platform.
//   Linux and other POSIX systems: a 32-byte key file readable only by the service's account
//   (0600), AES-256-GCM with the field's name as additional authenticated data, so a value
//   cannot be moved to another field.
//   Windows: DPAPI, LocalMachine scope, through Windows PowerShell started by its full path under
//   the system folder (Node has no DPAPI binding). The plaintext or blob travels on the child's
//   STDIN, never on its command line or environment. LocalMachine scope means any process of the
//   machine that can read the blob can open it: what keeps the secrets is the install folder's
//   ACL (SYSTEM, Administrators and the service's own virtual account only; engine/src/config/
//   folder.ts). The README's security section says why this scope and not the service account's
//   CurrentUser scope. The field name is the DPAPI entropy: a value opens only for its own field.
import { spawn } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import * as z from 'zod';
import { EngineError, ExitCode, type ErrorId } from '../errors';
import { ownLikeFolder } from '../util/files';
import { windowsPowerShellPath, windowsSystemDirectory } from '../util/windows';

const PROTECTION_SCHEMES = ['keyfile-aes256gcm-v1', 'dpapi-localmachine-v1'] as const;
type ProtectionScheme = (typeof PROTECTION_SCHEMES)[number];

export const protectedValueSchema = z.strictObject({
  scheme: z.enum(PROTECTION_SCHEMES),
  /** keyfile: base64url(nonce ‖ ciphertext ‖ tag); dpapi: base64 of the DPAPI blob. */
  data: z.string().min(1).max(65_536),
});
export type ProtectedValue = z.infer<typeof protectedValueSchema>;

export interface SecretProtector {
  readonly scheme: ProtectionScheme;
  /** `purpose` names the field (e.g. "dc.bindPassword"); the value opens only for the same purpose. */
  protect(plain: string, purpose: string): Promise<ProtectedValue>;
  unprotect(value: ProtectedValue, purpose: string): Promise<string>;
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function secretsError(id: ErrorId, message: string, target: string | null = null): EngineError {
  return new EngineError(id, message, { category: 'SecurityError', exitCode: ExitCode.BadRequest, target });
}

/** AES-256-GCM under a key file that only the service's account can read. */
export class KeyFileProtector implements SecretProtector {
  readonly scheme = 'keyfile-aes256gcm-v1' as const;
  #key: Buffer | null = null;

  constructor(
    readonly keyFile: string,
    private readonly options: { create: boolean; platform?: NodeJS.Platform } = { create: false },
  ) {}

  #loadKey(): Buffer {
    if (this.#key) return this.#key;
    const posix = (this.options.platform ?? process.platform) !== 'win32';
    if (!existsSync(this.keyFile)) {
      if (!this.options.create)
        throw secretsError(
          'Agent.KeyFileMissing',
          `The agent's key file ${this.keyFile} is missing: the config's secrets cannot be opened. Reinstall the agent.`,
          this.keyFile,
        );
      const key = randomBytes(KEY_BYTES);
      // 'wx': never overwrite a key another process made a moment ago.
      const fd = openSync(this.keyFile, 'wx', 0o600);
      try {
        writeSync(fd, key.toString('base64') + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      ownLikeFolder(this.keyFile);
    }
    if (posix) {
      const mode = statSync(this.keyFile).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        throw secretsError(
          'Agent.KeyFileInsecure',
          `The agent's key file ${this.keyFile} is readable by other accounts (mode ${mode.toString(8).padStart(4, '0')}); it must be 0600. Run: chmod 600 '${this.keyFile}'.`,
          this.keyFile,
        );
      }
    }
    const key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
    if (key.length !== KEY_BYTES)
      throw secretsError('Agent.KeyFileInvalid', `The agent's key file ${this.keyFile} does not hold a ${KEY_BYTES}-byte key.`, this.keyFile);
    this.#key = key;
    return key;
  }

  async protect(plain: string, purpose: string): Promise<ProtectedValue> {
    const key = this.#loadKey();
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from(`jcadi-config-v1|${purpose}`, 'utf8'));
    const input = Buffer.from(plain, 'utf8');
    const sealed = Buffer.concat([nonce, cipher.update(input), cipher.final(), cipher.getAuthTag()]);
    input.fill(0);
    return { scheme: this.scheme, data: sealed.toString('base64url') };
  }

  async unprotect(value: ProtectedValue, purpose: string): Promise<string> {
    if (value.scheme !== this.scheme)
      throw secretsError(
        'Agent.SecretSchemeMismatch',
        `${purpose} is protected with ${value.scheme}, not ${this.scheme}: the config was made on another platform.`,
        purpose,
      );
    const key = this.#loadKey();
    const sealed = Buffer.from(value.data, 'base64url');
    // A nonce, at least one byte of ciphertext (no secret is empty) and a full 16-byte tag.
    if (sealed.length < NONCE_BYTES + 1 + TAG_BYTES) throw secretsError('Agent.SecretUnreadable', `${purpose} in the agent's config is damaged.`, purpose);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(`jcadi-config-v1|${purpose}`, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      const text = plain.toString('utf8');
      plain.fill(0);
      return text;
    } catch {
      throw secretsError(
        'Agent.SecretUnreadable',
        `${purpose} in the agent's config cannot be opened with the key file ${this.keyFile} (altered, or made with another key).`,
        purpose,
      );
    }
  }
}

/** Runs a program with `input` on its stdin and resolves with its stdout; the seam tests replace. */
export type StdinRunner = (file: string, args: string[], input: string) => Promise<{ code: number | null; stdout: string; stderr: string }>;

/** Runs `file` (a full path) from the system folder on Windows, so nothing resolves through the caller's folder. */
const runWithStdin: StdinRunner = (file, args, input) =>
  new Promise((resolve, reject) => {
    const cwd = process.platform === 'win32' ? windowsSystemDirectory() : undefined;
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true, cwd, shell: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(input);
  });

/**
 * The PowerShell that performs DPAPI. Constant text: what to do and the data come on stdin as
 * three lines (operation, entropy base64, data base64); the answer is one base64 line.
 */
const DPAPI_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  'Add-Type -AssemblyName System.Security',
  '$op = [Console]::In.ReadLine()',
  '$entropy = [Convert]::FromBase64String([Console]::In.ReadLine())',
  '$data = [Convert]::FromBase64String([Console]::In.ReadLine())',
  '$scope = [System.Security.Cryptography.DataProtectionScope]::LocalMachine',
  "if ($op -eq 'protect') { $out = [System.Security.Cryptography.ProtectedData]::Protect($data, $entropy, $scope) }",
  "elseif ($op -eq 'unprotect') { $out = [System.Security.Cryptography.ProtectedData]::Unprotect($data, $entropy, $scope) }",
  "else { throw 'unknown operation' }",
  '[Console]::Out.Write([Convert]::ToBase64String($out))',
  '[Array]::Clear($data, 0, $data.Length); [Array]::Clear($out, 0, $out.Length)',
].join('; ');

export const DPAPI_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', DPAPI_SCRIPT];

/** Windows DPAPI (LocalMachine scope) through Windows PowerShell by full path; the field name is the entropy. */
export class DpapiProtector implements SecretProtector {
  readonly scheme = 'dpapi-localmachine-v1' as const;

  constructor(
    private readonly run: StdinRunner = runWithStdin,
    private readonly powershell = windowsPowerShellPath(),
  ) {}

  async #call(op: 'protect' | 'unprotect', data: Buffer, purpose: string): Promise<Buffer> {
    const input = `${op}\n${Buffer.from(`jcadi-config-v1|${purpose}`, 'utf8').toString('base64')}\n${data.toString('base64')}\n`;
    let result;
    try {
      result = await this.run(this.powershell, DPAPI_ARGS, input);
    } catch (err) {
      throw secretsError('Agent.DpapiFailed', `Cannot run ${this.powershell} for DPAPI: ${(err as Error).message}`, purpose);
    }
    const text = result.stdout.trim();
    if (result.code !== 0 || !/^[A-Za-z0-9+/=]+$/.test(text)) {
      // DPAPI's own error text never contains the data; keep it short anyway.
      throw secretsError('Agent.DpapiFailed', `DPAPI ${op} of ${purpose} failed (exit ${result.code}): ${result.stderr.trim().slice(0, 300)}`, purpose);
    }
    return Buffer.from(text, 'base64');
  }

  async protect(plain: string, purpose: string): Promise<ProtectedValue> {
    const input = Buffer.from(plain, 'utf8');
    try {
      return { scheme: this.scheme, data: (await this.#call('protect', input, purpose)).toString('base64') };
    } finally {
      input.fill(0);
    }
  }

  async unprotect(value: ProtectedValue, purpose: string): Promise<string> {
    if (value.scheme !== this.scheme)
      throw secretsError(
        'Agent.SecretSchemeMismatch',
        `${purpose} is protected with ${value.scheme}, not ${this.scheme}: the config was made on another platform.`,
        purpose,
      );
    const plain = await this.#call('unprotect', Buffer.from(value.data, 'base64'), purpose);
    const text = plain.toString('utf8');
    plain.fill(0);
    return text;
  }
}

/** The platform's protector for a config whose key file (POSIX) is `keyFile`. */
export function platformProtector(
  keyFile: string,
  options: { create: boolean; platform?: NodeJS.Platform; run?: StdinRunner } = { create: false },
): SecretProtector {
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') return new DpapiProtector(options.run);
  return new KeyFileProtector(keyFile, { create: options.create, platform });
}
