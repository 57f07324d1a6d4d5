// The details JumpCloud puts in a 4xx answer besides its one-line message. A refused password
// answers 400 "Password validation fail" and says which rule failed only in a list of field
// violations ({ field: "password", description: "specialCharacter" }), the google.rpc.BadRequest
// shape: as `fieldViolationsList` or `fieldViolations`, at the top of the body or inside a
// `details` entry. Read here, tolerantly (a proxy may answer with anything), so that the error
// the user sees names the field and the rule (docs/jumpcloud-errors.md).

export interface FieldViolation {
  field: string;
  description: string;
}

/** At most this many violations are kept, each part at most this long: a body cannot flood a message. */
const MAX_VIOLATIONS = 20;
const MAX_PART = 120;

const LIST_KEYS = ['fieldViolationsList', 'fieldViolations', 'field_violations'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (typeof value !== 'string') return '';
  // One line, printable, bounded: it becomes part of an error message.
  return value
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, MAX_PART);
}

function violationsIn(holder: Record<string, unknown>): FieldViolation[] {
  const found: FieldViolation[] = [];
  for (const key of LIST_KEYS) {
    const list = holder[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (!isRecord(item)) continue;
      const field = text(item.field);
      const description = text(item.description ?? item.reason ?? item.message);
      if (field || description) found.push({ field, description });
    }
  }
  return found;
}

/** Every field violation of a parsed error body, top level and inside `details`, without duplicates. */
export function fieldViolationsOf(body: unknown): FieldViolation[] {
  if (!isRecord(body)) return [];
  const all = [...violationsIn(body)];
  const details = Array.isArray(body.details) ? body.details : isRecord(body.details) ? [body.details] : [];
  for (const detail of details) if (isRecord(detail)) all.push(...violationsIn(detail));
  const seen = new Set<string>();
  return all
    .filter((v) => {
      const key = `${v.field}\u0000${v.description}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_VIOLATIONS);
}

/** `password: specialCharacter; password: minLength` — the form error messages and CSV reasons carry. */
export function describeViolations(violations: FieldViolation[]): string {
  return violations.map((v) => (v.field && v.description ? `${v.field}: ${v.description}` : v.field || v.description)).join('; ');
}
