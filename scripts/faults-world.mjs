#!/usr/bin/env node
// The fault suite's world on its private DC (scripts/test-faults.sh runs this):
//   canaries WORK   make WORK/canary (0700): marker, apikey.secret, dc-bind.secret (0600 each);
//                   every canary secret starts with the marker, which the scan looks for
//   setup WORK      remove OUs left by earlier runs, make OU=faults-<run>, create the run's service
//                   account with the canary password (service-account-create through the built
//                   engine, the password on its stdin), delegate the sync's five tasks on the run OU,
//                   write WORK/world.json (no secrets)
//   teardown WORK   delete the run OU and everything under it
// Needs JCADI_TESTDC_DIR naming the private DC (never the shared one on 127.0.0.1).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdSession } from '../engine/src/ad/session.ts';
import { adminDc, testDc } from '../tests/engine/helpers/testdc.ts';
import { TreeDeleteControl } from '../tests/engine/helpers/faultworld.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [action, work] = process.argv.slice(2);
if (!['canaries', 'setup', 'teardown'].includes(action ?? '') || !work) {
  console.error('usage: node --import tsx scripts/faults-world.mjs canaries|setup|teardown WORK');
  process.exit(2);
}

function makeCanaries() {
  const dir = join(work, 'canary');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const marker = `Canary-${randomBytes(8).toString('hex')}`;
  const write = (name, text) => writeFileSync(join(dir, name), `${text}\n`, { mode: 0o600 });
  write('marker', marker);
  write('apikey.secret', `${marker}-ApiKey-${randomBytes(12).toString('base64url')}`);
  write('dc-bind.secret', `${marker}-Bind-Secret!9`);
}

/** Runs one request through the built engine (stdin), its output captured in WORK/captures. */
function engine(command, params, name) {
  mkdirSync(join(work, 'captures'), { recursive: true, mode: 0o700 });
  mkdirSync(join(work, 'logs'), { recursive: true, mode: 0o700 });
  const request = JSON.stringify({ protocol: 1, command, params, logFile: join(work, 'logs', `${name}.log`) });
  const run = spawnSync(join(root, 'build', 'jcadi-engine'), ['exec'], { input: request, encoding: 'utf8' });
  writeFileSync(join(work, 'captures', `${name}.stdout`), run.stdout ?? '', { mode: 0o600 });
  writeFileSync(join(work, 'captures', `${name}.stderr`), run.stderr ?? '', { mode: 0o600 });
  if (run.status !== 0) {
    const fatal = (run.stdout ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((m) => m.type === 'error');
    throw new Error(`${command} exited ${run.status}: ${fatal ? `${fatal.id}: ${fatal.message}` : run.stderr}`);
  }
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function deleteTree(session, dn) {
  await session.ldapClient.del(dn, [new TreeDeleteControl()]);
}

async function setup() {
  const info = testDc();
  if (info.host === '127.0.0.1') throw new Error('JCADI_TESTDC_DIR names the shared test DC; the fault suite needs its private DC');
  const admin = await AdSession.open(adminDc({ timeoutMs: 300_000 }));
  try {
    const old = await admin.search(info.baseDN, { scope: 'one', filter: '(&(objectClass=organizationalUnit)(ou=faults-*))', attributes: ['ou'] });
    for (const entry of old) await deleteTree(admin, entry.dn);
    const run = basename(work)
      .replace(/^run-/, '')
      .replace(/[^A-Za-z0-9-]/g, '')
      .slice(-32);
    const runOU = `OU=faults-${run},${info.baseDN}`;
    await admin.ldapClient.add(runOU, { objectClass: ['top', 'organizationalUnit'] });
    const sam = `jcf${randomBytes(3).toString('hex')}`;
    const dc = adminDc();
    const password = readFileSync(join(work, 'canary', 'dc-bind.secret'), 'utf8').trim();
    const created = engine(
      'service-account-create',
      { dc, container: runOU, samAccountName: sam, givenName: 'Fault', surname: `Sync ${sam}`, password },
      'world-service-account',
    );
    const account = created.find((m) => m.type === 'record')?.data;
    engine('delegation-grant', { dc, rootUserDN: runOU.replace(/,/g, ';'), serviceAccount: sam }, 'world-delegation');
    writeFileSync(
      join(work, 'world.json'),
      JSON.stringify({ runOU, serviceAccountDN: account.DistinguishedName, serviceAccountUPN: account.UserPrincipalName }, null, 2),
      { mode: 0o600 },
    );
    console.log(`faults-world: ${runOU}, service account ${account.UserPrincipalName} with delegated rights`);
  } finally {
    await admin.close();
  }
}

async function teardown() {
  const file = join(work, 'world.json');
  if (!existsSync(file)) return;
  const { runOU } = JSON.parse(readFileSync(file, 'utf8'));
  const admin = await AdSession.open(adminDc({ timeoutMs: 300_000 }));
  try {
    if (await admin.readObject(runOU, ['ou'])) await deleteTree(admin, runOU);
  } finally {
    await admin.close();
  }
}

try {
  if (action === 'canaries') makeCanaries();
  else if (action === 'setup') await setup();
  else await teardown();
} catch (err) {
  console.error(`faults-world ${action}: ${err.message}`);
  process.exit(1);
}
