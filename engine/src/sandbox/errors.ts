// A refusal the sandbox answers with a JumpCloud-style body `{ code, message, status }`; the agent
// channel adds `error`, a stable name the agent client turns into an error id.
import { STATUS_CODES } from 'node:http';

export class SandboxError extends Error {
  readonly status: number;
  readonly errorName: string | null;
  /** Further fields of the body, e.g. JumpCloud's `details` with field violations. */
  readonly extra: Record<string, unknown>;

  constructor(status: number, message: string, errorName: string | null = null, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'SandboxError';
    this.status = status;
    this.errorName = errorName;
    this.extra = extra;
  }

  body(): Record<string, unknown> {
    return {
      code: this.status,
      message: this.message,
      status: STATUS_CODES[this.status] ?? 'Error',
      ...(this.errorName ? { error: this.errorName } : {}),
      ...this.extra,
    };
  }
}

/** JumpCloud's 400 details: one google.rpc.BadRequest entry listing the field violations. */
export function fieldViolationDetails(violations: Array<{ field: string; description: string }>): Record<string, unknown> {
  return { details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolationsList: violations }] };
}
