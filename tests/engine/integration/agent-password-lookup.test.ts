// A password event finds its account at the DN the agent last saw it (its DN hints) with one base
// read, instead of the search by anchor (not indexed by AD: a scan of every account under the
// root). The hint is only a shortcut: an account moved since, or a hint naming another account,
// still gets the password by its anchor, and never the account the hint names.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SearchOptions } from 'ldapts';
import { AdSession } from '../../../engine/src/ad/session';
import { applyPasswordEvent } from '../../../engine/src/agent/passwords';
import { generateAgentKeyPair, sealToAgent } from '../../../engine/src/jumpcloud/agent-crypto';
import { memoryJournal } from '../../../engine/src/sync/journal';
import type { DesiredUser } from '../../../engine/src/sync/model';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';

const id = (n: number) => n.toString(16).padStart(24, 'e');
const user = (n: number): DesiredUser => ({ jcId: id(n), username: `pwl-u${n}`, firstName: `F${n}`, lastName: `L${n}`, email: null, suspended: false });
const keys = generateAgentKeyPair();
const agentId = 'b'.repeat(24);
let seq = 0;

function eventFor(n: number, password: string) {
  const eventId = `evt-lookup-${++seq}`;
  return {
    id: eventId,
    seq,
    type: 'user.password_changed',
    at: new Date().toISOString(),
    data: { userId: id(n), username: `pwl-u${n}` },
    password: { ...sealToAgent(password, keys.publicKey, { eventId, agentId, userId: id(n) }) },
  };
}

/** True when `password` binds as `upn` (the only proof that AD holds it). */
async function binds(upn: string, password: string): Promise<boolean> {
  try {
    await (await AdSession.open(adminDc({ bindDN: upn, bindPassword: password }))).close();
    return true;
  } catch {
    return false;
  }
}

describe('password events: the account at its last known DN', () => {
  let fx: AdFixture;
  /** Subtree searches the password path made (the scan the hints avoid). */
  const subtree: string[] = [];
  before(async () => {
    fx = await openFixture('jcadi-pwlookup');
    const outcome = (await fx.sync({ users: [user(1), user(2), user(3)], groups: [] })).outcome;
    assert.equal(outcome?.failed, 0, JSON.stringify(outcome?.failures));
    const search = fx.session.search.bind(fx.session);
    fx.session.search = (base: string, options: SearchOptions, ...rest) => {
      if (options.scope === 'sub') subtree.push(String(options.filter));
      return search(base, options, ...rest);
    };
  });
  after(async () => fx?.close());

  const apply = (n: number, password: string, hints: Map<string, string>) =>
    applyPasswordEvent(eventFor(n, password), {
      session: fx.session,
      rootDN: fx.rootDN,
      anchorAttribute: 'adminDescription',
      hints,
      agentId,
      privateKeyPem: keys.privateKeyPem,
      journal: memoryJournal(),
    });

  it('reads the account at its hinted DN: no search under the root', async () => {
    subtree.length = 0;
    const password = 'Hinted-Passw0rd!1';
    const result = await apply(1, password, new Map([[`user:${id(1)}`, `CN=pwl-u1,${fx.rootDN}`]]));
    assert.equal(result.outcome, 'applied', JSON.stringify(result.ack));
    assert.equal(result.target.toLowerCase(), `CN=pwl-u1,${fx.rootDN}`.toLowerCase());
    assert.ok(await binds('pwl-u1@example.com', password));
    assert.deepEqual(
      subtree.filter((f) => f.includes('adminDescription')),
      [],
      'the account was not searched for by its anchor',
    );
  });

  it('an account moved since it was hinted is found by its anchor', async () => {
    subtree.length = 0;
    await fx.session.ldapClient.modifyDN(`CN=pwl-u2,${fx.rootDN}`, `CN=pwl-u2-moved,${fx.rootDN}`);
    const password = 'Moved-Passw0rd!2';
    const result = await apply(2, password, new Map([[`user:${id(2)}`, `CN=pwl-u2,${fx.rootDN}`]]));
    assert.equal(result.outcome, 'applied', JSON.stringify(result.ack));
    assert.equal(result.target.toLowerCase(), `CN=pwl-u2-moved,${fx.rootDN}`.toLowerCase());
    assert.ok(await binds('pwl-u2@example.com', password));
    assert.equal(subtree.filter((f) => f.includes('adminDescription')).length, 1, 'one search by anchor');
  });

  it('a hint naming another account never gives that account the password', async () => {
    const password = 'Wrong-Hint-Passw0rd!3';
    const result = await apply(3, password, new Map([[`user:${id(3)}`, `CN=pwl-u1,${fx.rootDN}`]]));
    assert.equal(result.outcome, 'applied', JSON.stringify(result.ack));
    assert.equal(result.target.toLowerCase(), `CN=pwl-u3,${fx.rootDN}`.toLowerCase());
    assert.ok(await binds('pwl-u3@example.com', password));
    assert.equal(await binds('pwl-u1@example.com', password), false, 'the hinted account kept its password');
  });

  it('a hint outside the root is not read: an account there is not the sync’s', async () => {
    subtree.length = 0;
    const password = 'Outside-Hint-Passw0rd!4';
    const outside = `CN=pwl-u1,${fx.rootDN.slice(fx.rootDN.indexOf(',') + 1)}`;
    const result = await apply(1, password, new Map([[`user:${id(1)}`, outside]]));
    assert.equal(result.outcome, 'applied', JSON.stringify(result.ack));
    assert.equal(result.target.toLowerCase(), `CN=pwl-u1,${fx.rootDN}`.toLowerCase());
    assert.equal(subtree.filter((f) => f.includes('adminDescription')).length, 1, 'found by its anchor under the root');
  });
});
