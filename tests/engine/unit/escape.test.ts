import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterParser, type EqualityFilter } from 'ldapts';
import { eqFilter, escapeDnValue, escapeFilterValue } from '../../../engine/src/ad/escape';

describe('RFC 4514 DN value escaping', () => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['Smith, John', 'Smith\\, John'],
    ['a+b', 'a\\+b'],
    ['"q"', '\\"q\\"'],
    ['x\\y', 'x\\\\y'],
    ['<tag>', '\\<tag\\>'],
    ['a;b=c', 'a\\;b\\=c'],
    ['#lead', '\\#lead'],
    ['mid#dle', 'mid#dle'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    ['in ner', 'in ner'],
    ['nul\u0000', 'nul\\00'],
    ['tab\t', 'tab\\09'],
    ['Zoë', 'Zoë'],
  ];
  for (const [input, expected] of cases) {
    it(`escapes ${JSON.stringify(input)}`, () => assert.equal(escapeDnValue(input), expected));
  }
});

describe('RFC 4515 filter value escaping', () => {
  it('escapes the five specials', () => assert.equal(escapeFilterValue('*)(uid=*)\\\u0000'), '\\2a\\29\\28uid=\\2a\\29\\5c\\00'));
  it('leaves non-ASCII as it is (ldapts would turn escaped UTF-8 bytes into other characters)', () =>
    assert.equal(escapeFilterValue('zoë аdmin'), 'zoë аdmin'));
  it('escapes control characters', () => assert.equal(escapeFilterValue('a\u0001b\nc\u007f'), 'a\\01b\\0ac\\7f'));
  it('round-trips every hostile value through the filter parser of the LDAP client', () => {
    for (const value of ['*', '*)(objectClass=*', 'x)(|(cn=*', '\\2a', 'a\u0000b', 'zoë', 'straße', 'аdmin', '\u202Eevil', 'e😀', '#lead ', '(', ')', '\\']) {
      const parsed = FilterParser.parseString(eqFilter('cn', value)) as EqualityFilter;
      assert.equal(parsed.attribute, 'cn');
      assert.equal(parsed.value, value, JSON.stringify(value));
    }
  });
  it('builds an equality filter that cannot be widened', () => assert.equal(eqFilter('sAMAccountName', '*'), '(sAMAccountName=\\2a)'));
  it('refuses an attribute name that is not one', () => assert.throws(() => eqFilter('cn)(x', 'y')));
});
