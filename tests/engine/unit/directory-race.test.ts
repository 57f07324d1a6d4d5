// An object that appears under the root while the sync reads AD. The root is read first, then the
// names no object under it holds are looked up in the whole domain; an object found there under the
// root appeared in between: a create the DC finished late for a connection already gone (a run
// killed mid-apply, seen in the SIGKILL test of sync-e2e), or another writer at the same moment.
// It is neither an account moved out of the root (that skip left the user uncreated for good when
// the late create never committed) nor a holder elsewhere: the plan comes from the root read and the
// DC refuses a name taken in the meantime. A holder under the root of a kind the root read does not
// return (a computer) still holds its name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry, SearchOptions } from 'ldapts';
import { readActualState } from '../../../engine/src/ad/directory';
import type { AdSession, RootDse } from '../../../engine/src/ad/session';
import { DEFAULT_PLAN_OPTIONS, type DesiredUser } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';

const BASE = 'DC=example,DC=com';
const ROOT = `OU=Synced,${BASE}`;
const PERSON = `CN=Person,CN=Schema,CN=Configuration,${BASE}`;
const COMPUTER = `CN=Computer,CN=Schema,CN=Configuration,${BASE}`;
const id = (n: number) => `5f0c1a2b3c4d5e6f7a8b9c${String(n).padStart(2, '0')}`;
const jcUser = (n: number): DesiredUser => ({ jcId: id(n), username: `user${n}`, firstName: 'F', lastName: 'L', email: null, suspended: false });
const account = (dn: string, sam: string, jcId: string, category = PERSON): Entry => ({
  dn,
  sAMAccountName: sam,
  userPrincipalName: `${sam}@example.com`,
  objectClass: category === PERSON ? ['top', 'person', 'organizationalPerson', 'user'] : ['top', 'person', 'organizationalPerson', 'user', 'computer'],
  objectCategory: category,
  adminDescription: `JumpCloud:${jcId};syncDisabled`,
});

/** A directory whose root read finds nothing and whose domain-wide name lookup finds `lookedUp`. */
function sessionFinding(lookedUp: Entry[]) {
  const lookups: string[] = [];
  const session = {
    dc: { globalCatalog: 'never' },
    async rootDse(): Promise<Partial<RootDse>> {
      return { defaultNamingContext: BASE };
    },
    async *searchPaged(base: string, options: SearchOptions): AsyncGenerator<Entry[]> {
      if (base === ROOT) {
        yield [];
        return;
      }
      lookups.push(String(options.filter));
      yield lookedUp;
    },
    async search(): Promise<Entry[]> {
      return [];
    },
  };
  return { session: session as unknown as AdSession, lookups };
}

describe('readActualState: an object that appears under the root during the read', () => {
  it('is no "moved out of the root" and holds no name: the plan creates the user, the DC arbitrates', async () => {
    const { session, lookups } = sessionFinding([account(`CN=user1,${ROOT}`, 'user1', id(1))]);
    const actual = await readActualState(session, { rootDN: ROOT, candidateNames: ['user1'] });
    assert.equal(lookups.length, 1, 'the name was looked up in the domain');
    assert.equal(actual.anchoredOutside?.size, 0);
    assert.equal(actual.accountNames.has('user1'), false);
    assert.equal(actual.principalNames.has('user1@example.com'), false);
    const p = plan({ users: [jcUser(1)], groups: [] }, actual, DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(
      p.operations.map((op) => [op.kind, op.kind === 'skip' ? op.code : op.kind === 'createUser' ? op.dn : '']),
      [['createUser', `CN=user1,${ROOT}`]],
    );
  });

  it('an account of ours outside the root is still one moved out, and a computer under the root still holds its name', async () => {
    const { session } = sessionFinding([account(`CN=user1,OU=Elsewhere,${BASE}`, 'user1', id(1)), account(`CN=user2,${ROOT}`, 'user2', id(9), COMPUTER)]);
    const actual = await readActualState(session, { rootDN: ROOT, candidateNames: ['user1', 'user2'] });
    assert.deepEqual([...(actual.anchoredOutside ?? [])], [[`cn=user1,ou=elsewhere,${BASE.toLowerCase()}`, id(1)]]);
    assert.equal(actual.accountNames.get('user2'), `CN=user2,${ROOT}`);
    const p = plan({ users: [jcUser(1), jcUser(2)], groups: [] }, actual, DEFAULT_PLAN_OPTIONS);
    assert.deepEqual(
      p.operations.map((op) => [op.kind, op.kind === 'skip' ? op.code : op.kind === 'createUser' ? op.dn : '']),
      [
        ['skip', 'MovedOutOfRoot'],
        ['skip', 'NameTaken'],
      ],
    );
  });
});
