// The JumpCloud organization password policy (settings.passwordPolicy), evaluated before anything
// is created. Pure; the problems describe the rule, never the password. JumpCloud still checks
// on creation (its list of commonly used passwords is not public): a password it refuses fails
// that row alone.
import type { PasswordPolicy } from '../jumpcloud/schemas';

/** Three or more of the same character, or of a run such as abc / 321, in a row. */
function hasSequentialOrRepetitive(password: string): boolean {
  const cps = [...password].map((c) => c.toLowerCase().codePointAt(0) as number);
  for (let i = 2; i < cps.length; i++) {
    const [a, b, c] = [cps[i - 2] as number, cps[i - 1] as number, cps[i] as number];
    if (a === b && b === c) return true;
    if (b - a === c - b && Math.abs(b - a) === 1 && /[a-z0-9]/.test(String.fromCodePoint(a)) && /[a-z0-9]/.test(String.fromCodePoint(c))) return true;
  }
  return false;
}

/** Minimum length the policy enforces, or null. `enableMinLength: false` turns the length rule off. */
export function policyMinLength(policy: PasswordPolicy): number | null {
  if (policy.enableMinLength === false) return null;
  return typeof policy.minLength === 'number' && policy.minLength > 0 ? policy.minLength : null;
}

/** What the password lacks under the policy (empty when it complies). */
export function passwordPolicyProblems(password: string, policy: PasswordPolicy, username: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  const min = policyMinLength(policy);
  if (min !== null && length < min) problems.push(`it has ${length} characters; the policy asks for at least ${min}`);
  if (policy.needsLowercase && !/\p{Ll}/u.test(password)) problems.push('it needs a lowercase letter');
  if (policy.needsUppercase && !/\p{Lu}/u.test(password)) problems.push('it needs an uppercase letter');
  if (policy.needsNumeric && !/\p{Nd}/u.test(password)) problems.push('it needs a digit');
  if (policy.needsSymbolic && !/[^\p{L}\p{Nd}]/u.test(password)) problems.push('it needs a symbol');
  if (policy.allowUsernameSubstring === false && username !== '' && password.toLowerCase().includes(username.toLowerCase()))
    problems.push('it contains the username');
  if (policy.disallowSequentialOrRepetitiveChars && hasSequentialOrRepetitive(password))
    problems.push('it has three repeated or sequential characters in a row (aaa, abc, 321)');
  return problems;
}

/** The policy in one line, for messages: "at least 12 characters, upper and lower case, a digit". */
export function describePolicy(policy: PasswordPolicy): string {
  const parts: string[] = [];
  const min = policyMinLength(policy);
  if (min !== null) parts.push(`at least ${min} characters`);
  if (policy.needsLowercase) parts.push('a lowercase letter');
  if (policy.needsUppercase) parts.push('an uppercase letter');
  if (policy.needsNumeric) parts.push('a digit');
  if (policy.needsSymbolic) parts.push('a symbol');
  if (policy.allowUsernameSubstring === false) parts.push('not containing the username');
  if (policy.disallowSequentialOrRepetitiveChars) parts.push('no three repeated or sequential characters');
  return parts.length > 0 ? parts.join(', ') : 'no rules';
}
