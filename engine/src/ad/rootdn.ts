// The ADI Root User DN and domain formats (the product guide's rules), pure and total:
//   Root User DN  CN=Users;DC=example;DC=com  or  OU=Corporate Users;DC=example;DC=com
//   ADI domain    DC=example;DC=com
// Semicolons between components, capital CN/OU/DC, no spaces around separators, ASCII only,
// nothing escaped. Every malformed form yields a specific problem; nothing here throws.
import { escapeDnValue } from './escape';
import { capitalise } from '../util/text';

type RdnType = 'CN' | 'OU' | 'DC';
interface RdnComponent {
  type: RdnType;
  value: string;
}

export interface AdiDnParse {
  input: string;
  isValid: boolean;
  problems: string[];
  components: RdnComponent[];
  /** The LDAP form (commas), set only when the input is valid. */
  ldapDN: string | null;
  /** The domain part in ADI form, e.g. DC=example;DC=com, set only when valid. */
  domain: string | null;
}

type Kind = 'root' | 'domain';
const MAX_LENGTH = 1024;
const RDN_TYPES: readonly RdnType[] = ['CN', 'OU', 'DC'];
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** Characters that would need escaping in an LDAP DN value (RFC 4514) are not accepted. */
const NEEDS_ESCAPE = /["+<>=\\]/;

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
  return cp < 0x20 || cp === 0x7f ? hex : `'${ch}' (${hex})`;
}

function label(kind: Kind): string {
  return kind === 'root' ? 'Root User DN' : 'ADI domain';
}

function example(kind: Kind): string {
  return kind === 'root' ? 'CN=Users;DC=example;DC=com' : 'DC=example;DC=com';
}

function characterProblems(input: string, kind: Kind): string[] {
  const problems: string[] = [];
  let position = 0;
  for (const ch of input) {
    position++;
    const cp = ch.codePointAt(0) ?? 0;
    if (cp > 0x7e) {
      problems.push(
        `The ${label(kind)} contains the non-ASCII character ${describeChar(ch)} at position ${position}; non-ASCII characters are not supported (rename the container with ASCII letters).`,
      );
    } else if (cp < 0x20 || cp === 0x7f) {
      problems.push(`The ${label(kind)} contains the control character ${describeChar(ch)} at position ${position}.`);
    }
  }
  const escape = /\\(?:[0-9A-Fa-f]{2}|.)?/.exec(input);
  if (escape) {
    problems.push(
      `The ${label(kind)} contains the escape sequence '${escape[0]}' at position ${escape.index + 1}; escaped characters are not supported (choose a container whose name needs no escaping).`,
    );
  }
  return problems;
}

function componentProblems(raw: string, n: number, kind: Kind): { problems: string[]; component?: RdnComponent } {
  const problems: string[] = [];
  const where = `component ${n} ('${raw}')`;
  if (raw !== raw.trim()) {
    problems.push(`Spaces around ';' in ${where}: no spaces are allowed around separators.`);
  }
  const eq = raw.indexOf('=');
  if (eq < 0) {
    problems.push(`${capitalise(where)} has no '=': each component is TYPE=value, as in ${example(kind)}.`);
    return { problems };
  }
  const rawType = raw.slice(0, eq);
  const rawValue = raw.slice(eq + 1);
  if (rawType !== rawType.trimEnd() || rawValue !== rawValue.trimStart()) {
    problems.push(`Spaces around '=' in ${where}: write TYPE=value with no spaces.`);
  }
  const type = rawType.trim();
  const value = rawValue.trim();
  const upper = type.toUpperCase();
  if (!(RDN_TYPES as readonly string[]).includes(upper)) {
    problems.push(`${capitalise(where)} uses the attribute type '${type}'; only CN, OU and DC are allowed.`);
  } else if (type !== upper) {
    problems.push(`${capitalise(where)} writes '${type}' in lower case; attribute types must be upper case: '${upper}'.`);
  }
  if (value.includes(',')) {
    // The comma is already reported for the whole DN; the rest of this value is not meaningful.
  } else if (value === '') {
    problems.push(`${capitalise(where)} has an empty value.`);
  } else if (value.includes('=')) {
    problems.push(`${capitalise(where)} has a second '=' in its value.`);
  } else if (NEEDS_ESCAPE.test(value) || value.startsWith('#')) {
    const bad = NEEDS_ESCAPE.exec(value)?.[0] ?? '#';
    problems.push(`${capitalise(where)} contains '${bad}', which would need escaping in LDAP; such names are not supported.`);
  } else if (upper === 'DC' && !DNS_LABEL.test(value)) {
    problems.push(`${capitalise(where)} is not a valid DNS label (letters, digits and inner hyphens, at most 63).`);
  }
  if (problems.length > 0) return { problems };
  return { problems, component: { type: upper as RdnType, value } };
}

function structureProblems(components: RdnComponent[], kind: Kind): string[] {
  const firstDc = components.findIndex((c) => c.type === 'DC');
  if (firstDc < 0) {
    return [`The ${label(kind)} has no DC components: the domain part (as in ;DC=example;DC=com) is missing.`];
  }
  const problems: string[] = [];
  components.slice(firstDc).forEach((c, i) => {
    if (c.type !== 'DC') {
      problems.push(`Component ${firstDc + i + 1} ('${c.type}=${c.value}') comes after a DC component; the DC components must come last.`);
    }
  });
  if (kind === 'root' && firstDc === 0) {
    problems.push(
      `The Root User DN names only the domain; it must name a container inside it, such as CN=Users;${components.map((c) => `${c.type}=${c.value}`).join(';')}.`,
    );
  }
  if (kind === 'domain' && firstDc > 0) {
    problems.push(`An ADI domain has only DC components (as in DC=example;DC=com); found '${components[0]?.type}=${components[0]?.value}'.`);
  }
  return problems;
}

export function parseAdiDN(input: string, kind: Kind = 'root'): AdiDnParse {
  const invalid = (problems: string[]): AdiDnParse => ({ input, isValid: false, problems, components: [], ldapDN: null, domain: null });
  if (input.trim() === '') return invalid([`The ${label(kind)} is empty; expected a value such as ${example(kind)}.`]);
  if (input.length > MAX_LENGTH) return invalid([`The ${label(kind)} is ${input.length} characters long; at most ${MAX_LENGTH} are accepted.`]);

  const problems = characterProblems(input, kind);
  if (input.includes(',')) {
    if (!input.includes(';')) {
      const suggestion = input
        .split(',')
        .map((part) => part.trim())
        .join(';');
      problems.push(`The ${label(kind)} uses commas between components; the ADI format separates them with semicolons: ${suggestion}`);
      return invalid(problems);
    }
    problems.push(`The ${label(kind)} contains a comma at position ${input.indexOf(',') + 1}; components are separated by ';' and commas are not allowed.`);
  }
  if (input.trimStart().startsWith(';')) problems.push(`The ${label(kind)} starts with ';'.`);
  if (input.trimEnd().endsWith(';')) problems.push(`The ${label(kind)} ends with ';'; remove the trailing semicolon.`);

  const parts = input.split(';');
  const first = parts.findIndex((p) => p.trim() !== '');
  let last = parts.length - 1;
  while (last >= 0 && (parts[last] as string).trim() === '') last--;
  const components: RdnComponent[] = [];
  for (let i = Math.max(first, 0); i <= last; i++) {
    const raw = parts[i] as string;
    if (raw.trim() === '') {
      problems.push(`Component ${i + 1} is empty (two ';' in a row).`);
      continue;
    }
    const checked = componentProblems(raw, i + 1, kind);
    problems.push(...checked.problems);
    if (checked.component) components.push(checked.component);
  }
  if (problems.length === 0) problems.push(...structureProblems(components, kind));
  if (problems.length > 0) return invalid(problems);

  const dcs = components.filter((c) => c.type === 'DC');
  return {
    input,
    isValid: true,
    problems: [],
    components,
    ldapDN: components.map((c) => `${c.type}=${escapeDnValue(c.value)}`).join(','),
    domain: dcs.map((c) => `DC=${c.value}`).join(';'),
  };
}

export interface DomainMatch {
  underDomain: boolean;
  problem: string | null;
}

/** Whether a valid Root User DN lies in exactly the given valid ADI domain (not a child domain). */
export function matchDomain(root: AdiDnParse, domain: AdiDnParse): DomainMatch {
  const rootDcs = root.components.filter((c) => c.type === 'DC').map((c) => c.value);
  const domainDcs = domain.components.map((c) => c.value);
  const same = (a: string[], b: string[], fold: boolean) =>
    a.length === b.length && a.every((v, i) => (fold ? v.toLowerCase() === (b[i] as string).toLowerCase() : v === b[i]));
  if (same(rootDcs, domainDcs, false)) return { underDomain: true, problem: null };
  if (same(rootDcs, domainDcs, true)) {
    return {
      underDomain: false,
      problem: `The Root User DN's domain '${root.domain}' differs in case from the ADI domain '${domain.input}'; use the same case as the ADI domain in JumpCloud.`,
    };
  }
  return {
    underDomain: false,
    problem: `The Root User DN is in the domain '${root.domain}', not under the ADI domain '${domain.input}'.`,
  };
}
