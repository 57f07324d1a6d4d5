// SDDL for single ACEs ("(OA;CIIO;RPWP;<guid>;<guid>;S-1-5-…)"), both ways. Enough of the
// language for the delegation ACEs and for showing any DACL to an admin; pure.
import { isGuidString, isSidString, SecurityDescriptorError } from '../ad/binary';
import { RIGHT, SDDL_RIGHTS, SDDL_SID_ALIASES, DS_FULL_CONTROL } from './rights';
import { isObjectAceType, isParsedAce, type Ace, type AnyAce } from '../ad/sd';

const TYPES: ReadonlyArray<[string, number]> = [
  ['A', 0x00],
  ['D', 0x01],
  ['AU', 0x02],
  ['OA', 0x05],
  ['OD', 0x06],
  ['OU', 0x07],
  ['XA', 0x09],
  ['XD', 0x0a],
  ['ZA', 0x0b],
];

const FLAGS: ReadonlyArray<[string, number]> = [
  ['OI', 0x01],
  ['CI', 0x02],
  ['NP', 0x04],
  ['IO', 0x08],
  ['ID', 0x10],
  ['SA', 0x40],
  ['FA', 0x80],
];

function bad(text: string, why: string): SecurityDescriptorError {
  return new SecurityDescriptorError('BadSddl', `'${text}' is not an SDDL ACE: ${why}`);
}

function splitCodes(text: string, field: string, table: ReadonlyArray<[string, number]>, whole: string): number {
  if (text.length % 2 !== 0) throw bad(whole, `the ${field} '${text}' is not a list of two-letter codes`);
  let value = 0;
  for (let i = 0; i < text.length; i += 2) {
    const code = text.slice(i, i + 2).toUpperCase();
    const entry = table.find(([c]) => c === code);
    if (!entry) throw bad(whole, `unknown ${field} code '${code}'`);
    value = (value | entry[1]) >>> 0;
  }
  return value;
}

/**
 * Parses one ACE. `principal` replaces a bare "S" (the placeholder docs/delegation.md uses for the service
 * account) and is also the SID used when the trustee field is a domain-independent alias.
 */
export function aceFromSddl(text: string, principal?: string): Ace {
  const trimmed = text.trim();
  const match = /^\((.*)\)$/.exec(trimmed);
  if (!match) throw bad(text, 'it must be enclosed in parentheses');
  const fields = (match[1] as string).split(';');
  if (fields.length !== 6) throw bad(text, `it has ${fields.length} fields (expected 6: type;flags;rights;object;inherited object;trustee)`);
  const [typeText, flagText, rightText, objectText, inheritedText, trusteeText] = fields.map((f) => f.trim()) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const type = TYPES.find(([code]) => code === typeText.toUpperCase())?.[1];
  if (type === undefined) throw bad(text, `unknown ACE type '${typeText}'`);
  const flags = splitCodes(flagText, 'flag', FLAGS, text);
  let mask: number;
  if (/^0x[0-9a-f]{1,8}$/i.test(rightText)) mask = Number.parseInt(rightText.slice(2), 16) >>> 0;
  else if (rightText === '') throw bad(text, 'the rights field is empty');
  else mask = splitCodes(rightText, 'right', SDDL_RIGHTS, text);
  const guid = (value: string, field: string) => {
    if (value === '') return null;
    if (!isGuidString(value)) throw bad(text, `the ${field} '${value}' is not a GUID`);
    return value.toLowerCase();
  };
  const objectType = guid(objectText, 'object type');
  const inheritedObjectType = guid(inheritedText, 'inherited object type');
  if ((objectType || inheritedObjectType) && !isObjectAceType(type)) throw bad(text, `an ${typeText} ACE cannot name object types (use OA or OD)`);
  let sid: string;
  if (trusteeText === 'S' && principal) sid = principal;
  else if (isSidString(trusteeText)) sid = trusteeText.toUpperCase();
  else if (SDDL_SID_ALIASES[trusteeText.toUpperCase()]) sid = SDDL_SID_ALIASES[trusteeText.toUpperCase()] as string;
  else throw bad(text, `the trustee '${trusteeText}' is not a SID or a known alias`);
  return { type, flags, mask, sid, objectType, inheritedObjectType, extra: Buffer.alloc(0) };
}

function rightsToSddl(mask: number): string {
  if (mask >>> 0 === DS_FULL_CONTROL || mask >>> 0 === RIGHT.GenericAll) return 'GA';
  let rest = mask >>> 0;
  let out = '';
  for (const [code, bit] of SDDL_RIGHTS) {
    if ((rest & bit) >>> 0 !== 0) {
      out += code;
      rest = (rest & ~bit) >>> 0;
    }
  }
  return rest === 0 ? out : `0x${(mask >>> 0).toString(16)}`;
}

/** SDDL of one ACE; the full-control mask 0x000F01FF is written GA, as the ADUC wizard's ACEs read. */
export function aceToSddl(ace: AnyAce): string {
  const type = TYPES.find(([, value]) => value === ace.type)?.[0];
  if (!isParsedAce(ace) || type === undefined) return `(0x${ace.type.toString(16)};opaque)`;
  const flags = FLAGS.filter(([, bit]) => (ace.flags & bit) !== 0)
    .map(([code]) => code)
    .join('');
  return `(${type};${flags};${rightsToSddl(ace.mask)};${ace.objectType ?? ''};${ace.inheritedObjectType ?? ''};${ace.sid})`;
}
