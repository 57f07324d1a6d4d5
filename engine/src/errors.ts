// The engine's small error taxonomy. Every failure that reaches the protocol is an EngineError:
// a stable id (the module's ErrorId), a PowerShell ErrorCategory name, an exit code and a target.
// The ids are catalogued in ./error-ids.ts: the constructor takes no other.
import type { ERROR_IDS, ErrorId } from './error-ids';

export type { ErrorId } from './error-ids';

export const ExitCode = {
  Ok: 0,
  PartialFailure: 1,
  BadRequest: 2,
  Unreachable: 3,
  AuthFailed: 4,
  Refused: 5,
  Internal: 10,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * What each exit code means, and the ErrorCategory the module gives an exit code that came without
 * a fatal error line. `jcadi-engine exec` with the `describe` command reports this table: the
 * module reads it from there (engine/PROTOCOL.md, Exit codes) instead of keeping a copy.
 */
export const EXIT_CODE_MEANINGS: Record<keyof typeof ExitCode, { meaning: string; category: ErrorCategory }> = {
  Ok: { meaning: 'success', category: 'NotSpecified' },
  PartialFailure: { meaning: 'finished, but some objects failed (per-object error lines say which)', category: 'NotSpecified' },
  BadRequest: { meaning: 'the request or the configuration is invalid', category: 'InvalidArgument' },
  Unreachable: { meaning: 'a service (the domain controller or JumpCloud) could not be reached', category: 'ConnectionError' },
  AuthFailed: { meaning: 'authentication or authorisation was refused', category: 'AuthenticationError' },
  Refused: { meaning: 'a safety rule refused the operation', category: 'LimitsExceeded' },
  Internal: { meaning: 'internal error (a bug: crash text on stderr)', category: 'NotSpecified' },
};

/** Names of System.Management.Automation.ErrorCategory values the engine uses. */
export type ErrorCategory =
  | 'NotSpecified'
  | 'InvalidArgument'
  | 'InvalidData'
  | 'InvalidOperation'
  | 'ObjectNotFound'
  | 'ResourceExists'
  | 'ConnectionError'
  | 'OperationTimeout'
  | 'AuthenticationError'
  | 'PermissionDenied'
  | 'SecurityError'
  | 'LimitsExceeded'
  | 'WriteError'
  | 'ReadError'
  | 'ProtocolError';

export interface EngineErrorOptions {
  category?: ErrorCategory;
  exitCode?: ExitCodeValue;
  target?: string | null;
  cause?: unknown;
  /** Extra, non-secret facts for the record (LDAP result code, AD extended code, HTTP status...). */
  details?: Record<string, unknown>;
}

export class EngineError extends Error {
  readonly id: ErrorId;
  readonly category: ErrorCategory;
  readonly exitCode: ExitCodeValue;
  readonly target: string | null;
  readonly details: Record<string, unknown>;

  constructor(id: ErrorId, message: string, options: EngineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.id = id;
    this.category = options.category ?? 'NotSpecified';
    this.exitCode = options.exitCode ?? ExitCode.Internal;
    this.target = options.target ?? null;
    this.details = options.details ?? {};
  }
}

export function badRequest(id: ErrorId, message: string, target?: string | null): EngineError {
  return new EngineError(id, message, { category: 'InvalidArgument', exitCode: ExitCode.BadRequest, target });
}

/** Wraps anything thrown that is not already an EngineError as an internal error (a bug). */
export function asEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError('Engine.Internal', `Internal engine error: ${message}`, {
    category: 'NotSpecified',
    exitCode: ExitCode.Internal,
    cause: err,
  });
}

// The catalogue's exit codes and categories are ones this taxonomy knows (checked when compiling;
// a type-only import, so `jcadi-engine --version` still evaluates nothing but errors.ts).
type CatalogueFits = typeof ERROR_IDS extends Record<string, { exit: ExitCodeValue | null; category: ErrorCategory | null }> ? true : never;
const catalogueFits: CatalogueFits = true;
void catalogueFits;
