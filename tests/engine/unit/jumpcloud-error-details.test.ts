// JumpCloud's 400 says which rule failed only in its field violations; they reach the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeViolations, fieldViolationsOf } from '../../../engine/src/jumpcloud/error-details';
import { httpStatusError } from '../../../engine/src/jumpcloud/errors';

describe('JumpCloud field violations', () => {
  it('reads fieldViolationsList inside a google.rpc.BadRequest details entry', () => {
    const body = {
      code: 400,
      message: 'Password validation fail',
      details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolationsList: [{ field: 'password', description: 'specialCharacter' }] }],
    };
    assert.deepEqual(fieldViolationsOf(body), [{ field: 'password', description: 'specialCharacter' }]);
  });

  it('reads fieldViolations at the top level too, drops duplicates and junk, bounds the text', () => {
    const body = {
      fieldViolations: [
        { field: 'email', description: 'format' },
        { field: 'email', description: 'format' },
        'junk',
        null,
        { field: 'x'.repeat(500), description: 'a\nb' },
      ],
      details: { fieldViolationsList: [{ field: 'username', reason: 'taken' }] },
    };
    const found = fieldViolationsOf(body);
    assert.deepEqual(found.slice(0, 1), [{ field: 'email', description: 'format' }]);
    assert.equal(found[1]?.field.length, 120);
    assert.equal(found[1]?.description, 'a b');
    assert.deepEqual(found[2], { field: 'username', description: 'taken' });
    assert.deepEqual(fieldViolationsOf('Password validation fail'), []);
    assert.deepEqual(fieldViolationsOf({ message: 'x' }), []);
  });

  it('puts field and rule into the error message and the details', () => {
    const violations = [
      { field: 'password', description: 'specialCharacter' },
      { field: 'password', description: 'minLength' },
    ];
    const err = httpStatusError(400, 'POST /api/systemusers', 'Password validation fail', null, violations);
    assert.equal(err.id, 'JumpCloud.RequestRejected');
    assert.equal(
      err.message,
      'JumpCloud rejected POST /api/systemusers (HTTP 400). JumpCloud said: "Password validation fail". Field violations: password: specialCharacter; password: minLength.',
    );
    assert.deepEqual(err.details.fieldViolations, violations);
    assert.equal(describeViolations([{ field: '', description: 'only a rule' }]), 'only a rule');
    assert.doesNotMatch(httpStatusError(400, 'POST /api/systemusers', 'Bad Request').message, /Field violations/);
  });
});
