import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchDomain, parseAdiDN } from '../../../engine/src/ad/rootdn';

describe('Root User DN: valid forms', () => {
  const good: Array<[string, string, string]> = [
    ['CN=Users;DC=example;DC=com', 'CN=Users,DC=example,DC=com', 'DC=example;DC=com'],
    ['OU=Corporate Users;DC=example;DC=com', 'OU=Corporate Users,DC=example,DC=com', 'DC=example;DC=com'],
    ['OU=Staff;OU=HQ;DC=corp;DC=example;DC=com', 'OU=Staff,OU=HQ,DC=corp,DC=example,DC=com', 'DC=corp;DC=example;DC=com'],
    ['CN=Managed;OU=IT;DC=ad-1;DC=local', 'CN=Managed,OU=IT,DC=ad-1,DC=local', 'DC=ad-1;DC=local'],
    ['OU=Sales & Marketing;DC=example;DC=com', 'OU=Sales & Marketing,DC=example,DC=com', 'DC=example;DC=com'],
    ['OU=R(D);DC=example;DC=com', 'OU=R(D),DC=example,DC=com', 'DC=example;DC=com'],
    ['CN=Users;DC=example', 'CN=Users,DC=example', 'DC=example'],
    ['OU=A.B_c-d;DC=x1;DC=io', 'OU=A.B_c-d,DC=x1,DC=io', 'DC=x1;DC=io'],
  ];
  for (const [input, ldap, domain] of good) {
    it(`accepts ${input}`, () => {
      const parsed = parseAdiDN(input);
      assert.deepEqual(parsed.problems, []);
      assert.equal(parsed.isValid, true);
      assert.equal(parsed.ldapDN, ldap);
      assert.equal(parsed.domain, domain);
    });
  }
});

describe('Root User DN: malformed forms each get a specific problem', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['   ', /is empty/],
    ['OU=Corporate Users,DC=example,DC=com', /uses commas.*semicolons: OU=Corporate Users;DC=example;DC=com/],
    ['CN=Users;DC=example,DC=com', /contains a comma at position 20/],
    ['ou=Corporate Users;DC=example;DC=com', /'ou' in lower case.*'OU'/],
    ['CN=Users;dc=example;DC=com', /'dc' in lower case.*'DC'/],
    ['Cn=Users;DC=example;DC=com', /'Cn' in lower case.*'CN'/],
    ['CN=Usérs;DC=example;DC=com', /non-ASCII character 'é' \(U\+00E9\) at position 6/],
    ['OU=Zoë;DC=example;DC=com', /non-ASCII/],
    ['CN=Users;;DC=example;DC=com', /Component 2 is empty/],
    ['CN=Users;DC=example;DC=com;', /ends with ';'/],
    [';CN=Users;DC=example;DC=com', /starts with ';'/],
    ['CN=Users ;DC=example;DC=com', /Spaces around ';'/],
    ['CN=Users; DC=example;DC=com', /Spaces around ';'/],
    ['CN = Users;DC=example;DC=com', /Spaces around '='/],
    ['CN=Us\\,ers;DC=example;DC=com', /escape sequence '\\,' at position 6/],
    ['CN=Users\\2C;DC=example;DC=com', /escape sequence '\\2C'/],
    ['Users;DC=example;DC=com', /has no '='/],
    ['O=Org;DC=example;DC=com', /attribute type 'O'; only CN, OU and DC/],
    ['CN=;DC=example;DC=com', /empty value/],
    ['CN=Us+ers;DC=example;DC=com', /contains '\+'/],
    ['CN=Us"ers;DC=example;DC=com', /contains '"'/],
    ['CN=#Users;DC=example;DC=com', /contains '#'/],
    ['CN=a=b;DC=example;DC=com', /second '='/],
    ['CN=Users', /no DC components/],
    ['DC=example;DC=com', /names only the domain/],
    ['DC=example;CN=Users;DC=com', /comes after a DC component/],
    ['CN=Users;DC=exa_mple;DC=com', /not a valid DNS label/],
    ['CN=Users;DC=-example;DC=com', /not a valid DNS label/],
    ['CN=Users\t;DC=example;DC=com', /control character U\+0009/],
    ['CN=Users;DC=example;DC=com\u0000', /control character U\+0000/],
    ['OU=' + 'x'.repeat(1100) + ';DC=example;DC=com', /at most 1024/],
  ];
  for (const [input, expected] of bad) {
    it(`rejects ${JSON.stringify(input.length > 60 ? input.slice(0, 40) + '…' : input)}`, () => {
      const parsed = parseAdiDN(input);
      assert.equal(parsed.isValid, false);
      assert.equal(parsed.ldapDN, null);
      assert.ok(parsed.problems.length > 0);
      assert.ok(
        parsed.problems.some((p) => expected.test(p)),
        `expected a problem matching ${expected}, got: ${parsed.problems.join(' | ')}`,
      );
    });
  }

  it('reports every problem of a form with several', () => {
    const parsed = parseAdiDN('ou=Usérs;;dc=example;DC=com;');
    const text = parsed.problems.join('\n');
    for (const expected of [/non-ASCII/, /ends with ';'/, /Component 2 is empty/, /'ou' in lower case/, /'dc' in lower case/]) {
      assert.match(text, expected);
    }
  });
});

describe('ADI domain', () => {
  it('accepts DC=example;DC=com', () => {
    const parsed = parseAdiDN('DC=example;DC=com', 'domain');
    assert.equal(parsed.isValid, true);
    assert.equal(parsed.ldapDN, 'DC=example,DC=com');
  });
  it('rejects containers in a domain', () => {
    assert.match(parseAdiDN('OU=x;DC=example;DC=com', 'domain').problems.join(), /only DC components/);
  });
  it('rejects dc= in lower case', () => {
    assert.match(parseAdiDN('dc=example;dc=com', 'domain').problems.join(), /upper case/);
  });
});

describe('matchDomain', () => {
  const root = parseAdiDN('OU=Corporate Users;DC=example;DC=com');
  it('is under its own domain', () => {
    assert.deepEqual(matchDomain(root, parseAdiDN('DC=example;DC=com', 'domain')), { underDomain: true, problem: null });
  });
  it('is not under another domain', () => {
    const m = matchDomain(root, parseAdiDN('DC=other;DC=com', 'domain'));
    assert.equal(m.underDomain, false);
    assert.match(m.problem ?? '', /not under the ADI domain 'DC=other;DC=com'/);
  });
  it('is not under a parent domain (a child domain is another domain)', () => {
    assert.equal(matchDomain(parseAdiDN('CN=Users;DC=emea;DC=example;DC=com'), parseAdiDN('DC=example;DC=com', 'domain')).underDomain, false);
  });
  it('flags a case difference, since JumpCloud compares the domain case-sensitively', () => {
    const m = matchDomain(parseAdiDN('CN=Users;DC=Example;DC=com'), parseAdiDN('DC=example;DC=com', 'domain'));
    assert.equal(m.underDomain, false);
    assert.match(m.problem ?? '', /differs in case/);
  });
});
