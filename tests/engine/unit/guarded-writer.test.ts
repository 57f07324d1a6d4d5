// The agent's guard around the AD writer: a broken or hung connection ends the reconcile as an
// outage at once, instead of letting the LDAP client reconnect unbound (or wait forever).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GuardedWriter } from '../../../engine/src/sync/guarded-writer';
import { EngineError, ExitCode } from '../../../engine/src/errors';
import type { DirectoryWriter } from '../../../engine/src/sync/apply';

function inner(behaviour: Partial<DirectoryWriter>, calls: string[]): DirectoryWriter {
  const ok = async () => undefined;
  const record =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    (...args: A) => {
      calls.push(name);
      return fn(...args);
    };
  return {
    createUser: record('createUser', behaviour.createUser ?? ok),
    setPassword: record('setPassword', behaviour.setPassword ?? ok),
    updateAttributes: record('updateAttributes', behaviour.updateAttributes ?? ok),
    rename: record('rename', behaviour.rename ?? ok),
    setEnabled: record('setEnabled', behaviour.setEnabled ?? ok),
    createGroup: record('createGroup', behaviour.createGroup ?? ok),
    deleteGroup: record('deleteGroup', behaviour.deleteGroup ?? ok),
    setGroupUnbound: record('setGroupUnbound', behaviour.setGroupUnbound ?? ok),
    changeMembers: record('changeMembers', behaviour.changeMembers ?? (async () => new Map())),
  };
}
const attrs = { cn: 'a', sAMAccountName: 'a', userPrincipalName: 'a@x', givenName: 'A', sn: 'A', displayName: 'A A', mail: '' };

describe('GuardedWriter', () => {
  it('passes operations through, and an object failure does not break the connection', async () => {
    const calls: string[] = [];
    const refused = new EngineError('AD.ConstraintViolation', 'refused', { exitCode: ExitCode.PartialFailure });
    const writer = new GuardedWriter(inner({ updateAttributes: async () => Promise.reject(refused) }, calls), 1000);
    await writer.createUser('CN=a', 'u1', attrs, 'pw', true);
    await assert.rejects(writer.updateAttributes('CN=a', { sn: 'B' }), refused);
    await writer.rename('CN=a', 'CN=b');
    assert.deepEqual(calls, ['createUser', 'updateAttributes', 'rename']);
    assert.equal(writer.broken, null);
    assert.equal(writer.signal.aborted, false);
  });

  it('gives up on an operation that hangs, then fails every further one at once without sending it', async () => {
    const calls: string[] = [];
    const writer = new GuardedWriter(inner({ createUser: () => new Promise(() => undefined) }, calls), 50);
    await assert.rejects(
      writer.createUser('CN=a', 'u1', attrs, 'pw', true),
      (err: EngineError) => err.id === 'AD.Timeout' && err.exitCode === ExitCode.Unreachable,
    );
    assert.equal(writer.broken?.id, 'AD.Timeout');
    assert.equal(writer.signal.aborted, true, 'the applier starts nothing new');
    await assert.rejects(writer.setEnabled('CN=b', 'u2', false), (err: EngineError) => err.id === 'AD.Timeout');
    assert.deepEqual(calls, ['createUser'], 'the second operation never reached the LDAP client');
  });

  it('treats a closed connection, also inside per-member results, as an outage', async () => {
    const calls: string[] = [];
    const closed = new Error('Connection closed before message response was received. Message type: ModifyRequest (0x66)');
    const writer = new GuardedWriter(inner({ changeMembers: async (_g, dns) => new Map(dns.map((dn) => [dn, closed])) }, calls), 1000);
    const failures = await writer.changeMembers('CN=G', ['CN=a'], 'add');
    assert.equal(failures.size, 1);
    assert.equal(writer.broken?.id, 'AD.Unreachable');
    await assert.rejects(writer.deleteGroup('CN=G'), (err: EngineError) => err.id === 'AD.Unreachable');
  });
});
