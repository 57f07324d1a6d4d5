// What the hostile-input corpus found, pinned down without a DC: names with broken Unicode are
// skipped, texts are compared as AD stores them (so plans converge), and a request cannot hide a
// "__proto__" key from the strict schemas.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execRequest } from '../../../engine/src/cli/exec';
import type { SystemUser } from '../../../engine/src/jumpcloud/schemas';
import { toDesiredUser } from '../../../engine/src/sync/gather';
import { accountNameProblem, storableText } from '../../../engine/src/ad/names';

describe('hostile names', () => {
  it('refuses a logon name with an unpaired surrogate, keeps a real surrogate pair', () => {
    assert.match(String(accountNameProblem('x\uD800', 20, 'username')), /unpaired surrogate/);
    assert.match(String(accountNameProblem('\uDC00y', 64, 'group name')), /unpaired surrogate/);
    assert.equal(accountNameProblem('e\u{1F600}', 20, 'username'), null);
  });

  it('compares texts as AD stores them: an unpaired surrogate is U+FFFD', () => {
    assert.equal(storableText('a\uD800b\uDC00'), 'a\uFFFDb\uFFFD');
    assert.equal(storableText('zoë \u{1F600}'), 'zoë \u{1F600}');
    const user = toDesiredUser({
      _id: '0123456789abcdef01234567',
      username: 'u',
      email: 'm\uD800@example.com',
      firstname: 'F\uDBFF',
      lastname: 'L',
    } as SystemUser);
    assert.deepEqual([user.firstName, user.lastName, user.email], ['F\uFFFD', 'L', 'm\uFFFD@example.com']);
  });

  it('refuses a request with a "__proto__" key anywhere (exit 2), which would otherwise slip past validation', async () => {
    for (const text of [
      '{"protocol":1,"command":"test-rootdn","params":{"rootUserDN":"CN=Users;DC=example;DC=com","__proto__":{"x":1}}}',
      '{"__proto__":{},"protocol":1,"command":"version"}',
    ]) {
      const out: string[] = [];
      const code = await execRequest(text, { writeLine: (l) => out.push(l), env: { JCADI_LOG_FILE: '/dev/null' } });
      const error = out.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.type === 'error');
      assert.equal(code, 2);
      assert.equal(error?.id, 'Request.Invalid');
      assert.match(String(error?.message), /__proto__/);
    }
  });
});
