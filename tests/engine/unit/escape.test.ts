import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
  it('escapes non-ASCII as UTF-8 bytes', () => assert.equal(escapeFilterValue('ë'), '\\c3\\ab'));
  it('builds an equality filter that cannot be widened', () => assert.equal(eqFilter('sAMAccountName', '*'), '(sAMAccountName=\\2a)'));
  it('refuses an attribute name that is not one', () => assert.throws(() => eqFilter('cn)(x', 'y')));
});
