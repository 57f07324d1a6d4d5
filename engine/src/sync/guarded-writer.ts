// A DirectoryWriter that fails fast once the DC connection broke. ldapts reconnects on the next
// operation without a bind, and concurrent reconnects can leave an operation waiting forever;
// both the one-shot sync and the agent write through this guard.
import { asEngineError, EngineError, ExitCode } from '../errors';
import type { DirectoryWriter } from './apply';
import type { UserAttributes } from '../ad/model';

/** A failure of the connection itself (not of one object): the DC is unreachable, slow, or hung up. */
function connectionFailure(err: unknown): EngineError | null {
  const e = asEngineError(err);
  if (e.exitCode === ExitCode.Unreachable) return e;
  if (/Connection closed|Socket error|Socket connection not established/i.test(e.message)) {
    return new EngineError('AD.Unreachable', `The connection to the domain controller broke: ${e.message}`, {
      category: 'ConnectionError',
      exitCode: ExitCode.Unreachable,
      target: e.target,
    });
  }
  return null;
}

/**
 * The writer of one reconcile, guarded: once the connection fails, every further operation fails
 * at once with that error instead of reaching the LDAP client (which would reconnect without a
 * bind, and whose concurrent reconnects can leave an operation waiting forever), and no operation
 * may take longer than `limitMs`. The reconcile then ends as an outage, not as object failures.
 */
export class GuardedWriter implements DirectoryWriter {
  broken: EngineError | null = null;
  readonly #halt = new AbortController();

  constructor(
    private readonly inner: DirectoryWriter,
    private readonly limitMs: number,
  ) {}

  /** Aborted when the connection broke: the applier starts nothing new. */
  get signal(): AbortSignal {
    return this.#halt.signal;
  }

  async #guard<T>(operation: string, target: string, work: () => Promise<T>): Promise<T> {
    if (this.broken) throw this.broken;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EngineError('AD.Timeout', `The domain controller did not finish ${operation} of ${target} within ${Math.round(this.limitMs / 1000)} s.`, {
              category: 'OperationTimeout',
              exitCode: ExitCode.Unreachable,
              target,
            }),
          ),
        this.limitMs,
      );
    });
    try {
      return await Promise.race([work(), limit]);
    } catch (err) {
      const broken = connectionFailure(err);
      if (broken) {
        this.broken ??= broken;
        this.#halt.abort();
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  createUser(dn: string, jcId: string, attributes: UserAttributes, password: string, enabled: boolean) {
    return this.#guard('creating', dn, () => this.inner.createUser(dn, jcId, attributes, password, enabled));
  }
  setPassword(dn: string, password: string) {
    return this.#guard('setting the password', dn, () => this.inner.setPassword(dn, password));
  }
  updateAttributes(dn: string, values: Record<string, string>, adoptJcId?: string) {
    return this.#guard('updating', dn, () => this.inner.updateAttributes(dn, values, adoptJcId));
  }
  rename(dn: string, newDn: string) {
    return this.#guard('renaming', dn, () => this.inner.rename(dn, newDn));
  }
  setEnabled(dn: string, jcId: string, enabled: boolean) {
    return this.#guard(enabled ? 'enabling' : 'disabling', dn, () => this.inner.setEnabled(dn, jcId, enabled));
  }
  createGroup(dn: string, jcId: string, name: string, description: string) {
    return this.#guard('creating', dn, () => this.inner.createGroup(dn, jcId, name, description));
  }
  deleteGroup(dn: string) {
    return this.#guard('deleting', dn, () => this.inner.deleteGroup(dn));
  }
  setGroupUnbound(dn: string, jcId: string, unbound: boolean) {
    return this.#guard(unbound ? 'marking unbound' : 'marking bound', dn, () => this.inner.setGroupUnbound(dn, jcId, unbound));
  }
  async changeMembers(groupDn: string, memberDns: string[], operation: 'add' | 'delete') {
    const failures = await this.#guard('changing the members', groupDn, () => this.inner.changeMembers(groupDn, memberDns, operation));
    // Per-member failures come back as a map, not thrown: a broken connection hides in there too.
    for (const err of failures.values()) {
      const broken = connectionFailure(err);
      if (broken) {
        this.broken ??= broken;
        this.#halt.abort();
      }
    }
    return failures;
  }
}
