// Escaping for every place a value meets LDAP: DN attribute values (RFC 4514) and search
// filter values (RFC 4515). A DN placed inside a filter is DN-escaped first, then filter-escaped.

/** RFC 4514 section 2.4: escape a string for use as an attribute value inside a DN. */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = ch.charCodeAt(0);
    if (code === 0) {
      out += '\\00';
    } else if ('"+,;<>\\='.includes(ch)) {
      out += '\\' + ch;
    } else if ((i === 0 && (ch === ' ' || ch === '#')) || (i === value.length - 1 && ch === ' ')) {
      out += '\\' + ch;
    } else if (code < 0x20 || code === 0x7f) {
      out += '\\' + code.toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out;
}

/**
 * RFC 4515 section 3: escape a string for use as an assertion value inside a search filter.
 * The specials `* ( ) \ NUL` and the other control characters become \xx; every other character,
 * non-ASCII included, stays as it is (RFC 4515 allows UTF-8 in values). ldapts parses the filter
 * text and turns each \xx into ONE character, so escaping the UTF-8 bytes of 'ë' (\c3\ab) would
 * send 'Ã«' to the DC: Samba then matched nothing, and a name held elsewhere went unnoticed.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || code < 0x20 || code === 0x7f) {
      out += '\\' + code.toString(16).padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out;
}

/** Builds an equality filter `(attr=value)` with the value escaped. */
export function eqFilter(attribute: string, value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(attribute)) throw new Error(`Not an LDAP attribute name: ${attribute}`);
  return `(${attribute}=${escapeFilterValue(value)})`;
}
