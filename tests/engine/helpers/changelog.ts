// The directory's change log as proof that a run wrote nowhere else: every object whose uSNChanged
// passed the highestCommittedUSN read before the run, outside the container the run may write.
import type { AdSession } from '../../../engine/src/ad/session';
import { testDc } from './testdc';

/** What the DC itself writes while accounts are created: a new RID pool every 500 security principals. */
export const SYSTEM_CHANGES = [/^CN=RID Set,CN=[^,]+,OU=Domain Controllers,DC=example,DC=com$/i, /^CN=RID Manager\$,CN=System,DC=example,DC=com$/i];

export async function highestUsn(session: AdSession): Promise<number> {
  return Number((await session.rootDse()).highestCommittedUSN);
}

/** Every object of the domain written since `usn`, with its whenCreated (generalized time). */
export async function changedSince(session: AdSession, usn: number): Promise<Array<{ dn: string; whenCreated: string }>> {
  const changed: Array<{ dn: string; whenCreated: string }> = [];
  for await (const page of session.searchPaged(
    testDc().baseDN,
    { scope: 'sub', filter: `(uSNChanged>=${usn + 1})`, attributes: ['uSNChanged', 'whenCreated'] },
    1000,
  )) {
    changed.push(...page.map((e) => ({ dn: e.dn, whenCreated: String(Array.isArray(e.whenCreated) ? e.whenCreated[0] : (e.whenCreated ?? '')) })));
  }
  return changed;
}

/**
 * The changes outside `container` (and outside the DC's own bookkeeping). On the shared test DC
 * other suites may run at the same time: a top-level OU created during the run whose name does
 * not match `own` belongs to one of them and is left out, with everything under it. In `npm test`
 * nothing else runs, so nothing is left out there.
 */
export function outsideChanges(changed: Array<{ dn: string; whenCreated: string }>, container: string, own: RegExp, sinceGeneralized: string): string[] {
  const root = container.toLowerCase();
  const base = testDc().baseDN.toLowerCase();
  const foreignOus = changed
    .filter(
      (c) =>
        c.dn.toLowerCase().endsWith(`,${base}`) &&
        /^OU=[^,]+,/i.test(c.dn) &&
        c.dn.split(',').length === base.split(',').length + 1 &&
        c.whenCreated >= sinceGeneralized &&
        !own.test(c.dn),
    )
    .map((c) => c.dn.toLowerCase());
  return changed
    .map((c) => c.dn)
    .filter((dn) => dn.toLowerCase() !== root && !dn.toLowerCase().endsWith(`,${root}`))
    .filter((dn) => !SYSTEM_CHANGES.some((p) => p.test(dn)))
    .filter((dn) => !foreignOus.some((ou) => dn.toLowerCase() === ou || dn.toLowerCase().endsWith(`,${ou}`)));
}

/** A Date as AD's generalized time (20261201043000.0Z), which sorts like the date. */
export function generalizedTime(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}.0Z`;
}
