// The staging agent (Install-JCSyncAgent -Staging): a real agent against the sandbox and the test
// DC that runs the whole loop, journals each operation it would apply (outcome `staged`, once
// each, also across a restart's full reconcile), and writes nothing: the directory's change log
// shows no object under its OU changed, and JumpCloud gets no acknowledgement of the password.
// Then agent-configure staging=false: the live agent applies exactly the staged operations.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentPaths } from '../../../engine/src/agent/config';
import { peekAgentState } from '../../../engine/src/agent/state';
import { FileJournal, type JournalEntry } from '../../../engine/src/sync/journal';
import { assertEngineBuilt, exec, first, installAgent, until } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { changedSince, highestUsn } from '../helpers/changelog';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';

describe('agent: a staging agent journals what it would do, writes nothing, and going live applies exactly that', { timeout: 300_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let installPath = '';
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-staging-'));
  const log = join(work, 'exec.log');

  const adUser = async (name: string) =>
    (await fx.session.search(fx.rootDN, { scope: 'sub', filter: `(sAMAccountName=${name})`, attributes: ['cn', 'userAccountControl'] }))[0] ?? null;
  const disabled = (entry: Record<string, unknown> | null) => entry !== null && (Number(first(entry.userAccountControl)) & 2) === 2;
  const journal = () => FileJournal.read(agentPaths(installPath).journal);
  const state = () => peekAgentState(agentPaths(installPath).state);
  const opOf = (e: JournalEntry) => `${e.kind} ${e.target.toLowerCase()}`;
  const start = async () => {
    const reconciles = state()?.counters.reconciles ?? 0;
    const started = await exec('agent-start', { installPath, timeoutSeconds: 30 }, log);
    assert.equal(started.code, 0, started.raw);
    await until('the start reconcile', async () => (state()?.counters.reconciles ?? 0) > reconciles && state()?.connected, 60_000, 100);
  };
  const moreTurns = async () => {
    const checks = state()?.counters.offboardChecks ?? 0;
    await until('a few more offboarding checks', async () => (state()?.counters.offboardChecks ?? 0) > checks + 2, 30_000, 100);
  };
  const stop = async () => {
    const stopped = await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log);
    assert.equal(stopped.code, 0, stopped.raw);
  };

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty' });
    fx = await openFixture('staging-agent');
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    for (const n of [1, 2, 3])
      await sb.admin('POST', '/users', {
        username: `stg.u${n}`,
        email: `stg.u${n}@example.com`,
        firstname: 'Stage',
        lastname: `User${n}`,
        password: 'Initial-Passw0rd!',
        bindToDomain: DOMAIN,
      });
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, log);
    // Live first, so that the users exist in AD; then back to staging for the changes.
    const installed = await installAgent(
      { jumpcloud, rootUserDN: fx.rootDN.replace(/,/g, ';'), connectKey: String(key.records[0]?.Key), staging: false, sync: { offboardPollSeconds: 1 } },
      log,
    );
    assert.equal(installed.result.code, 0, installed.result.raw);
    assert.equal(installed.result.records[0]?.Staging, false);
    installPath = installed.installPath;
    await start();
    await until(
      'the three users in AD',
      async () => (await adUser('stg.u3')) !== null && (await adUser('stg.u1')) !== null && (await adUser('stg.u2')) !== null,
      60_000,
      250,
    );
    await stop();
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

  it('stages create, rename, suspend and a password without writing, then applies exactly those live', async () => {
    const toStaging = await exec('agent-configure', { installPath, staging: true }, log);
    assert.equal(toStaging.code, 0, toStaging.raw);
    assert.deepEqual(toStaging.records[0]?.Changed, [{ Setting: 'staging', Before: false, After: true }]);
    const journaledBefore = journal().length;
    const usn = await highestUsn(fx.session);
    await start();
    const status = await exec('agent-status', { installPath }, log);
    assert.equal(status.records[0]?.Staging, true, 'Get-JCSyncAgent shows the staging agent');

    await sb.admin('POST', '/users', { username: 'stg.u4', email: 'stg.u4@example.com', firstname: 'Stage', lastname: 'User4', bindToDomain: DOMAIN });
    await sb.admin('PATCH', '/users/stg.u1', { username: 'stg.u1b', email: 'stg.u1b@example.com' });
    await sb.admin('PATCH', '/users/stg.u2', { suspended: true });
    await sb.admin('PATCH', '/users/stg.u3', { password: 'Staged-Passw0rd!' });
    const stagedNow = () =>
      journal()
        .slice(journaledBefore)
        .filter((e) => e.outcome === 'staged');
    await until(
      'the would-be operations journaled',
      async () => {
        const kinds = new Set(stagedNow().map((e) => e.kind));
        return ['createUser', 'renameUser', 'disableUser', 'setPassword'].every((k) => kinds.has(k));
      },
      60_000,
      250,
    );

    // Another full reconcile (a restart's) plans the same again: journaled once only.
    await stop();
    await start();
    await moreTurns();
    await stop();
    const staged = stagedNow();
    const ops = staged.map(opOf);
    assert.equal(new Set(ops).size, ops.length, `each would-be operation journaled once: ${ops.join('; ')}`);
    assert.ok(staged.find((e) => e.kind === 'setPassword')?.detail.includes('would set the password'));
    assert.ok(
      journal()
        .slice(journaledBefore)
        .every((e) => e.outcome === 'staged' || e.outcome === 'reported'),
      'nothing applied or failed while staging',
    );
    assert.equal(state()?.counters.staged, staged.length);

    // Nothing written: no object under the agent's root changed; JumpCloud's side untouched too.
    const written = (await changedSince(fx.session, usn)).map((c) => c.dn).filter((dn) => dn.toLowerCase().endsWith(fx.rootDN.toLowerCase()));
    assert.deepEqual(written, [], 'the staging agent wrote nothing to AD');
    assert.equal(await adUser('stg.u4'), null);
    assert.equal(await adUser('stg.u1b'), null);
    assert.equal(disabled(await adUser('stg.u2')), false);

    // Live: exactly the staged operations are applied.
    const toLive = await exec('agent-configure', { installPath, staging: false }, log);
    assert.equal(toLive.code, 0, toLive.raw);
    const liveFrom = journal().length;
    await start();
    const applied = () =>
      journal()
        .slice(liveFrom)
        .filter((e) => e.outcome === 'applied');
    await until('the live agent applies the staged operations', async () => applied().length >= staged.length, 60_000, 250);
    await moreTurns();
    assert.deepEqual(applied().map(opOf).sort(), [...ops].sort(), 'the live agent applied exactly what staging journaled');
    assert.ok(
      journal()
        .slice(liveFrom)
        .every((e) => e.outcome !== 'staged' && e.outcome !== 'failed'),
    );
    assert.notEqual(await adUser('stg.u4'), null);
    assert.notEqual(await adUser('stg.u1b'), null);
    assert.equal(disabled(await adUser('stg.u2')), true);
  });
});
