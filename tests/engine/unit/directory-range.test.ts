// The reader follows AD's range retrieval of `member`: Windows returns at most MaxValRange (1,500)
// values of a multi-valued attribute per search, as `member;range=0-1499`, and the client asks for
// the next slice (`member;range=1500-*`) until a slice ends in `-*`. Samba returns every value at
// once, so the directory below plays Windows: a group of 5,000 members must come back whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry, SearchOptions } from 'ldapts';
import { readActualState } from '../../../engine/src/ad/directory';
import type { AdSession, RootDse } from '../../../engine/src/ad/session';

const BASE = 'DC=example,DC=com';
const ROOT = `OU=Range,${BASE}`;
const MAX_VAL_RANGE = 1500;

interface FakeGroup {
  dn: string;
  members: string[];
}

/** A directory that answers like Windows AD: attribute values in slices of MAX_VAL_RANGE. */
function windowsLikeSession(groups: FakeGroup[]) {
  const rangeRequests: string[] = [];
  const slice = (group: FakeGroup, from: number): Entry => {
    const to = Math.min(group.members.length, from + MAX_VAL_RANGE) - 1;
    const last = to === group.members.length - 1;
    return { dn: group.dn, [`member;range=${from}-${last ? '*' : to}`]: group.members.slice(from, to + 1) };
  };
  const groupEntry = (group: FakeGroup): Entry => {
    const base: Entry = {
      dn: group.dn,
      cn: group.dn.slice(3, group.dn.indexOf(',')),
      sAMAccountName: 'g',
      description: '',
      adminDescription: 'JumpCloud:0123456789abcdef01234567',
    };
    if (group.members.length === 0) return base;
    if (group.members.length <= MAX_VAL_RANGE) return { ...base, member: group.members };
    return { ...base, ...slice(group, 0) };
  };
  const session = {
    rangeRequests,
    async rootDse(): Promise<Partial<RootDse>> {
      return { defaultNamingContext: BASE };
    },
    async *searchPaged(_base: string, options: SearchOptions): AsyncGenerator<Entry[]> {
      if (String(options.filter).includes('objectClass=group')) yield groups.map(groupEntry);
      else yield [];
    },
    async search(base: string, options: SearchOptions): Promise<Entry[]> {
      const wanted = (options.attributes ?? []).find((a) => /^member;range=/i.test(a));
      const group = groups.find((g) => g.dn === base);
      if (!wanted || !group) return [];
      rangeRequests.push(wanted);
      const from = Number(/^member;range=(\d+)-\*$/i.exec(wanted)?.[1]);
      return [slice(group, from)];
    },
  };
  return session;
}

const membersNamed = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `CN=${prefix}${i},${ROOT}`);

describe('readActualState: range retrieval of member', () => {
  it('collects all 5,000 members of a group that AD returns in slices of 1,500', async () => {
    const big = { dn: `CN=All Staff,${ROOT}`, members: membersNamed('u', 5000) };
    const session = windowsLikeSession([big]);
    const actual = await readActualState(session as unknown as AdSession, { rootDN: ROOT });
    const [group] = actual.groups;
    assert.equal(group?.members.length, 5000);
    assert.deepEqual(group?.members, big.members, 'every member, in order, none twice');
    assert.deepEqual(session.rangeRequests, ['member;range=1500-*', 'member;range=3000-*', 'member;range=4500-*']);
  });

  it('stops after one extra slice when the count is just above the limit, and asks nothing for small or empty groups', async () => {
    const groups = [
      { dn: `CN=Edge,${ROOT}`, members: membersNamed('e', MAX_VAL_RANGE + 1) },
      { dn: `CN=Exact,${ROOT}`, members: membersNamed('x', MAX_VAL_RANGE) },
      { dn: `CN=Small,${ROOT}`, members: membersNamed('s', 3) },
      { dn: `CN=Empty,${ROOT}`, members: [] },
    ];
    const session = windowsLikeSession(groups);
    const actual = await readActualState(session as unknown as AdSession, { rootDN: ROOT });
    assert.deepEqual(
      actual.groups.map((g) => g.members.length),
      [MAX_VAL_RANGE + 1, MAX_VAL_RANGE, 3, 0],
    );
    assert.deepEqual(session.rangeRequests, ['member;range=1500-*'], 'only the group over the limit needed a second search');
  });
});
