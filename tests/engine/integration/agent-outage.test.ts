// A domain controller outage: the agent reaches the test DC through a TCP relay this test owns
// (TLS still ends at the DC, verified against the test CA), so the DC can "go away" without
// touching the shared DC. The agent reports the outage, retries with backoff, and catches up
// with the change made meanwhile once the DC is back.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { peekAgentState } from '../../../engine/src/agent/state';
import { agentPaths } from '../../../engine/src/agent/config';
import { assertEngineBuilt, exec, until, first } from '../helpers/agent';
import { openFixture, type AdFixture } from '../helpers/adfixture';
import { adminDc } from '../helpers/testdc';
import { startTestSandbox, type TestSandbox } from './sandbox-harness';

const DOMAIN = 'DC=example;DC=com';

/** A TCP relay to the DC that can be cut (every connection dropped, nothing accepted) and restored. */
class Relay {
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | null = null;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    // On the DC's own address, which its certificate names (the relay only changes the port).
    await new Promise<void>((resolve) => server.listen(this.port, this.target.host, resolve));
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('sync agent: a domain controller outage', { timeout: 180_000 }, () => {
  let sb: TestSandbox;
  let fx: AdFixture;
  let relay: Relay;
  let installPath = '';
  const work = mkdtempSync(join(tmpdir(), 'jcadi-agent-outage-'));
  const log = join(work, 'exec.log');
  const sn = async (username: string) =>
    first((await fx.session.search(fx.rootDN, { scope: 'sub', filter: `(sAMAccountName=${username})`, attributes: ['sn'] }))[0]?.sn);
  const state = () => peekAgentState(agentPaths(installPath).state);

  before(async () => {
    assertEngineBuilt();
    sb = await startTestSandbox({ seed: 'empty', agentTimeoutMs: 3000, heartbeatIntervalMs: 1000 });
    fx = await openFixture('jcadi-outage');
    const dc = adminDc();
    relay = new Relay({ host: dc.host, port: dc.port as number });
    await relay.open();
    await sb.admin('POST', '/domains', { domain: DOMAIN });
    await sb.admin('POST', '/users', { username: 'outage.u1', email: 'outage.u1@example.com', firstname: 'Out', lastname: 'Age', bindToDomain: DOMAIN });
    const jumpcloud = { baseUrl: sb.url, apiKey: sb.apiKey, caFile: sb.caFile };
    const key = await exec('agent-connect-key-new', { jumpcloud, domain: DOMAIN }, log);
    installPath = join(work, 'AD Integration');
    const installed = await exec(
      'agent-install',
      {
        installPath,
        engineFile: join(process.cwd(), 'build', 'jcadi-engine'),
        serverType: 'member',
        domainController: dc.host,
        ldap: { mode: 'ldaps', port: relay.port, caFile: dc.caFile, timeoutMs: 3000 },
        rootUserDN: fx.rootDN.replace(/,/g, ';'),
        domain: DOMAIN,
        serviceAccount: { bindDN: dc.bindDN, password: dc.bindPassword },
        connectKey: String(key.records[0]?.Key),
        jumpcloud,
        sync: { debounceMs: 100 },
      },
      log,
    );
    assert.equal(installed.code, 0, installed.raw);
    const started = await exec('agent-start', { installPath, timeoutSeconds: 30 }, log);
    assert.equal(started.code, 0, started.raw);
  });

  after(async () => {
    await exec('agent-stop', { installPath, timeoutSeconds: 20 }, log);
    await relay?.cut();
    rmSync(work, { recursive: true, force: true });
    await fx?.close();
    await sb?.close();
  });

  it('reports the outage, keeps retrying, and applies the change made meanwhile once the DC is back', async () => {
    await until(
      'the first reconcile done',
      async () => (await sn('outage.u1')) === 'Age' && (state()?.counters.reconciles ?? 0) >= 1 && state()?.status === 'running',
    );
    await relay.cut();
    await sb.admin('PATCH', '/users/outage.u1', { lastname: 'WhileDown' });
    const degraded = await until('the agent to report the outage', async () => (state()?.status === 'degraded' ? state() : null), 30_000);
    assert.match(degraded?.lastError?.id ?? '', /^AD\.(Unreachable|Timeout|OperationFailed)$/);
    assert.equal(degraded?.connected, true, 'JumpCloud is still reachable: only the DC is down');
    assert.notEqual(await sn('outage.u1'), 'WhileDown');

    await relay.open();
    await until('the catch-up after the outage', async () => (await sn('outage.u1')) === 'WhileDown', 90_000, 200);
    await until('running again', async () => state()?.status === 'running' && state()?.lastError === null, 30_000);
    const text = readFileSync(agentPaths(installPath).log, 'utf8');
    assert.match(text, /"id":"AD\.\w+","level":"warning"/);
    assert.match(text, /reachable again; caught up/);
  });
});
