// A session whose connection to the DC is gone never reconnects on its own (the LDAP client would
// open a new, unbound connection, and its concurrent reconnects could leave a request that never
// settles): every operation fails at once with AD.Unreachable and the session's `lost` signal
// fires, so the sync stops starting new writes. (The fault suite stops a real DC mid-sync.)
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { AdSession } from '../../../engine/src/ad/session';
import { EngineError } from '../../../engine/src/errors';
import { adminDc, testDc } from '../helpers/testdc';

describe('AdSession after its connection is lost', () => {
  it('fails every operation at once with AD.Unreachable, concurrent ones included, and signals the loss', async () => {
    const session = await AdSession.open(adminDc());
    assert.equal(session.lost.aborted, false);
    const base = testDc().baseDN;
    assert.ok(await session.readObject(base, ['dc']), 'works while connected');
    // What a DC going away looks like to the client: the socket closes.
    const socket = (session.ldapClient as unknown as { socket: Socket }).socket;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    await closed;
    const started = Date.now();
    const attempts = await Promise.allSettled([
      session.readObject(base, ['dc']),
      session.search(base, { scope: 'base' }),
      session.rootDse(),
      session.readObject(base, ['dc']),
    ]);
    for (const attempt of attempts) {
      assert.equal(attempt.status, 'rejected');
      const reason = (attempt as PromiseRejectedResult).reason as EngineError;
      assert.ok(reason instanceof EngineError);
      assert.equal(reason.id, 'AD.Unreachable');
      assert.match(reason.message, /was lost; the session does not reconnect/);
    }
    assert.ok(Date.now() - started < 2000, 'at once, without waiting for a timeout');
    assert.equal(session.lost.aborted, true);
    assert.throws(
      () => session.ldapClient,
      (err: EngineError) => err.id === 'AD.Unreachable',
    );
    await session.close();
  });
});
