// The running agent (`jcadi-engine run`) with an anchor key, installed and configured through the
// engine commands: it writes proven anchors, offboards an administrator's disable of an account
// it created, and never acts on an anchor a second delegated (non-admin) account planted: no
// suspension, no mark, the conflict in its journal (from the offboarding check that meets it and
// from the next full reconcile). Set-JCSyncAgent's anchor key (agent-configure)
// is stored protected and opens back as the same key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Attribute, Change, Client } from 'ldapts';
import { newAnchorKey } from '../../../engine/src/ad/anchorproof';
import { agentPaths } from '../../../engine/src/agent/config';
import { peekAgentState } from '../../../engine/src/agent/state';
import { FileJournal } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, first, installAgent, installedSecrets, until } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc, testDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';

describe('the agent with an anchor key', { timeout: 300_000 }, () => {
  const info = testDc();
  const tag = randomBytes(3).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-trust-'));
  const log = join(work, 'exec.log');
  const key = newAnchorKey();
  const helpdesk = { sam: `trah${tag}`, password: `Tr-${randomBytes(9).toString('base64url')}-3c` };
  const ids = new Map<string, string>();
  let sb: TestSandbox;
  let fx: AdFixture;
  let root: string;
  let installPath = '';

  const account = async (username: string) => {
    const [entry] = await fx.session.search(root, {
      scope: 'sub',
      filter: `(sAMAccountName=${username})`,
      attributes: ['userAccountControl', 'adminDescription'],
    });
    return entry ? { dn: entry.dn, uac: Number(first(entry.userAccountControl)), anchor: first(entry.adminDescription) } : null;
  };
  const checks = () => peekAgentState(agentPaths(installPath).state)?.counters.offboardChecks ?? 0;
  const journal = () => FileJournal.read(agentPaths(installPath).journal);
  const suspended = async (username: string) => (await sb.admin('GET', `/users/${username}`)).suspended === true;

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture(`trusta-agent-${tag}`);
    root = `OU=Root,${fx.rootDN}`;
    await fx.session.ldapClient.add(root, { objectClass: ['top', 'organizationalUnit'] });
    const created = await exec(
      'service-account-create',
      { dc: adminDc(), container: fx.rootDN.replace(/,/g, ';'), samAccountName: helpdesk.sam, givenName: `Help${tag}`, password: helpdesk.password },
      log,
    );
    assert.equal(created.code, 0, created.raw);
    const granted = await exec('delegation-grant', { dc: adminDc(), rootUserDN: root.replace(/,/g, ';'), serviceAccount: helpdesk.sam }, log);
    assert.equal(granted.code, 0, granted.raw);
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/groups', { name: `AgentTrust-${tag}`, bindToDomain: DOMAIN });
    for (const name of ['real', 'victim']) {
      const username = `at.${name}.${tag}`;
      const user = await sb.admin('POST', '/users', {
        username,
        email: `${username}@example.com`,
        firstname: 'Agent',
        lastname: 'Trust',
        groups: [`AgentTrust-${tag}`],
      });
      ids.set(name, String(user._id));
    }
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const connect = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, log);
    const installed = await installAgent(
      { jumpcloud, rootUserDN: root.replace(/,/g, ';'), connectKey: String(connect.records[0]?.Key), sync: { offboardPollSeconds: 1 } },
      log,
    );
    assert.equal(installed.result.code, 0, installed.result.raw);
    installPath = installed.installPath;
    // The key, the way Set-JCSyncAgent -AnchorKey gives it: stored protected, never in clear.
    const configured = await exec('agent-configure', { installPath, anchorKey: key.toString('base64'), verify: false }, log);
    assert.equal(configured.code, 0, configured.raw);
    assert.deepEqual(
      (configured.records[0]?.Changed as Array<Record<string, unknown>>).map((c) => [c.Setting, c.After]),
      [['anchorKey', '(changed)']],
    );
    assert.equal(readFileSync(agentPaths(installPath).config, 'utf8').includes(key.toString('base64')), false);
    assert.deepEqual((await installedSecrets(installPath)).anchorKey, key);
    const started = await exec('agent-start', { installPath, timeoutSeconds: 30 }, log);
    assert.equal(started.code, 0, started.raw);
  });

  after(async () => {
    if (installPath) {
      await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log);
      rmSync(dirname(installPath), { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('writes proven anchors on what it creates', async () => {
    for (const name of ['real', 'victim']) {
      const proven = new RegExp(`^JumpCloud:${ids.get(name)};proof=[A-Za-z0-9_-]{22}$`);
      await until(`at.${name} in AD with a proven anchor`, async () => proven.test((await account(`at.${name}.${tag}`))?.anchor ?? ''), 60_000, 250);
    }
  });

  it('a planted disabled object never suspends the user it names; a real disable still offboards', async () => {
    // The helpdesk account plants a disabled user carrying the victim's anchor, proof copied too.
    const victimAnchor = (await account(`at.victim.${tag}`))?.anchor as string;
    const client = new Client({
      url: `ldaps://${info.host}:${info.port}`,
      tlsOptions: { ca: [readFileSync(info.caFile)] },
      timeout: 10_000,
      connectTimeout: 10_000,
    });
    await client.bind(`${helpdesk.sam}@example.com`, helpdesk.password);
    const planted = `CN=planted${tag},${root}`;
    try {
      await client.add(planted, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: `planted${tag}`,
        userAccountControl: '514',
        adminDescription: victimAnchor,
      });
    } finally {
      await client.unbind();
    }
    // And an administrator offboards the real user the agent created.
    const real = (await account(`at.real.${tag}`)) as { dn: string; uac: number };
    await fx.session.ldapClient.modify(real.dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(real.uac | 2)] }) }),
    ]);

    await until('the real user suspended in JumpCloud', () => suspended(`at.real.${tag}`), 60_000, 250);
    const seen = checks();
    await until('two more offboarding checks', async () => checks() >= seen + 2, 60_000, 250);
    assert.equal(await suspended(`at.victim.${tag}`), false, 'the victim is not suspended');
    assert.equal((await account(`planted${tag}`))?.anchor, victimAnchor, 'the planted object is not marked');
    assert.deepEqual(
      journal()
        .filter((e) => e.kind === 'offboardUser')
        .map((e) => e.jcId),
      [ids.get('real')],
      'only the real user was offboarded',
    );

    // Offboarding met the planted object (disabled, anchored): it reports the conflict itself.
    const reports = (start: RegExp) =>
      journal().filter(
        (e) =>
          e.kind === 'skip' &&
          e.target.toLowerCase() === planted.toLowerCase() &&
          e.outcome === 'reported' &&
          start.test(String(e.detail)) &&
          /proof that does not fit/.test(String(e.detail)),
      );
    await until("the offboarding check's conflict in the journal", async () => reports(/^disabled in AD/).length > 0, 60_000, 250);

    // A change in JumpCloud starts a targeted reconcile of the victim: it leaves the planted object alone.
    const reconciles = () => peekAgentState(agentPaths(installPath).state)?.counters.reconciles ?? 0;
    const reconciled = reconciles();
    await sb.admin('PATCH', `/users/at.victim.${tag}`, { lastname: 'Trusted' });
    await until('the reconcile the change starts', async () => reconciles() > reconciled, 60_000, 250);
    assert.equal((await account(`planted${tag}`))?.anchor, victimAnchor, 'the planted object is not touched by it');
    // A full reconcile (the agent runs one at start) reads the whole root: it reports the planted anchor too.
    const stopped = await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log);
    assert.equal(stopped.code, 0, stopped.raw);
    const restarted = await exec('agent-start', { installPath, timeoutSeconds: 30 }, log);
    assert.equal(restarted.code, 0, restarted.raw);
    await until("the full reconcile's conflict in the journal", async () => reports(/^carries the anchor of JumpCloud user/).length > 0, 60_000, 250);
    assert.equal((await account(`planted${tag}`))?.anchor, victimAnchor);
    assert.equal(((await account(`planted${tag}`))?.uac ?? 0) & 2, 2, 'still disabled, untouched');
    assert.equal(await suspended(`at.victim.${tag}`), false, 'the victim is still not suspended');
    assert.deepEqual(
      journal()
        .filter((e) => e.kind === 'offboardUser')
        .map((e) => e.jcId),
      [ids.get('real')],
      'still only the real user offboarded',
    );
  });
});
