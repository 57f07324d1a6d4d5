// Retry timing: exponential steps with jitter inside their bounds, Retry-After in both forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from '../../../engine/src/jumpcloud/retry';

describe('jumpcloud retry: backoff', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles each attempt, with half of each step random', () => {
    assert.equal(
      backoffDelay(1, policy, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(1, policy, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(2, policy, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(3, policy, () => 0.5),
      300,
    );
  });

  it('never exceeds the cap', () => {
    for (let attempt = 1; attempt < 20; attempt++) assert.ok(backoffDelay(attempt, policy, () => 0.999) <= 1000);
  });
});

describe('jumpcloud retry: Retry-After', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads seconds', () => {
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter('0', now), 0);
    assert.equal(parseRetryAfter(' 1.5 ', now), 1500);
  });

  it('reads an HTTP date', () => {
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 12:00:07 GMT', now), 7000);
    assert.equal(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', now), 0);
  });

  it('ignores what it cannot read', () => {
    assert.equal(parseRetryAfter(undefined, now), null);
    assert.equal(parseRetryAfter('', now), null);
    assert.equal(parseRetryAfter('soon', now), null);
  });
});
