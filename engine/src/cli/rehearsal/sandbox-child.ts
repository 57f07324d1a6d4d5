// The rehearsal's JumpCloud: the project's sandbox started as a child process of the engine
// (`jcadi-engine sandbox --seed rehearsal --port 0`) in a folder of its own, and its admin
// surface (the console of the rehearsal org) called over HTTPS with the sandbox's CA. The API key
// is read from the sandbox's key file and never leaves this process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { EngineError, ExitCode } from '../../errors';

export interface SandboxChild {
  url: string;
  caFile: string;
  apiKey: string;
  orgId: string;
  pid: number;
  dataDir: string;
  admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts the sandbox and waits for its one announcement line (at most `timeoutMs`). */
export async function startSandboxChild(engineFile: string, engineArgs: string[], dataDir: string, timeoutMs = 60_000): Promise<SandboxChild> {
  const child: ChildProcess = spawn(engineFile, [...engineArgs, 'sandbox', '--data', dataDir, '--port', '0', '--seed', 'rehearsal'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  const announced = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the sandbox did not start within ${timeoutMs / 1000} s: ${stderr.trim()}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.slice(0, newline)) as Record<string, unknown>);
      } catch {
        child.kill();
        reject(new Error(`the sandbox announced something that is not JSON: ${out.slice(0, 200)}`));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start the sandbox (${engineFile}): ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited with code ${String(code)} before it started: ${stderr.trim()}`));
    });
  });
  child.stdout?.resume();
  const url = String(announced.url);
  const caFile = String(announced.caFile);
  const apiKey = readFileSync(String(announced.apiKeyFile), 'utf8').trim();
  const ca = readFileSync(caFile, 'utf8');
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const admin = (method: string, path: string, body?: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
      const req = request(
        new URL(`/sandbox/admin${path}`, url),
        {
          method,
          ca,
          headers: { 'x-api-key': apiKey, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = null;
            try {
              parsed = text === '' ? {} : JSON.parse(text);
            } catch {
              parsed = { text };
            }
            if ((res.statusCode ?? 500) >= 300) {
              reject(
                new EngineError('Rehearsal.SandboxCall', `The rehearsal sandbox refused ${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`, {
                  category: 'InvalidOperation',
                  exitCode: ExitCode.Internal,
                }),
              );
              return;
            }
            resolve((Array.isArray(parsed) ? { items: parsed } : parsed) as Record<string, unknown>);
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });

  return {
    url,
    caFile,
    apiKey,
    orgId: String(announced.orgId),
    pid: child.pid ?? Number(announced.pid),
    dataDir,
    admin,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
