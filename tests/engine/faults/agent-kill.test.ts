// The primary sync agent killed again and again: three agents (`jcadi-engine run`, installed under
// the work folder, bound as the run's service account with the canary password, holding the canary
// API key), the sandbox's agent timeout at 3 s. Three times the primary is SIGKILLed, a name change
// and a password change (a canary password, delivered through the sandbox's agent channel) are made
// at once, and the new primary must apply both; the killed agent comes back as a standby. At the end
// AD equals the model, no user was created twice, nothing failed, every password was applied.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { processAlive } from '../../../engine/src/agent/install';
import { peekAgentState, type AgentState } from '../../../engine/src/agent/state';
import { AdSession } from '../../../engine/src/ad/session';
import { agentPaths } from '../../../engine/src/agent/config';
import { FileJournal } from '../../../engine/src/sync/journal';
import {
  adminDc,
  canaryBindPassword,
  canaryUserPassword,
  DOMAIN,
  ENGINE,
  execInProcess,
  faultSandbox,
  faultWorld,
  scenarioOU,
  testDc,
  waitFor,
  workDir,
  type ScenarioOU,
} from '../helpers/faultworld';
import { OrgModel, readAdObjects, type ModelUser } from '../helpers/orgmodel';
import type { TestSandbox } from '../integration/sandbox-harness';

const KILLS = 3;
const USERS = 12;

describe(`the primary agent killed ${KILLS} times`, { timeout: 600_000 }, () => {
  let sandbox: TestSandbox;
  let ou: ScenarioOU;
  let model: OrgModel;
  const users: ModelUser[] = [];
  const installs: string[] = [];
  const passwordsSet: string[] = [];

  const states = () => installs.map((p) => peekAgentState(agentPaths(p).state));
  const primaries = () => states().filter((s): s is AgentState => s !== null && s.primary && processAlive(s.pid));
  const snOf = async (user: ModelUser) => {
    const [entry] = await ou.admin.search(ou.rootDN, { scope: 'sub', filter: `(sAMAccountName=${user.username})`, attributes: ['sn'] });
    return String([entry?.sn].flat()[0] ?? '');
  };
  const canBind = async (user: ModelUser, password: string) => {
    try {
      await (await AdSession.open(adminDc({ bindDN: `${user.username}@example.com`, bindPassword: password }))).close();
      return true;
    } catch {
      return false;
    }
  };

  before(async () => {
    sandbox = await faultSandbox('agent-kill', { agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    ou = await scenarioOU('agent-kill');
    model = new OrgModel((method, path, body) => sandbox.admin(method, path, body));
    await sandbox.call('POST', '/sandbox/admin/domains', { domain: DOMAIN });
    const staff = await model.createGroup('a-staff');
    for (let i = 1; i <= USERS; i++) users.push(await model.createUser(`ak${i}`, [staff]));
    const jumpcloud = { baseUrl: sandbox.url, apiKey: sandbox.apiKey, caFile: sandbox.caFile };
    const info = testDc();
    for (let n = 1; n <= 3; n++) {
      const key = await execInProcess('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, 'agent-kill-key');
      assert.equal(key.code, 0, key.raw);
      const installPath = join(workDir('agents'), `agent-${n}`);
      const installed = await execInProcess(
        'agent-install',
        {
          installPath,
          engineFile: ENGINE,
          serverType: 'dc',
          domainController: info.host,
          ldap: { mode: 'ldaps', port: info.port, caFile: info.caFile },
          rootUserDN: ou.rootUserDN,
          domain: DOMAIN,
          serviceAccount: { bindDN: faultWorld().serviceAccountUPN, password: canaryBindPassword() },
          connectKey: String(key.records[0]?.Key),
          jumpcloud,
          sync: { debounceMs: 100 },
        },
        'agent-kill-install',
      );
      assert.equal(installed.code, 0, installed.raw);
      installs.push(installPath);
      const started = await execInProcess('agent-start', { installPath, timeoutSeconds: 60 }, 'agent-kill-start');
      assert.equal(started.code, 0, started.raw);
    }
    await waitFor('one primary, two standbys', () => states().every((s) => s?.connected) && primaries().length === 1, 60_000);
    await waitFor(
      'the users created by the primary',
      async () => (await snOf(users.at(-1) as ModelUser)) === (users.at(-1) as ModelUser).lastname,
      120_000,
      200,
    );
  });

  after(async () => {
    for (const installPath of installs) {
      await execInProcess('agent-stop', { installPath, timeoutSeconds: 20 }, 'agent-kill-stop');
      // The copied engine is not needed for the canary scan; configs, state, journals and logs stay.
      rmSync(agentPaths(installPath).engine, { force: true });
    }
    await sandbox?.close();
    await ou?.close();
  });

  it('moves the role on every kill and loses no change made while no primary was alive', async (t) => {
    const failovers: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const primary = primaries()[0] as AgentState;
      const killedAt = Date.now();
      process.kill(primary.pid as number, 'SIGKILL');
      const renamed = users[(kill * 5) % USERS] as ModelUser;
      const reset = users[(kill * 7) % USERS] as ModelUser;
      const password = canaryUserPassword(kill);
      await model.setLastName(renamed, `Killed${kill}`);
      await model.setPassword(reset, password);
      passwordsSet.push(reset.id);

      const successor = await waitFor('another primary', () => primaries().find((s) => s.agentId !== primary.agentId), 60_000);
      failovers.push(Date.now() - killedAt);
      await waitFor(`${renamed.username}'s new last name in AD`, async () => (await snOf(renamed)) === `Killed${kill}`, 60_000, 100);
      await waitFor(`${reset.username}'s new password in AD`, () => canBind(reset, password), 60_000, 200);

      const killedPath = installs.find((p) => peekAgentState(agentPaths(p).state)?.agentId === primary.agentId) as string;
      const restarted = await execInProcess('agent-start', { installPath: killedPath, timeoutSeconds: 60 }, 'agent-kill-restart');
      assert.equal(restarted.code, 0, restarted.raw);
      assert.equal(restarted.records[0]?.Role, 'Standby', 'the killed agent comes back as a standby');
      assert.notEqual(successor.agentId, primary.agentId);
    }
    t.diagnostic(`failover after each kill (kill → new primary): ${failovers.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  });

  it('ends with AD equal to JumpCloud: each user created once, nothing failed, every password applied', async () => {
    await waitFor('AD equal to the model', async () => model.differences(await readAdObjects(ou.admin, ou.rootDN), ou.rootDN).length === 0, 60_000, 500);
    model.markSynced();
    const entries = installs.flatMap((p) => FileJournal.read(agentPaths(p).journal));
    for (const user of users) assert.equal(entries.filter((e) => e.kind === 'createUser' && e.jcId === user.id).length, 1, `${user.username} created once`);
    assert.deepEqual(
      entries.filter((e) => e.outcome === 'failed'),
      [],
    );
    const applied = entries.filter((e) => e.kind === 'setPassword' && e.outcome === 'applied').map((e) => e.jcId);
    assert.deepEqual([...new Set(applied)].sort(), [...new Set(passwordsSet)].sort());
    assert.equal(primaries().length, 1);
  });
});
