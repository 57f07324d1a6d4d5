// A refusal the sandbox answers with a JumpCloud-style body `{ code, message, status }`; the agent
// channel adds `error`, a stable name the agent client turns into an error id.
import { STATUS_CODES } from 'node:http';

export class SandboxError extends Error {
  readonly status: number;
  readonly errorName: string | null;

  constructor(status: number, message: string, errorName: string | null = null) {
    super(message);
    this.name = 'SandboxError';
    this.status = status;
    this.errorName = errorName;
  }

  body(): Record<string, unknown> {
    return { code: this.status, message: this.message, status: STATUS_CODES[this.status] ?? 'Error', ...(this.errorName ? { error: this.errorName } : {}) };
  }
}
