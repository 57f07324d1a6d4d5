// Fixture helper for the Pester sync tests (tests/pester/Integration/Sync.Tests.ps1).
// Drives the JumpCloud sandbox's admin surface over HTTPS, trusting the sandbox CA (verification
// stays on), and makes, reads and removes a throw-away OU on the test DC over LDAPS with the test
// CA. The request comes as JSON on stdin; secrets are read from their files, never from argv.
//
//   node SyncFixture.mjs admin     {url, caFile, apiKeyFile, calls: [{method, path, body?}]} → [bodies]
//   node SyncFixture.mjs ou-create {connectionFile, prefix}                                  → {dn, adiDN}
//   node SyncFixture.mjs ou-read   {connectionFile, dn}                                      → {users, groups}
//   node SyncFixture.mjs ou-delete {connectionFile, dn}                                      → {deleted}
//   node SyncFixture.mjs ou-list   {connectionFile, prefix}                                  → [dn] (OUs under the base named prefix*)
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { Client } from 'ldapts';
import { sandboxAdmin } from '../../../scripts/sandbox-admin.mjs';

const readStdin = async () => {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
};

const admin = (request) => sandboxAdmin(request, request.calls);

async function withDc(request, work) {
  const dc = JSON.parse(readFileSync(request.connectionFile, 'utf8'));
  const client = new Client({
    url: `ldaps://${dc.host}:${dc.port}`,
    timeout: 15_000,
    connectTimeout: 15_000,
    tlsOptions: { ca: [readFileSync(dc.caFile, 'utf8')], minVersion: 'TLSv1.2', rejectUnauthorized: true },
  });
  try {
    await client.bind(dc.adminUPN, readFileSync(dc.adminPasswordFile, 'utf8').trim());
    return await work(client, dc);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

const first = (value) => (Array.isArray(value) ? value[0] : value);
const all = (value) => (value === undefined ? [] : [value].flat());

const actions = {
  admin,
  'ou-create': (request) =>
    withDc(request, async (client, dc) => {
      const dn = `OU=${request.prefix}-${randomBytes(4).toString('hex')},${dc.baseDN}`;
      await client.add(dn, { objectClass: ['top', 'organizationalUnit'] });
      return { dn, adiDN: dn.replace(/,/g, ';') };
    }),
  'ou-read': (request) =>
    withDc(request, async (client) => {
      const { searchEntries } = await client.search(request.dn, {
        scope: 'sub',
        filter: '(|(objectClass=user)(objectClass=group))',
        attributes: ['objectClass', 'cn', 'sAMAccountName', 'userAccountControl', 'givenName', 'sn', 'member'],
      });
      const isGroup = (e) => all(e.objectClass).map(String).includes('group');
      return {
        users: searchEntries
          .filter((e) => !isGroup(e))
          .map((e) => ({
            dn: e.dn,
            sAMAccountName: String(first(e.sAMAccountName)),
            givenName: String(first(e.givenName) ?? ''),
            sn: String(first(e.sn) ?? ''),
            disabled: (Number(first(e.userAccountControl)) & 2) === 2,
          })),
        groups: searchEntries.filter(isGroup).map((e) => ({ dn: e.dn, cn: String(first(e.cn)), members: all(e.member).map(String) })),
      };
    }),
  'ou-delete': (request) =>
    withDc(request, async (client) => {
      const { searchEntries } = await client.search(request.dn, { scope: 'sub', filter: '(objectClass=*)', attributes: ['dn'] });
      // Children first: the longest DNs are the deepest.
      const dns = searchEntries.map((e) => e.dn).sort((a, b) => b.length - a.length);
      for (const dn of dns) await client.del(dn);
      return { deleted: dns.length };
    }),
  'ou-list': (request) =>
    withDc(request, async (client, dc) => {
      const prefix = String(request.prefix).replace(/[*()\\\0]/g, '');
      const { searchEntries } = await client.search(dc.baseDN, { scope: 'one', filter: `(ou=${prefix}*)`, attributes: ['ou'] });
      return searchEntries.map((e) => e.dn);
    }),
};

const action = actions[process.argv[2]];
if (!action) {
  process.stderr.write(`usage: node SyncFixture.mjs ${Object.keys(actions).join('|')} < request.json\n`);
  process.exit(2);
}
try {
  process.stdout.write(JSON.stringify(await action(await readStdin())) + '\n');
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
