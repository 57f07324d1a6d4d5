// Every LDAP, socket or TLS failure becomes an EngineError that keeps the LDAP result code and
// AD's extended code (the leading 8 hex digits of AD's diagnostic text) with a message an admin
// understands. Key on those numbers, never on the DSID text, which differs by DC build.
import { ResultCodeError } from 'ldapts';
import { EngineError, ExitCode, type ErrorCategory, type ErrorId, type ExitCodeValue } from '../errors';
import { capitalise } from '../util/text';
import { TLS_CODES } from '../util/tls-codes';

export interface LdapContext {
  host: string;
  port: number;
  operation: string;
  target?: string | null;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** AD's "data xxx" codes in a bind failure (AcceptSecurityContext). */
const BIND_DATA: Record<string, string> = {
  '525': 'the account does not exist',
  '52e': 'the user name or password is wrong',
  '530': 'the account may not log on at this time',
  '531': 'the account may not log on from this workstation',
  '532': 'the password has expired',
  '533': 'the account is disabled',
  '701': 'the account has expired',
  '773': 'the password must be changed before first logon',
  '775': 'the account is locked out',
};

interface CodeRule {
  id: ErrorId;
  category: ErrorCategory;
  exitCode: ExitCodeValue;
  text: string;
}

const RESULT_CODES: Record<number, CodeRule> = {
  8: { id: 'AD.NotSecure', category: 'SecurityError', exitCode: ExitCode.BadRequest, text: 'the DC requires an encrypted connection (use LDAPS or StartTLS)' },
  13: { id: 'AD.NotSecure', category: 'SecurityError', exitCode: ExitCode.BadRequest, text: 'the DC requires confidentiality (use LDAPS or StartTLS)' },
  19: { id: 'AD.ConstraintViolation', category: 'InvalidData', exitCode: ExitCode.PartialFailure, text: 'a constraint was violated' },
  32: { id: 'AD.NoSuchObject', category: 'ObjectNotFound', exitCode: ExitCode.PartialFailure, text: 'the object does not exist' },
  34: { id: 'AD.InvalidDN', category: 'InvalidArgument', exitCode: ExitCode.BadRequest, text: 'the DN is malformed' },
  49: { id: 'AD.BindFailed', category: 'AuthenticationError', exitCode: ExitCode.AuthFailed, text: 'the bind was refused' },
  50: { id: 'AD.InsufficientRights', category: 'PermissionDenied', exitCode: ExitCode.AuthFailed, text: 'the account lacks the rights for this operation' },
  51: { id: 'AD.Busy', category: 'ConnectionError', exitCode: ExitCode.Unreachable, text: 'the DC is busy' },
  52: { id: 'AD.Unavailable', category: 'ConnectionError', exitCode: ExitCode.Unreachable, text: 'the DC is unavailable' },
  53: { id: 'AD.UnwillingToPerform', category: 'InvalidOperation', exitCode: ExitCode.PartialFailure, text: 'the DC is unwilling to perform the operation' },
  64: { id: 'AD.NamingViolation', category: 'InvalidData', exitCode: ExitCode.PartialFailure, text: 'the name is not allowed here' },
  65: { id: 'AD.ObjectClassViolation', category: 'InvalidData', exitCode: ExitCode.PartialFailure, text: 'the object violates its class schema' },
  68: { id: 'AD.AlreadyExists', category: 'ResourceExists', exitCode: ExitCode.PartialFailure, text: 'an object with that name already exists' },
};

/** The leading 8-hex-digit code of AD's diagnostic message, e.g. 0000052D. */
function adExtendedCode(message: string): string | null {
  const match = /^\s*([0-9A-Fa-f]{8}):/.exec(message);
  return match ? (match[1] as string).toUpperCase() : null;
}

function bindDataCode(message: string): string | null {
  const match = /data ([0-9a-f]{3,8})\b/i.exec(message);
  return match ? (match[1] as string).toLowerCase() : null;
}

function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function mapLdapError(err: unknown, ctx: LdapContext): EngineError {
  if (err instanceof EngineError) return err;
  const where = `${ctx.host}:${ctx.port}`;
  const target = ctx.target ?? where;
  const message = err instanceof Error ? err.message : String(err);

  if (err instanceof ResultCodeError) {
    const rule = RESULT_CODES[err.code] ?? {
      id: 'AD.OperationFailed',
      category: 'NotSpecified' as const,
      exitCode: ExitCode.PartialFailure,
      text: 'the operation failed',
    };
    const extended = adExtendedCode(message);
    let text = rule.text;
    if (err.code === 49) {
      const data = bindDataCode(message);
      text =
        data && BIND_DATA[data]
          ? `the bind was refused: ${BIND_DATA[data]}`
          : 'the bind was refused: wrong user name or password, or the account cannot log on';
    } else if (err.code === 19 && extended === '0000052D') {
      text = 'the password does not meet the domain password policy (length, complexity or history)';
    }
    return new EngineError(rule.id, `${capitalise(ctx.operation)} on ${where} failed: ${text} (LDAP ${err.code}${extended ? `, ${extended}` : ''}).`, {
      category: rule.category,
      exitCode: rule.exitCode,
      target,
      cause: err,
      details: { ldapCode: err.code, adCode: extended, server: where, diagnostic: message.slice(0, 300) },
    });
  }

  const code = errCode(err);
  if (code && TLS_CODES[code]) {
    return new EngineError(
      'AD.TlsFailed',
      `TLS to ${where} failed: ${TLS_CODES[code]}${code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' (is it plain LDAP on 389?)' : ''} (${code}). Pass the CA that issued the DC's certificate (caFile / -CertificateAuthorityFile) and connect by a name the certificate lists.`,
      {
        category: 'SecurityError',
        exitCode: ExitCode.Unreachable,
        target,
        cause: err,
        details: { tlsCode: code, server: where },
      },
    );
  }
  if (code && UNREACHABLE.has(code)) {
    return new EngineError(
      'AD.Unreachable',
      `Cannot reach the domain controller at ${where} (${code}). Check the host name, that the DC is running and that the LDAP port is open.`,
      {
        category: 'ConnectionError',
        exitCode: ExitCode.Unreachable,
        target,
        cause: err,
        details: { socketCode: code, server: where },
      },
    );
  }
  if (/timed? ?out|timeout/i.test(message)) {
    return new EngineError('AD.Timeout', `The domain controller at ${where} did not answer in time during ${ctx.operation}.`, {
      category: 'OperationTimeout',
      exitCode: ExitCode.Unreachable,
      target,
      cause: err,
      details: { server: where },
    });
  }
  if (/tls|ssl|certificate/i.test(message)) {
    return new EngineError('AD.TlsFailed', `TLS to ${where} failed: ${message}`, {
      category: 'SecurityError',
      exitCode: ExitCode.Unreachable,
      target,
      cause: err,
      details: { server: where },
    });
  }
  return new EngineError('AD.OperationFailed', `${capitalise(ctx.operation)} on ${where} failed: ${message}`, {
    category: 'NotSpecified',
    exitCode: ExitCode.Unreachable,
    target,
    cause: err,
    details: { server: where },
  });
}
