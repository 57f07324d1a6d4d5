// Reads the AD password policies that can judge a password the sync sets: the domain policy on
// the domain head (docs/delegation.md) and the fine-grained policies (PSOs) in effect for users of the root
// container. Never writes.
import type { Entry } from 'ldapts';
import { EngineError, ExitCode } from '../errors';
import { type AdSession } from './session';
import { allStrings, attributeValue, intAttribute, textAttribute } from './entry';

export interface AdPasswordPolicy {
  /** "Domain policy" or "PSO <name>". */
  source: string;
  dn: string;
  minLength: number;
  complexity: boolean;
  historyLength: number;
  minAgeDays: number;
  /** null: passwords never expire. */
  maxAgeDays: number | null;
  /** PSOs only: lower wins. */
  precedence: number | null;
  /** PSOs only: the users and groups it is linked to. */
  appliesTo: string[];
}

const DAY_IN_100NS = 864_000_000_000n;
const PSO_CONTAINER = 'CN=Password Settings Container,CN=System';

/** AD stores ages as negative 100-ns intervals; 0 or the most negative value means "never". */
export function intervalToDays(value: string): number | null {
  if (!/^-?\d+$/.test(value.trim())) return null;
  const ticks = BigInt(value.trim());
  if (ticks === 0n || ticks === -9223372036854775808n) return null;
  const abs = ticks < 0n ? -ticks : ticks;
  return Number((abs * 100n) / DAY_IN_100NS) / 100;
}

export async function readDomainPolicy(session: AdSession, domainDn: string): Promise<AdPasswordPolicy> {
  const [head] = await session.search(
    domainDn,
    { scope: 'base', filter: '(objectClass=*)', attributes: ['minPwdLength', 'pwdProperties', 'pwdHistoryLength', 'minPwdAge', 'maxPwdAge'] },
    'read the domain password policy',
  );
  if (!head || textAttribute(head, 'minPwdLength') === '') {
    throw new EngineError('AD.PasswordPolicyUnreadable', `The account ${session.dc.bindDN} cannot read the password policy on ${domainDn}.`, {
      category: 'PermissionDenied',
      exitCode: ExitCode.AuthFailed,
      target: domainDn,
    });
  }
  return {
    source: 'Domain policy',
    dn: domainDn,
    minLength: intAttribute(head, 'minPwdLength'),
    complexity: (intAttribute(head, 'pwdProperties') & 1) === 1,
    historyLength: intAttribute(head, 'pwdHistoryLength'),
    minAgeDays: intervalToDays(textAttribute(head, 'minPwdAge')) ?? 0,
    maxAgeDays: intervalToDays(textAttribute(head, 'maxPwdAge')),
    precedence: null,
    appliesTo: [],
  };
}

/** The domain policy in words, for the reason AD refused a password ('' when it asks nothing). */
export function domainPolicyInWords(policy: AdPasswordPolicy): string {
  const parts: string[] = [];
  if (policy.minLength > 0) parts.push(`at least ${policy.minLength} characters`);
  if (policy.complexity) parts.push('complexity required (three of upper case, lower case, digits, symbols; not the account name)');
  if (policy.historyLength > 0) parts.push(`not one of the last ${policy.historyLength} passwords`);
  return parts.length > 0 ? `Domain password policy: ${parts.join('; ')}.` : '';
}

function toPso(entry: Entry): AdPasswordPolicy {
  return {
    source: `PSO ${textAttribute(entry, 'cn') || entry.dn}`,
    dn: entry.dn,
    minLength: intAttribute(entry, 'msDS-MinimumPasswordLength'),
    complexity: textAttribute(entry, 'msDS-PasswordComplexityEnabled').toUpperCase() === 'TRUE',
    historyLength: intAttribute(entry, 'msDS-PasswordHistoryLength'),
    minAgeDays: intervalToDays(textAttribute(entry, 'msDS-MinimumPasswordAge')) ?? 0,
    maxAgeDays: intervalToDays(textAttribute(entry, 'msDS-MaximumPasswordAge')),
    precedence: intAttribute(entry, 'msDS-PasswordSettingsPrecedence'),
    appliesTo: allStrings(attributeValue(entry, 'msDS-PSOAppliesTo')),
  };
}

export interface PsoReading {
  /** False when the account cannot see the Password Settings Container. */
  readable: boolean;
  /** The PSOs that apply to users of the root container (or could, to groups in it). */
  applying: Array<AdPasswordPolicy & { users: number; reason: string }>;
  /** Every PSO of the domain. */
  all: AdPasswordPolicy[];
}

/**
 * PSOs in effect under `rootDn`: msDS-ResultantPSO of the users there, plus PSOs linked to a user
 * or group inside the root container (for users the sync has not created yet).
 */
export async function readApplyingPsos(session: AdSession, domainDn: string, rootDn: string): Promise<PsoReading> {
  const container = `${PSO_CONTAINER},${domainDn}`;
  let entries: Entry[];
  try {
    entries = await session.search(
      container,
      {
        scope: 'sub',
        filter: '(objectClass=*)',
        attributes: [
          'cn',
          'objectClass',
          'msDS-MinimumPasswordLength',
          'msDS-PasswordComplexityEnabled',
          'msDS-PasswordHistoryLength',
          'msDS-MinimumPasswordAge',
          'msDS-MaximumPasswordAge',
          'msDS-PasswordSettingsPrecedence',
          'msDS-PSOAppliesTo',
        ],
      },
      'read the password settings objects',
    );
  } catch (err) {
    if (err instanceof EngineError && (err.details.ldapCode === 32 || err.details.ldapCode === 50)) return { readable: false, applying: [], all: [] };
    throw err;
  }
  if (!entries.some((e) => e.dn.toLowerCase() === container.toLowerCase())) return { readable: false, applying: [], all: [] };
  const all = entries.filter((e) => allStrings(attributeValue(e, 'objectClass')).some((c) => c.toLowerCase() === 'msds-passwordsettings')).map(toPso);
  if (all.length === 0) return { readable: true, applying: [], all };

  const counts = new Map<string, number>();
  for await (const page of session.searchPaged(rootDn, {
    scope: 'sub',
    filter: '(&(objectCategory=person)(objectClass=user))',
    attributes: ['msDS-ResultantPSO'],
  })) {
    for (const user of page) {
      const pso = textAttribute(user, 'msDS-ResultantPSO').toLowerCase();
      if (pso) counts.set(pso, (counts.get(pso) ?? 0) + 1);
    }
  }
  const suffix = `,${rootDn}`.toLowerCase();
  const applying: PsoReading['applying'] = [];
  for (const pso of all) {
    const users = counts.get(pso.dn.toLowerCase()) ?? 0;
    const linkedInside = pso.appliesTo.filter((dn) => dn.toLowerCase().endsWith(suffix));
    if (users > 0) applying.push({ ...pso, users, reason: `the resultant policy of ${users} user(s) under the root container` });
    else if (linkedInside.length > 0) applying.push({ ...pso, users, reason: `linked to ${linkedInside.join('; ')} under the root container` });
  }
  return { readable: true, applying, all };
}
