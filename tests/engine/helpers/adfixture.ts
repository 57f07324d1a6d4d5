// A throw-away root container on the test DC for one test file, plus helpers that drive the
// real reader → planner → applier → writer path. Fixture writes go straight through ldapts.
import { randomBytes } from 'node:crypto';
import { Attribute, Change } from 'ldapts';
import { readActualState } from '../../../engine/src/ad/directory';
import { AdSession } from '../../../engine/src/ad/session';
import { AdWriter, randomPassword } from '../../../engine/src/ad/writer';
import { apply, type ApplyOutcome } from '../../../engine/src/sync/apply';
import { memoryJournal } from '../../../engine/src/sync/journal';
import { DEFAULT_PLAN_OPTIONS, type DesiredState, type Plan, type PlanOptions } from '../../../engine/src/sync/model';
import { plan } from '../../../engine/src/sync/planner';
import { adminDc, testDc } from './testdc';

export interface AdFixture {
  session: AdSession;
  rootDN: string;
  writer: AdWriter;
  /** Reads AD, plans toward `desired`, applies; returns both. */
  sync(desired: DesiredState, options?: Partial<PlanOptions>, password?: (jcId: string) => string): Promise<{ plan: Plan; outcome: ApplyOutcome | null }>;
  planOnly(desired: DesiredState, options?: Partial<PlanOptions>): Promise<Plan>;
  read(dn: string, attributes: string[]): Promise<Record<string, unknown> | null>;
  set(dn: string, attribute: string, values: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function openFixture(prefix: string): Promise<AdFixture> {
  const info = testDc();
  const session = await AdSession.open(adminDc());
  const rootDN = `OU=${prefix}-${randomBytes(4).toString('hex')},${info.baseDN}`;
  await session.ldapClient.add(rootDN, { objectClass: ['top', 'organizationalUnit'] });
  const writer = new AdWriter(session, 'adminDescription');

  const planOnly = async (desired: DesiredState, options: Partial<PlanOptions> = {}) => {
    const candidates = desired.users.map((u) => u.username).concat(desired.groups.map((g) => g.name));
    const actual = await readActualState(session, { rootDN, candidateNames: candidates });
    return plan(desired, actual, { ...DEFAULT_PLAN_OPTIONS, ...options });
  };

  return {
    session,
    rootDN,
    writer,
    planOnly,
    async sync(desired, options = {}, password = () => randomPassword()) {
      const p = await planOnly(desired, options);
      if (p.refusal) return { plan: p, outcome: null };
      const outcome = await apply(p, { writer, journal: memoryJournal(), initialPassword: password });
      return { plan: p, outcome };
    },
    async read(dn, attributes) {
      const entry = await session.readObject(dn, attributes);
      return entry as Record<string, unknown> | null;
    },
    async set(dn, attribute, values) {
      await session.ldapClient.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: attribute, values }) })]);
    },
    async close() {
      // Remove the whole fixture tree (children first).
      const { searchEntries } = await session.ldapClient.search(rootDN, { scope: 'sub', filter: '(objectClass=*)', attributes: ['dn'] });
      const dns = searchEntries.map((e) => e.dn).sort((a, b) => b.length - a.length);
      for (const dn of dns) await session.ldapClient.del(dn).catch(() => undefined);
      await session.close();
    },
  };
}
