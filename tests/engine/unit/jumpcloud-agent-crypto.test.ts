// Password sealing: only the agent's own key opens it, and only for the event/user it was sealed for.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateAgentKeyPair, openSealed, sealToAgent } from '../../../engine/src/jumpcloud/agent-crypto';

describe('agent crypto: sealed passwords', () => {
  const agent = generateAgentKeyPair();
  const context = { eventId: 'e1', agentId: 'a1', userId: 'u1' };

  it('round-trips a password, non-ASCII included', () => {
    const sealed = sealToAgent('Pässwörd-123', agent.publicKey, context);
    assert.equal(openSealed(sealed, agent.privateKeyPem, context), 'Pässwörd-123');
    assert.ok(!JSON.stringify(sealed).includes('Pässwörd'));
  });

  it('uses a fresh ephemeral key and nonce every time', () => {
    const a = sealToAgent('same', agent.publicKey, context);
    const b = sealToAgent('same', agent.publicKey, context);
    assert.notEqual(a.epk, b.epk);
    assert.notEqual(a.ciphertext, b.ciphertext);
  });

  it('does not open with another agent key', () => {
    const other = generateAgentKeyPair();
    const sealed = sealToAgent('secret-1', agent.publicKey, context);
    assert.throws(() => openSealed(sealed, other.privateKeyPem, context));
  });

  it('does not open for another user or event (bound as AAD)', () => {
    const sealed = sealToAgent('secret-1', agent.publicKey, context);
    assert.throws(() => openSealed(sealed, agent.privateKeyPem, { ...context, userId: 'u2' }));
    assert.throws(() => openSealed(sealed, agent.privateKeyPem, { ...context, eventId: 'e2' }));
  });

  it('detects tampering', () => {
    const sealed = sealToAgent('secret-1', agent.publicKey, context);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[0] = (bytes[0] as number) ^ 1;
    assert.throws(() => openSealed({ ...sealed, ciphertext: bytes.toString('base64url') }, agent.privateKeyPem, context));
  });
});
