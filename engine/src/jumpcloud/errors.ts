// Every failure talking to JumpCloud becomes an EngineError with a stable id. Axios errors are
// never rethrown or kept as `cause`: their config carries the request headers, and with them the
// API key. Only plain facts (status, socket code, endpoint) survive into the error.
import { EngineError, ExitCode, type ErrorCategory, type ErrorId, type ExitCodeValue } from '../errors';
import { TLS_CODES } from '../util/tls-codes';
import { describeViolations, type FieldViolation } from './error-details';
import type { ProxyTunnelError } from './proxy';

/** Method and path (no query string, no host) of the call that failed, e.g. `GET /api/systemusers`. */
export type Endpoint = string;

export class JumpCloudSchemaError extends EngineError {
  readonly endpoint: Endpoint;
  readonly fieldPath: string;

  constructor(endpoint: Endpoint, fieldPath: string, problem: string) {
    super(
      'JumpCloud.SchemaMismatch',
      `JumpCloud answered ${endpoint} with data this engine cannot use: ${fieldPath || '(body)'}: ${problem}. The service may have changed; report this with the engine version.`,
      { category: 'ProtocolError', exitCode: ExitCode.Unreachable, target: endpoint, details: { endpoint, fieldPath } },
    );
    this.name = 'JumpCloudSchemaError';
    this.endpoint = endpoint;
    this.fieldPath = fieldPath;
  }
}

interface StatusRule {
  id: ErrorId;
  category: ErrorCategory;
  exitCode: ExitCodeValue;
  explain: (endpoint: Endpoint, serverMessage: string | null) => string;
}

const withServerText = (text: string, serverMessage: string | null) => (serverMessage ? `${text} JumpCloud said: "${serverMessage}".` : text);

const STATUS_RULES: Record<number, StatusRule> = {
  401: {
    id: 'JumpCloud.AuthFailed',
    category: 'AuthenticationError',
    exitCode: ExitCode.AuthFailed,
    explain: (endpoint, msg) =>
      withServerText(
        `JumpCloud refused ${endpoint} (401): the API key was refused. Check the key (Admin Portal → your name → API Settings); a multi-tenant administrator must also pass the organization id (orgId / x-org-id).`,
        msg,
      ),
  },
  403: {
    id: 'JumpCloud.Forbidden',
    category: 'PermissionDenied',
    exitCode: ExitCode.AuthFailed,
    explain: (endpoint, msg) =>
      withServerText(
        `JumpCloud forbade ${endpoint} (403): the administrator who owns this API key lacks the role for it, or the x-org-id (orgId) names an organization this key cannot administer.`,
        msg,
      ),
  },
  404: {
    id: 'JumpCloud.NotFound',
    category: 'ObjectNotFound',
    exitCode: ExitCode.PartialFailure,
    explain: (endpoint, msg) => withServerText(`JumpCloud has no such object for ${endpoint} (404).`, msg),
  },
};

/** Maps a final (non-retried) HTTP error status to an EngineError. */
export function httpStatusError(
  status: number,
  endpoint: Endpoint,
  serverMessage: string | null,
  errorName: string | null = null,
  violations: FieldViolation[] = [],
): EngineError {
  const details = { status, endpoint, ...(errorName ? { error: errorName } : {}), ...(violations.length > 0 ? { fieldViolations: violations } : {}) };
  // The field violations say what the one-line message does not ("Password validation fail": which rule).
  const fields = violations.length > 0 ? ` Field violations: ${describeViolations(violations)}.` : '';
  const rule = STATUS_RULES[status];
  if (errorName && status >= 400 && status < 500) {
    // The agent channel names its refusals (ConnectKeyUsed, NotPrimary, ...): keep that name as the id.
    // The names it is known to send are catalogued in error-ids.ts; a new one passes through as is.
    return new EngineError(`JumpCloud.${errorName}` as ErrorId, `${serverMessage ?? errorName} (${endpoint}, HTTP ${status}).${fields}`, {
      category: status === 401 || status === 403 ? 'AuthenticationError' : 'InvalidOperation',
      exitCode: status === 401 || status === 403 ? ExitCode.AuthFailed : ExitCode.PartialFailure,
      target: endpoint,
      details,
    });
  }
  if (rule)
    return new EngineError(rule.id, rule.explain(endpoint, serverMessage) + fields, {
      category: rule.category,
      exitCode: rule.exitCode,
      target: endpoint,
      details,
    });
  if (status === 429) {
    return new EngineError(
      'JumpCloud.RateLimited',
      `JumpCloud kept refusing ${endpoint} with 429 (too many requests) after the allowed retries; try again later or lower the request rate.`,
      {
        category: 'LimitsExceeded',
        exitCode: ExitCode.Unreachable,
        target: endpoint,
        details,
      },
    );
  }
  if (status >= 500) {
    return new EngineError(
      'JumpCloud.ServiceError',
      withServerText(`JumpCloud failed ${endpoint} with HTTP ${status} after the allowed retries.`, serverMessage) + fields,
      {
        category: 'ConnectionError',
        exitCode: ExitCode.Unreachable,
        target: endpoint,
        details,
      },
    );
  }
  return new EngineError('JumpCloud.RequestRejected', withServerText(`JumpCloud rejected ${endpoint} (HTTP ${status}).`, serverMessage) + fields, {
    category: 'InvalidOperation',
    exitCode: ExitCode.PartialFailure,
    target: endpoint,
    details,
  });
}

/** Socket-level codes worth another attempt (the request may not have reached JumpCloud). */
export const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_BAD_RESPONSE',
]);

/** A network, TLS or timeout failure (no HTTP answer). `code` is the socket/axios error code. */
export function networkError(code: string | undefined, endpoint: Endpoint, baseUrl: string, timedOutAfterMs: number | null): EngineError {
  if (timedOutAfterMs !== null) {
    return new EngineError('JumpCloud.Timeout', `JumpCloud (${baseUrl}) did not answer ${endpoint} within ${timedOutAfterMs} ms.`, {
      category: 'OperationTimeout',
      exitCode: ExitCode.Unreachable,
      target: endpoint,
      details: { endpoint, baseUrl, timeoutMs: timedOutAfterMs },
    });
  }
  if (code && TLS_CODES[code]) {
    return new EngineError(
      'JumpCloud.Unreachable',
      `TLS to ${baseUrl} failed: ${TLS_CODES[code]} (${code}). Verification stays on: pass the CA that issued the server's certificate (caFile) if it is not a public one.`,
      { category: 'SecurityError', exitCode: ExitCode.Unreachable, target: endpoint, details: { endpoint, baseUrl, tlsCode: code } },
    );
  }
  return new EngineError(
    'JumpCloud.Unreachable',
    `Cannot reach JumpCloud at ${baseUrl} for ${endpoint}${code ? ` (${code})` : ''}. Check the network, proxy and firewall, and the base URL / region.`,
    {
      category: 'ConnectionError',
      exitCode: ExitCode.Unreachable,
      target: endpoint,
      details: { endpoint, baseUrl, ...(code ? { socketCode: code } : {}) },
    },
  );
}

/** CONNECT answers worth another attempt: the proxy could not reach JumpCloud for now. */
export const RETRYABLE_PROXY_STATUSES = new Set([502, 503, 504]);

/** A tunnel that could not be opened. Names the proxy host:port, never its credentials. */
export function proxyError(failure: ProxyTunnelError, endpoint: Endpoint): EngineError {
  const details = {
    endpoint,
    proxy: failure.proxy,
    target: failure.target,
    ...(failure.status !== null ? { status: failure.status } : {}),
    ...(failure.socketCode ? { socketCode: failure.socketCode } : {}),
  };
  if (failure.kind === 'auth') {
    const offered = failure.offeredSchemes.length > 0 ? ` It offers ${failure.offeredSchemes.join(', ')}.` : '';
    const basicMissing =
      failure.offeredSchemes.length > 0 && !failure.offeredSchemes.some((s) => s.toLowerCase() === 'basic')
        ? ' This engine authenticates to proxies with Basic only: allow Basic for this account, or let the server through without authentication.'
        : '';
    const what = failure.credentialsGiven
      ? 'refused the proxy credentials'
      : 'asks for credentials, and none were given (jumpcloud.proxy.username/password, -ProxyCredential)';
    return new EngineError('JumpCloud.ProxyAuthFailed', `The proxy ${failure.proxy} ${what} (407) for ${endpoint}.${offered}${basicMissing}`, {
      category: 'AuthenticationError',
      exitCode: ExitCode.AuthFailed,
      target: failure.proxy,
      details: { ...details, offeredSchemes: failure.offeredSchemes },
    });
  }
  if (failure.kind === 'refused') {
    const status = failure.status ? `with ${failure.status}` : 'with an answer that is not HTTP';
    const hint =
      failure.status === 403
        ? ' Ask the proxy administrators to allow CONNECT to this host on port 443.'
        : failure.status && RETRYABLE_PROXY_STATUSES.has(failure.status)
          ? ' The proxy could not reach JumpCloud.'
          : '';
    return new EngineError('JumpCloud.ProxyRefused', `The proxy ${failure.proxy} refused the tunnel to ${failure.target} ${status} for ${endpoint}.${hint}`, {
      category: failure.status === 403 ? 'PermissionDenied' : 'ConnectionError',
      exitCode: ExitCode.Unreachable,
      target: failure.proxy,
      details,
    });
  }
  return new EngineError(
    'JumpCloud.ProxyUnreachable',
    `Cannot reach the proxy ${failure.proxy} for ${endpoint}: ${failure.message.replace(/^proxy [^:]+(:\d+)?: /, '')}. Check jumpcloud.proxy (-Proxy) and that the proxy runs.`,
    {
      category: 'ConnectionError',
      exitCode: ExitCode.Unreachable,
      target: failure.proxy,
      details,
    },
  );
}

/** The caller's signal ended the call (Ctrl+C, service stop). */
export function cancelledError(endpoint: Endpoint): EngineError {
  return new EngineError('JumpCloud.Cancelled', `The call ${endpoint} was cancelled.`, {
    category: 'OperationTimeout',
    exitCode: ExitCode.Unreachable,
    target: endpoint,
    details: { endpoint },
  });
}

/** A response past the transport's size limit: not retried (the same answer would come again). */
export function responseTooLargeError(endpoint: Endpoint, limitBytes: number): EngineError {
  return new EngineError(
    'JumpCloud.ResponseTooLarge',
    `JumpCloud's answer to ${endpoint} is larger than the ${limitBytes} bytes this engine reads; it was not used. The service or a proxy in between sent more than any page should hold: report this with the endpoint.`,
    {
      category: 'ProtocolError',
      exitCode: ExitCode.Unreachable,
      target: endpoint,
      details: { endpoint, limitBytes },
    },
  );
}
