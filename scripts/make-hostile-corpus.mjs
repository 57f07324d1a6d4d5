#!/usr/bin/env node
// Writes tests/fixtures/hostile/corpus.json: hostile user and group names, e-mails, descriptions,
// Root User DNs, CSV cells and engine requests, each with what must happen to it, derived here
// from the documented rules (engine/src/ad/names.ts and docs/ad-writes.md for AD names, the sandbox's
// JumpCloud rules, engine/src/ad/rootdn.ts's documented format, engine/src/csv/README.md), never
// by running the engine. tests/engine/faults/hostile-input.test.ts pushes it through the whole
// path. Rerun after editing: node scripts/make-hostile-corpus.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'fixtures', 'hostile', 'corpus.json');

// ---- the atoms: hostile strings by family -------------------------------------------------------
const atoms = [
  // LDAP filter injection
  ['filter', '*'],
  ['filter', '*)(objectClass=*'],
  ['filter', 'x)(|(cn=*'],
  ['filter', 'x)(y'],
  ['filter', 'a(b)c'],
  ['filter', '\\2a'],
  ['filter', 'adm*'],
  ['filter', '*)(&'],
  ['filter', '(|(uid=*))'],
  ['filter', ')('],
  // DN injection and the RFC 4514 specials
  ['dn', 'a,OU=Evil'],
  ['dn', 'a+sn=x'],
  ['dn', 'q"uote'],
  ['dn', 'back\\slash'],
  ['dn', 'lt<gt>'],
  ['dn', 'semi;colon'],
  ['dn', 'eq=ual'],
  ['dn', '#lead'],
  ['dn', ' lead'],
  ['dn', 'trail '],
  ['dn', ',+"\\<>;='],
  ['dn', 'CN=x,DC=example,DC=com'],
  ['dn', 'pipe|bar'],
  ['dn', 'br[ack]et'],
  ['dn', 'que?ry'],
  ['dn', 'sl/ash'],
  ['dn', 'co:lon'],
  ['dn', 'at@sign'],
  ['dn', 'mid#hash'],
  ['dn', 'amp&ersand'],
  // Unicode
  ['unicode', 'аdmin'], // Cyrillic а: looks like admin
  ['unicode', 'ａｄｍｉｎ'], // fullwidth
  ['unicode', 'zoë'],
  ['unicode', 'zoe\u0308'], // e + combining diaeresis
  ['unicode', '\u202Egnp.exe'], // right-to-left override
  ['unicode', 'ad\u200Bmin'], // zero-width space
  ['unicode', '\uFEFFbom'],
  ['unicode', 'e\u{1F600}'], // emoji (a surrogate pair)
  ['unicode', 'x\uD800'], // lone high surrogate
  ['unicode', '\uDC00y'], // lone low surrogate
  ['unicode', 'non\uFFFF'], // a noncharacter
  ['unicode', 'ı'], // dotless i
  ['unicode', 'İstanbul'],
  ['unicode', 'straße'],
  ['unicode', 'ǅemal'], // titlecase digraph
  ['unicode', 'Ω'],
  ['unicode', '\u00A0nbsp'], // no-break space
  ['unicode', 'a\u2028b'], // line separator
  ['unicode', 'a\u0085b'], // next line (C1)
  // control characters and NUL
  ['control', 'a\u0000b'],
  ['control', '\u0000'],
  ['control', 'a\u0001b'],
  ['control', 'tab\tbed'],
  ['control', 'new\nline'],
  ['control', 'car\rriage'],
  ['control', '\u001b[31mred'],
  ['control', 'del\u007f'],
  ['control', ' \t '],
  // length
  ['length', 'abcdefghijklmnopqrst'], // 20: the most a user name may have
  ['length', 'abcdefghijklmnopqrstu'], // 21
  ['length', 'x'.repeat(64)],
  ['length', 'y'.repeat(65)],
  ['length', 'z'.repeat(256)],
  ['length', 'w'.repeat(1025)],
  // paths and dots
  ['path', '..'],
  ['path', '.'],
  ['path', '...'],
  ['path', 'a.'],
  ['path', '../../etc/passwd'],
  ['path', '..\\..\\windows'],
  ['path', '.hidden'],
  // JSON-ish, SQL-ish, template junk
  ['junk', '{"$ne":null}'],
  ['junk', '{"__proto__":{"admin":true}}'],
  ['junk', '[]'],
  ['junk', 'null'],
  ['junk', "' OR '1'='1"],
  ['junk', "x'; DROP TABLE users;--"],
  ['junk', '${jndi:ldap://x}'],
  ['junk', '{{7*7}}'],
  ['junk', '%s%s%n'],
  ['junk', '<script>x</script>'],
  // spreadsheet formulas
  ['formula', '=cmd|" /C calc"!A0'],
  ['formula', '+SUM(1,1)'],
  ['formula', '-2+3'],
  ['formula', '@SUM(A1)'],
  // names AD already holds
  ['taken', 'Administrator'],
  ['taken', 'ADMINISTRATOR'],
  ['taken', 'krbtgt'],
  ['taken', 'Guest'],
];

// ---- the rules --------------------------------------------------------------------------------
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const FORBIDDEN = /["/\\[\]:;|=,+*?<>@]/;
/** The sandbox, like JumpCloud: 1–128 characters, no white space, no colon. */
const jumpCloudTakesUsername = (v) => /^[^\s:]{1,128}$/.test(v);
/** sAMAccountName (docs/ad-writes.md) and the sync's own rules (engine/src/ad/names.ts). */
function adRefusesName(v, max) {
  // A leading U+FEFF is dropped by the LDAP client when it reads the name back: refused too.
  return (
    v.trim() === '' ||
    v !== v.trim() ||
    v.length > max ||
    CONTROL.test(v) ||
    FORBIDDEN.test(v) ||
    v.endsWith('.') ||
    /^[. ]+$/.test(v) ||
    LONE_SURROGATE.test(v) ||
    v.startsWith('\uFEFF')
  );
}
const USERS_IN_AD = new Set(['administrator', 'guest', 'krbtgt']);
const GROUPS_IN_AD = new Set(['domain admins', 'administrators', 'domain users', 'enterprise admins', 'schema admins']);
/** A text as read back from AD: a lone surrogate has no UTF-8 form (U+FFFD), a leading BOM is dropped. */
const stored = (v) => v.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD').replace(/^\uFEFF/, '');

const entries = [];
const add = (surface, family, value, expect, extra = {}) =>
  entries.push({
    id: `${surface}-${String(entries.filter((e) => e.surface === surface).length + 1).padStart(3, '0')}`,
    surface,
    family,
    value,
    expect,
    ...extra,
  });

// usernames: JumpCloud user → sync → AD account
const usernames = new Set();
for (const [family, value] of atoms) {
  let expect;
  // JumpCloud usernames are unique regardless of case.
  if (!jumpCloudTakesUsername(value) || usernames.has(value.toLowerCase())) expect = 'refused:JumpCloud';
  else if (adRefusesName(value, 20)) expect = 'skip:InvalidUsername';
  else if (USERS_IN_AD.has(value.toLowerCase())) expect = 'skip:NameTaken';
  else expect = 'created';
  usernames.add(value.toLowerCase());
  add('username', family, value, expect);
}
// A Unicode name held by an account outside the root container: the clash must be seen.
add('username', 'taken', 'decoyzoë', 'skip:NameTaken', { decoy: true });
add('username', 'taken', 'decoyаdm', 'skip:NameTaken', { decoy: true });

// first and last names, on users with plain usernames
for (const [family, value] of atoms) {
  for (const field of ['firstname', 'lastname']) {
    if (field === 'lastname' && !['filter', 'dn', 'control', 'length', 'unicode'].includes(family)) continue;
    let expect;
    if (value.length > 1024) expect = 'refused:JumpCloud';
    else if (value.trim() === '') expect = 'skip:MissingName';
    // givenName and sn hold 64 characters (schema rangeUpper, read by the sync): a reported skip, never a failed write.
    else if (stored(value).length > 64) expect = 'skip:ValueTooLong';
    else expect = 'created';
    add(field, family, value, expect, { stored: stored(value) });
  }
}

// e-mail addresses
for (const local of ['x*)(mail=*', 'a,b', 'q"q', 'zoë', '\u202Eevil', 'a\u0000b', "o'reilly", '{"$ne":1}', '=cmd', 'semi;colon', 'l'.repeat(200)]) {
  const value = `${local}@example.com`;
  const expect = /^[^\s@]+@[^\s@]+$/.test(value) ? (value.length > 256 ? 'skip:ValueTooLong' : 'created') : 'refused:JumpCloud';
  add('email', 'mail', value, expect, { stored: stored(value) });
}

// group names: JumpCloud user group bound to the domain → AD security group (a case-only twin
// would be a DuplicateInJumpCloud whose side depends on sort order: left out)
for (const [family, value] of atoms.filter(([, v]) => v !== 'ADMINISTRATOR')) {
  let expect;
  if (value.trim() === '' || value.length > 256) expect = 'refused:JumpCloud';
  else if (adRefusesName(value, 64)) expect = 'skip:InvalidGroupName';
  else if (GROUPS_IN_AD.has(value.toLowerCase()) || USERS_IN_AD.has(value.toLowerCase())) expect = 'skip:NameTaken';
  else expect = 'created';
  add('groupname', family, value, expect);
}
for (const value of ['Domain Admins', 'Administrators', 'Domain Users', 'Enterprise Admins']) add('groupname', 'taken', value, 'skip:NameTaken');

// group descriptions
for (const [family, value] of atoms.filter(([f]) => ['filter', 'dn', 'control', 'junk', 'formula', 'unicode'].includes(f))) {
  add('description', family, value, value.length > 1024 ? 'refused:JumpCloud' : 'created', { stored: stored(value) });
}

// Root User DNs (ADI form): valid ones must map to exactly this LDAP DN
const dns = [
  ['OU=Corporate Users;DC=example;DC=com', 'OU=Corporate Users,DC=example,DC=com'],
  ['CN=Users;DC=example;DC=com', 'CN=Users,DC=example,DC=com'],
  ['OU=*;DC=example;DC=com', 'OU=*,DC=example,DC=com'],
  ['OU=x)(cn=y;DC=example;DC=com', null],
  ['OU=x)(y;DC=example;DC=com', 'OU=x)(y,DC=example,DC=com'],
  ['OU=a,OU=b;DC=example;DC=com', null],
  ['OU=a,b;DC=example;DC=com', null],
  ['OU=a+CN=b;DC=example;DC=com', null],
  ['OU=a+b;DC=example;DC=com', null],
  ['OU="q";DC=example;DC=com', null],
  ['OU=a\\,b;DC=example;DC=com', null],
  ['OU=a\\2cb;DC=example;DC=com', null],
  ['OU=<x>;DC=example;DC=com', null],
  ['OU=#x;DC=example;DC=com', null],
  ['OU= lead;DC=example;DC=com', null],
  ['OU=trail ;DC=example;DC=com', null],
  ['OU=x; DC=example;DC=com', null],
  ['OU=x ;DC=example;DC=com', null],
  ['OU = x;DC=example;DC=com', null],
  ['ou=x;DC=example;DC=com', null],
  ['OU=x;dc=example;dc=com', null],
  ['O=x;DC=example;DC=com', null],
  ['UID=x;DC=example;DC=com', null],
  ['OU=x;;DC=example;DC=com', null],
  [';OU=x;DC=example;DC=com', null],
  ['OU=x;DC=example;DC=com;', null],
  ['OU=;DC=example;DC=com', null],
  ['OU=x=y;DC=example;DC=com', null],
  ['DC=example;DC=com', null],
  ['DC=example;OU=x;DC=com', null],
  ['OU=x', null],
  ['OU=x;DC=exa mple;DC=com', null],
  ['OU=x;DC=-bad;DC=com', null],
  ['OU=x;DC=under_score;DC=com', null],
  ['OU=x;DC=*;DC=com', null],
  ['OU=zoë;DC=example;DC=com', null],
  ['OU=аdmin;DC=example;DC=com', null],
  ['OU=\u202Eevil;DC=example;DC=com', null],
  ['OU=a\u0000b;DC=example;DC=com', null],
  ['OU=a\tb;DC=example;DC=com', null],
  ['OU=a\nb;DC=example;DC=com', null],
  ['OU=..;DC=example;DC=com', 'OU=..,DC=example,DC=com'],
  ['OU=../../etc;DC=example;DC=com', 'OU=../../etc,DC=example,DC=com'],
  ['OU=a b c;DC=example;DC=com', 'OU=a b c,DC=example,DC=com'],
  ['OU={"$ne":null};DC=example;DC=com', null],
  ["OU=' OR '1'='1;DC=example;DC=com", null],
  ['OU=x;DC=example;DC=com;DC=evil', 'OU=x,DC=example,DC=com,DC=evil'],
  [`OU=${'x'.repeat(1100)};DC=example;DC=com`, null],
  ['', null],
  ['   ', null],
  [';', null],
  ['=', null],
  ['CN=Users,DC=example,DC=com', null],
];
for (const [value, ldapDN] of dns) add('rootdn', 'dn', value, ldapDN ? 'valid' : 'invalid', { ldapDN });

// CSV cells: one row each (FirstName, LastName, Username, Password, Email), through csv-import
const csvRows = [
  // [column, value, expected status, expected ErrorId or null]
  ['Username', '=cmd|" /C calc"!A0', 'Invalid', 'Csv.FormulaInIdentifier'],
  ['Username', '+1', 'Invalid', 'Csv.FormulaInIdentifier'],
  ['Username', '@x', 'Invalid', 'Csv.FormulaInIdentifier'],
  ['Username', '-x', 'Invalid', 'Csv.FormulaInIdentifier'],
  ['Username', 'a b', 'Invalid', 'Csv.InvalidUsername'],
  ['Username', 'x*)(cn=*', 'Invalid', 'Csv.InvalidUsername'],
  ['Username', 'a,b', 'Invalid', 'Csv.InvalidUsername'],
  ['Username', 'abcdefghijklmnopqrstu', 'Invalid', 'Csv.InvalidUsername'],
  ['Username', 'end.', 'Invalid', 'Csv.InvalidUsername'],
  ['Username', 'csv)(ok', 'Created', null],
  ['Username', 'csvzoë', 'Created', null],
  ['Username', 'csv#lead', 'Created', null],
  ['FirstName', '=HYPERLINK("http://x")', 'Created', null, '\'=HYPERLINK("http://x")'],
  ['FirstName', '+SUM(1,1)', 'Created', null, "'+SUM(1,1)"],
  ['FirstName', '@cmd', 'Created', null, "'@cmd"],
  ['FirstName', 'x'.repeat(65), 'Invalid', 'Csv.ValueTooLong'],
  ['FirstName', '', 'Invalid', 'Csv.MissingFirstName'],
  ['FirstName', '*)(givenName=*', 'Created', null, '*)(givenName=*'],
  ['FirstName', 'a,+"\\<>;=b', 'Created', null, 'a,+"\\<>;=b'],
  ['FirstName', '\u202Eevil', 'Created', null, '\u202Eevil'],
  ['LastName', '', 'Invalid', 'Csv.MissingLastName'],
  ['LastName', "x'; DROP TABLE users;--", 'Created', null, "x'; DROP TABLE users;--"],
  ['LastName', 'y'.repeat(65), 'Invalid', 'Csv.ValueTooLong'],
  ['Email', 'not-an-email', 'Invalid', 'Csv.InvalidEmail'],
  ['Email', '=x@example.com', 'Invalid', 'Csv.FormulaInIdentifier'],
  ['Email', '', 'Invalid', 'Csv.MissingEmail'],
  ['Email', 'a"b@example.com', 'Invalid', 'Csv.InvalidEmail'],
  ['Password', 'short', 'Invalid', 'Csv.PasswordPolicy'],
  ['Password', '', 'Created', null],
];
csvRows.forEach(([column, value, status, errorId, stored], i) =>
  add('csvcell', 'csv', value, status, { column, errorId, row: i, ...(stored !== undefined ? { stored } : {}) }),
);

// engine requests (stdin of jcadi-engine exec): what must be refused, and how
const requests = [
  ['', 'Request.Empty', null],
  ['{', 'Request.InvalidJson', null],
  ['\u0000', 'Request.InvalidJson', null],
  ['[]', 'Request.Invalid', null],
  ['null', 'Request.Invalid', null],
  ['"sync"', 'Request.Invalid', null],
  ['1e999', 'Request.Invalid', null],
  ['{"protocol":1,"command":"sync"}', 'Request.Invalid', 'params.jumpcloud'],
  ['{"protocol":2,"command":"version"}', 'Request.Invalid', 'request.protocol'],
  ['{"protocol":"1","command":"version"}', 'Request.Invalid', 'request.protocol'],
  ['{"protocol":1,"command":"version","extra":true}', 'Request.Invalid', 'extra'],
  ['{"protocol":1,"command":"__proto__"}', 'Request.UnknownCommand', null],
  ['{"protocol":1,"command":"constructor"}', 'Request.UnknownCommand', null],
  ['{"protocol":1,"command":"toString"}', 'Request.UnknownCommand', null],
  ['{"protocol":1,"command":"../../etc/passwd"}', 'Request.UnknownCommand', null],
  ['{"protocol":1,"command":"sync\\u0000"}', 'Request.UnknownCommand', null],
  [`{"protocol":1,"command":"${'x'.repeat(10000)}"}`, 'Request.UnknownCommand', null],
  ['{"protocol":1,"command":""}', 'Request.Invalid', 'request.command'],
  ['{"protocol":1,"command":"version","params":[]}', 'Request.Invalid', 'request.params'],
  ['{"protocol":1,"command":"test-rootdn","params":{"rootUserDN":"CN=Users;DC=example;DC=com","__proto__":{"admin":true}}}', 'Request.Invalid', '__proto__'],
  ['{"protocol":1,"command":"test-rootdn","params":{"rootUserDN":{"$ne":null}}}', 'Request.Invalid', 'params.rootUserDN'],
  [
    '{"protocol":1,"command":"test-rootdn","params":{"rootUserDN":"x","server":{"host":"127.0.0.1","port":"636","bindDN":"a","bindPassword":"b"}}}',
    'Request.Invalid',
    'params.server.port',
  ],
  [
    '{"protocol":1,"command":"test-rootdn","params":{"rootUserDN":"x","server":{"host":"127.0.0.1","port":1e9,"bindDN":"a","bindPassword":"b"}}}',
    'Request.Invalid',
    'params.server.port',
  ],
  [
    '{"protocol":1,"command":"test-rootdn","params":{"rootUserDN":"x","server":{"host":"127.0.0.1","mode":"ldap","bindDN":"a","bindPassword":"b"}}}',
    'Request.Invalid',
    'params.server.mode',
  ],
  [
    `{"protocol":1,"command":"test-rootdn","params":{"rootUserDN":"x","server":{"host":"127.0.0.1","bindDN":"a","bindPassword":"${'p'.repeat(2000)}"}}}`,
    'Request.Invalid',
    'params.server.bindPassword',
  ],
  [
    '{"protocol":1,"command":"sync-plan","params":{"jumpcloud":{"apiKey":"k"},"dc":{"host":"h","bindDN":"a","bindPassword":"b"},"domain":"DC=example;DC=com","rootUserDN":"OU=x;DC=example;DC=com","anchorAttribute":"adminDescription)(x"}}',
    'Request.Invalid',
    'params.anchorAttribute',
  ],
  [
    '{"protocol":1,"command":"sync-plan","params":{"jumpcloud":{"apiKey":"k"},"dc":{"host":"h","bindDN":"a","bindPassword":"b"},"domain":"DC=example;DC=com","rootUserDN":"OU=x;DC=example;DC=com","maxDisablePercent":-1}}',
    'Request.Invalid',
    'params.maxDisablePercent',
  ],
  [
    '{"protocol":1,"command":"sync-plan","params":{"jumpcloud":{"apiKey":"k"},"dc":{"host":"h","bindDN":"a","bindPassword":"b"},"domain":"DC=example;DC=com","rootUserDN":"OU=x;DC=example;DC=com","concurrency":1000}}',
    'Request.Invalid',
    'params.concurrency',
  ],
  [
    '{"protocol":1,"command":"sync-plan","params":{"jumpcloud":{"apiKey":"k"},"dc":{"host":"h","bindDN":"a","bindPassword":"b"},"domain":"","rootUserDN":"OU=x;DC=example;DC=com"}}',
    'Request.Invalid',
    'params.domain',
  ],
  [
    '{"protocol":1,"command":"sync","params":{"jumpcloud":{"apiKey":"k"},"dc":{"host":"h","bindDN":"a","bindPassword":"b"},"domain":"DC=example;DC=com","rootUserDN":"OU=x)(y,DC=example;DC=com"}}',
    'RootDN.Invalid',
    null,
  ],
  [
    '{"protocol":1,"command":"sync","params":{"jumpcloud":{"apiKey":"k"},"dc":{"host":"h","bindDN":"a","bindPassword":"b"},"domain":"DC=example;DC=com","rootUserDN":"OU=x;DC=example;DC=com","user":""}}',
    'Request.Invalid',
    'params.user',
  ],
  ['{"protocol":1,"command":"csv-import","params":{"jumpcloud":{"apiKey":"k"},"path":"relative/../../no/such.csv"}}', 'Csv.FileNotFound', null],
  [`{"protocol":1,"command":"version","logLevel":"shout"}`, 'Request.Invalid', 'request.logLevel'],
  [`${'['.repeat(20000)}${']'.repeat(20000)}`, 'Request.InvalidJson', 'nested too deeply'],
];
for (const [value, errorId, field] of requests) add('request', 'request', value, errorId, { field });

// The sandbox's own admin payloads (what a console would refuse): raw JSON bodies for POST /users
const payloads = [
  ['{"username":{"$ne":null},"email":"x@example.com"}', 'username'],
  ['{"username":"ok1","email":"x@example.com","groups":"*"}', 'groups'],
  ['{"username":"ok2","email":"x@example.com","isAdmin":true}', 'isAdmin'],
  ['{"username":"ok3","email":"x@example.com","__proto__":{"admin":true}}', '__proto__'],
  ['{"username":"ok4","email":["a@example.com"]}', 'email'],
  [`{"username":"${'x'.repeat(129)}","email":"y@example.com"}`, 'username'],
  ['{"username":"ok5","email":"z@example.com","suspended":"false"}', 'suspended'],
  ['[{"username":"ok6","email":"w@example.com"}]', null],
];
for (const [body, field] of payloads) add('payload', 'payload', body, 'refused:400', { field });

mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  JSON.stringify(
    { about: 'Hostile inputs and what must happen to each; generated by scripts/make-hostile-corpus.mjs (edit that, not this).', entries },
    null,
    1,
  ) + '\n',
);
const bySurface = entries.reduce((m, e) => ({ ...m, [e.surface]: (m[e.surface] ?? 0) + 1 }), {});
console.log(
  `${entries.length} hostile entries → ${out}: ${Object.entries(bySurface)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ')}`,
);
