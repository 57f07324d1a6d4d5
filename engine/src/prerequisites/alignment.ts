// Password policy alignment: for each rule, can a password JumpCloud accepts be refused by AD when
// the agent sets it (an administrator reset: AD checks length and complexity, not history or
// minimum age)? Pure: JumpCloud's policy and one AD policy in, one finding per rule out.
import type { PasswordPolicy } from '../jumpcloud/schemas';
import type { AdPasswordPolicy } from '../ad/passwordpolicy';

type AlignmentStatus = 'Aligned' | 'Warning' | 'Mismatch';
type AlignmentRule = 'MinimumLength' | 'Complexity' | 'History' | 'MinimumAge' | 'MaximumAge';

export interface AlignmentFinding {
  rule: AlignmentRule;
  /** Which AD policy: "Domain policy" or "PSO <name>". */
  adPolicy: string;
  status: AlignmentStatus;
  jumpCloud: string;
  activeDirectory: string;
  detail: string;
  /** The JumpCloud setting to change (Settings → Password policy), or null. */
  changeInJumpCloud: string | null;
  /** The AD setting to change, or null. */
  changeInActiveDirectory: string | null;
}

/** What JumpCloud guarantees about every password it accepts. */
export interface JumpCloudRules {
  minLength: number;
  lowercase: boolean;
  uppercase: boolean;
  numeric: boolean;
  symbol: boolean;
  allowUsernameSubstring: boolean;
  history: number;
  expirationDays: number | null;
}

export function jumpCloudRules(policy: PasswordPolicy): JumpCloudRules {
  return {
    minLength: policy.enableMinLength === false ? 0 : (policy.minLength ?? 0),
    lowercase: policy.needsLowercase === true,
    uppercase: policy.needsUppercase === true,
    numeric: policy.needsNumeric === true,
    symbol: policy.needsSymbolic === true,
    // JumpCloud's default allows it; only an explicit false forbids it.
    allowUsernameSubstring: policy.allowUsernameSubstring !== false,
    history: policy.enableMaxHistory ? (policy.maxHistory ?? 0) : 0,
    expirationDays: policy.enablePasswordExpirationInDays ? (policy.passwordExpirationInDays ?? null) : null,
  };
}

const CLASS_NAMES = { lowercase: 'lowercase letters', uppercase: 'uppercase letters', numeric: 'numbers', symbol: 'symbols' } as const;

function adSetting(policy: AdPasswordPolicy, domainName: string, psoAttribute: string): string {
  return policy.precedence === null ? domainName : `${psoAttribute} on ${policy.dn}`;
}

export function compareWithAd(jc: JumpCloudRules, ad: AdPasswordPolicy): AlignmentFinding[] {
  const findings: AlignmentFinding[] = [];
  const base = { adPolicy: ad.source };

  // Length: AD refuses anything shorter than its minimum.
  const jcLength = jc.minLength > 0 ? `at least ${jc.minLength} characters` : 'no minimum length';
  if (jc.minLength < ad.minLength) {
    findings.push({
      ...base,
      rule: 'MinimumLength',
      status: 'Mismatch',
      jumpCloud: jcLength,
      activeDirectory: `at least ${ad.minLength} characters`,
      detail: `JumpCloud accepts a password of ${Math.max(jc.minLength, 1)} characters; AD refuses any password shorter than ${ad.minLength}.`,
      changeInJumpCloud: `Set the minimum length to ${ad.minLength} or more (minLength, with enableMinLength on).`,
      changeInActiveDirectory: `Lower ${adSetting(ad, `"Minimum password length" (minPwdLength) of the Default Domain Policy`, 'msDS-MinimumPasswordLength')} to ${jc.minLength || 1}.`,
    });
  } else {
    findings.push({
      ...base,
      rule: 'MinimumLength',
      status: 'Aligned',
      jumpCloud: jcLength,
      activeDirectory: `at least ${ad.minLength} characters`,
      detail: 'Every length JumpCloud accepts is long enough for AD.',
      changeInJumpCloud: null,
      changeInActiveDirectory: null,
    });
  }

  // Complexity: 3 of the 4 classes, and no account name inside the password (Windows' rule).
  if (!ad.complexity) {
    findings.push({
      ...base,
      rule: 'Complexity',
      status: 'Aligned',
      jumpCloud: describeClasses(jc),
      activeDirectory: 'complexity off',
      detail: 'AD does not require complexity.',
      changeInJumpCloud: null,
      changeInActiveDirectory: null,
    });
  } else {
    const required = (Object.keys(CLASS_NAMES) as Array<keyof typeof CLASS_NAMES>).filter((k) => jc[k]);
    const problems: string[] = [];
    const jcChanges: string[] = [];
    if (required.length < 3) {
      const absent = (Object.keys(CLASS_NAMES) as Array<keyof typeof CLASS_NAMES>).filter((k) => !jc[k]).map((k) => CLASS_NAMES[k]);
      problems.push(
        `JumpCloud requires ${required.length === 0 ? 'no character class' : `only ${required.map((k) => CLASS_NAMES[k]).join(' and ')}`}, so it accepts passwords with fewer than 3 of the 4 classes AD's complexity demands (it could accept one with none of ${absent.join(', ')})`,
      );
      jcChanges.push(`require at least ${3 - required.length} more of: ${absent.join(', ')} (needsUppercase, needsLowercase, needsNumeric, needsSymbolic)`);
    }
    if (jc.allowUsernameSubstring) {
      problems.push(
        "JumpCloud allows a password that contains the username, and AD's complexity refuses a password containing the account name (sAMAccountName)",
      );
      jcChanges.push('turn off "allow username in password" (allowUsernameSubstring)');
    }
    const adChange = adSetting(
      ad,
      'Disable "Password must meet complexity requirements" (pwdProperties bit 1) in the Default Domain Policy',
      'Set msDS-PasswordComplexityEnabled to FALSE',
    );
    if (problems.length > 0) {
      findings.push({
        ...base,
        rule: 'Complexity',
        status: 'Mismatch',
        jumpCloud: describeClasses(jc),
        activeDirectory: 'complexity on: 3 of 4 classes, no account name',
        detail: `${problems.join('; ')}.`,
        changeInJumpCloud: `${jcChanges.map((c, i) => (i === 0 ? c.charAt(0).toUpperCase() + c.slice(1) : c)).join('; ')}.`,
        changeInActiveDirectory: `${adChange}.`,
      });
    } else {
      findings.push({
        ...base,
        rule: 'Complexity',
        status: 'Warning',
        jumpCloud: describeClasses(jc),
        activeDirectory: 'complexity on: 3 of 4 classes, no account name',
        detail:
          'The character classes and the username rule line up. Windows also refuses a password containing any 3+ character part of the display name, which JumpCloud cannot forbid: such a password would fail in AD.',
        changeInJumpCloud: null,
        changeInActiveDirectory: `Only if such failures happen: ${adChange.charAt(0).toLowerCase()}${adChange.slice(1)}.`,
      });
    }
  }

  // History and minimum age: not checked on an administrator reset, which is how the agent sets passwords.
  findings.push({
    ...base,
    rule: 'History',
    status: 'Aligned',
    jumpCloud: jc.history > 0 ? `remembers ${jc.history} passwords` : 'no history',
    activeDirectory: `remembers ${ad.historyLength} passwords`,
    detail: 'AD does not check the history when an administrator (the agent) resets a password, so it never refuses a synced password for reuse.',
    changeInJumpCloud: null,
    changeInActiveDirectory: null,
  });
  findings.push({
    ...base,
    rule: 'MinimumAge',
    status: 'Aligned',
    jumpCloud: 'n/a',
    activeDirectory: ad.minAgeDays > 0 ? `${ad.minAgeDays} day(s)` : 'none',
    detail: "The minimum age limits only users changing their own password in AD; the agent's resets are not subject to it.",
    changeInJumpCloud: null,
    changeInActiveDirectory: null,
  });

  // Maximum age: not a refusal, but AD would make users change in AD a password JumpCloud owns.
  const adMax = ad.maxAgeDays === null ? 'never expire' : `expire after ${ad.maxAgeDays} days`;
  const jcMax = jc.expirationDays === null ? 'never expire' : `expire after ${jc.expirationDays} days`;
  if (ad.maxAgeDays !== null && (jc.expirationDays === null || jc.expirationDays > ad.maxAgeDays)) {
    findings.push({
      ...base,
      rule: 'MaximumAge',
      status: 'Warning',
      jumpCloud: `passwords ${jcMax}`,
      activeDirectory: `passwords ${adMax}`,
      detail: `AD expires a synced password after ${ad.maxAgeDays} days while JumpCloud keeps it longer: Windows then asks the user for a new password in AD, which never reaches JumpCloud.`,
      changeInJumpCloud: `Expire passwords after at most ${Math.floor(ad.maxAgeDays)} days (passwordExpirationInDays, enabled).`,
      changeInActiveDirectory: `${adSetting(ad, 'Set "Maximum password age" (maxPwdAge) of the Default Domain Policy to 0 (never)', 'Set msDS-MaximumPasswordAge to never')} for the synced users.`,
    });
  } else {
    findings.push({
      ...base,
      rule: 'MaximumAge',
      status: 'Aligned',
      jumpCloud: `passwords ${jcMax}`,
      activeDirectory: `passwords ${adMax}`,
      detail: 'JumpCloud renews passwords before AD would expire them.',
      changeInJumpCloud: null,
      changeInActiveDirectory: null,
    });
  }
  return findings;
}

function describeClasses(jc: JumpCloudRules): string {
  const classes = (Object.keys(CLASS_NAMES) as Array<keyof typeof CLASS_NAMES>).filter((k) => jc[k]).map((k) => CLASS_NAMES[k]);
  return `${classes.length ? classes.join(', ') : 'no character class'} required${jc.allowUsernameSubstring ? '; username allowed' : ''}`;
}
