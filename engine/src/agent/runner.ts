// The long-running sync agent (`jcadi-engine run --config FILE`): the runner opens the config's
// secrets (in memory only), the state file and the journal, starts the agent's mode, and drives
// one loop of turns until it is stopped:
//   - the mode (./mode.ts) says how the agent learns about changes: the agent service's change
//     feed, heartbeats and primary role (./channel-mode.ts), or Directory Insights with the public
//     API only (./apikey-mode.ts);
//   - both share the work (./core.ts): the full reconcile, the offboarding check, the AD bind;
//   - a failed turn is an outage: the agent reports "degraded", retries with backoff and catches
//     up with a full reconcile; SIGTERM/SIGINT stop it gracefully, saving its state.
// Every client and the clock come from AgentDeps: tests/engine/unit/agent-runner.test.ts drives the
// runner with fakes.
import { rmSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/files';
import { hostname as osHostname } from 'node:os';
import { dirname } from 'node:path';
import { parseAdiDN } from '../ad/rootdn';
import { asEngineError, EngineError, ExitCode, type ExitCodeValue } from '../errors';
import { agentPaths, agentProxy, openAgentSecrets, protectorFor, readAgentConfig, type AgentPaths } from './config';
import type { SecretProtector } from '../config/protect';
import { describeProxy, readCaFile } from '../jumpcloud/connection';
import type { EngineLogger } from '../log/logger';
import type { SecretScrubber } from '../log/secrets';
import { FileJournal } from '../sync/journal';
import { ENGINE_VERSION } from '../version';
import { ApiKeyMode } from './apikey-mode';
import { ChannelMode } from './channel-mode';
import { clockOf, type Clock } from './clock';
import { AgentCore, outageDelay } from './core';
import { DEFAULT_BACKOFF } from './failures';
import { defaultDeps, type AgentDeps, type AgentMode } from './mode';
import { readAgentState, StateStore } from './state';

export interface RunAgentOptions {
  configFile: string;
  logger: EngineLogger;
  scrubber: SecretScrubber;
  signal: AbortSignal;
  hostname?: string;
  protector?: SecretProtector;
  /** The clock of every timestamp and wait (default: the system's). */
  clock?: Clock;
  /** Older form of `clock`: timestamps only. */
  now?: () => Date;
  /** Replaces clients and work (tests); the rest stays the real thing. */
  deps?: Partial<AgentDeps>;
}

export class AgentRunner {
  readonly paths: AgentPaths;
  readonly #options: RunAgentOptions;
  readonly #deps: AgentDeps;
  readonly #hostname: string;
  #store: StateStore | null = null;
  #core: AgentCore | null = null;
  #mode: AgentMode | null = null;

  constructor(options: RunAgentOptions) {
    this.#options = options;
    this.paths = agentPaths(dirname(options.configFile));
    this.paths.config = options.configFile;
    const clock = options.deps?.clock ?? clockOf(options);
    this.#deps = { ...defaultDeps(clock), ...options.deps, clock };
    this.#hostname = options.hostname ?? osHostname();
  }

  /** The running agent's shared state (tests read it). */
  get core(): AgentCore | null {
    return this.#core;
  }

  #log: EngineLogger['log'] = (level, message, meta) => this.#options.logger.log(level, message, meta);

  #nowIso(): string {
    return this.#deps.clock.now().toISOString();
  }

  async run(): Promise<ExitCodeValue> {
    const { signal } = this.#options;
    const stop = () => this.#mode?.interrupt();
    signal.addEventListener('abort', stop, { once: true });
    try {
      // The state first: a config or key-file problem is then reported there too.
      const store = new StateStore(this.paths.state, readAgentState(this.paths.state, ENGINE_VERSION));
      this.#store = store;
      const config = readAgentConfig(this.paths.config);
      const protector = this.#options.protector ?? protectorFor({ keyFile: this.paths.keyFile });
      const secrets = await openAgentSecrets(config, protector);
      for (const secret of Object.values(secrets)) if (secret) this.#options.scrubber.add(secret);
      const root = parseAdiDN(config.rootUserDN, 'root');
      if (!root.ldapDN)
        throw new EngineError('RootDN.Invalid', `The Root User DN in the config is not valid: ${root.problems.join(' ')}`, {
          exitCode: ExitCode.BadRequest,
          category: 'InvalidData',
        });
      const ca = await readCaFile(config.jumpcloud.caFile, 'jumpcloud.caFile');
      const proxy = agentProxy(config, secrets.proxyPassword);
      if (proxy.proxy?.password) this.#options.scrubber.add(proxy.proxy.password);
      store.update(
        (s) => {
          s.version = ENGINE_VERSION;
          s.pid = process.pid;
          s.status = 'starting';
          s.startedAt = this.#nowIso();
          s.stoppedAt = null;
          s.lastError = null;
          s.connected = false;
          s.primary = false;
        },
        { flush: true },
      );
      writeFileAtomicSync(this.paths.pid, `${process.pid}\n`, 0o644);
      this.#log('info', `sync agent ${ENGINE_VERSION} starting`, {
        pid: process.pid,
        domain: config.domain,
        rootUserDN: config.rootUserDN,
        serverType: config.serverType,
        dc: config.domainController,
      });
      const journal = new FileJournal(this.paths.journal, `agent-${process.pid}-${this.#deps.clock.now().getTime().toString(36)}`);
      if (proxy.source !== 'none') this.#log('info', describeProxy(proxy));

      const core = new AgentCore({
        paths: this.paths,
        config,
        secrets,
        protector,
        store,
        journal,
        logger: this.#options.logger,
        scrubber: this.#options.scrubber,
        signal,
        hostname: this.#hostname,
        deps: this.#deps,
        backoff: { ...DEFAULT_BACKOFF, baseMs: config.sync.retryBaseSeconds * 1000, quarantineAfter: config.sync.quarantineAfterFailures },
        rootDN: root.ldapDN,
        ca,
        proxy: proxy.proxy,
      });
      this.#core = core;
      const mode: AgentMode = config.mode === 'apiKey' ? new ApiKeyMode(core) : new ChannelMode(core);
      this.#mode = mode;
      if (signal.aborted) mode.interrupt();

      await mode.start();
      if (core.stopping) return this.#finish(ExitCode.Ok);
      const background = mode.background();
      await this.#mainLoop(core, mode);
      await background;
      return this.#finish(ExitCode.Ok);
    } catch (thrown) {
      const err = asEngineError(thrown);
      this.#log('error', err.message, { id: err.id });
      this.#store?.update((s) => {
        s.status = 'failed';
        s.lastError = { id: err.id, message: err.message, at: this.#nowIso() };
      });
      return this.#finish(err.exitCode, err);
    } finally {
      signal.removeEventListener('abort', stop);
      this.#mode?.close();
    }
  }

  #finish(code: ExitCodeValue, err?: EngineError): ExitCodeValue {
    this.#store?.update(
      (s) => {
        if (!err) s.status = 'stopped';
        s.stoppedAt = this.#nowIso();
        s.pid = null;
        s.connected = false;
        s.primary = false;
      },
      { flush: true },
    );
    rmSync(this.paths.pid, { force: true });
    this.#log('info', `sync agent stopped (exit ${code})`);
    return code;
  }

  async #mainLoop(core: AgentCore, mode: AgentMode): Promise<void> {
    while (!core.stopping) {
      if (!mode.acting) {
        await mode.waitForRole();
        continue;
      }
      try {
        await mode.turn();
        if (core.outages > 0) {
          this.#log('info', 'JumpCloud and AD reachable again; caught up');
          core.store.update((s) => {
            s.status = 'running';
            s.lastError = null;
          });
        }
        core.outages = 0;
        core.degradedMessage = null;
        core.store.update((s) => {
          s.counters.turns++;
        });
      } catch (thrown) {
        if (core.stopping) break;
        await this.#onTurnError(core, mode, asEngineError(thrown));
      }
    }
  }

  async #onTurnError(core: AgentCore, mode: AgentMode, err: EngineError): Promise<void> {
    const verdict = mode.classify(err);
    if (verdict === 'ignore') return;
    if (verdict !== 'outage') throw verdict;
    core.outages++;
    core.needFull = true;
    core.degradedMessage = `${err.id}: ${err.message}`;
    const delay = outageDelay(core.outages - 1);
    this.#log(
      core.outages === 1 || core.outages % 10 === 0 ? 'warning' : 'debug',
      `${err.message} (retrying in ${Math.round(delay / 1000)} s; the agent catches up with a full reconcile)`,
      { id: err.id, attempt: core.outages },
    );
    core.store.update(
      (s) => {
        s.status = 'degraded';
        s.lastError = { id: err.id, message: err.message, at: this.#nowIso() };
        s.counters.turnsFailed++;
      },
      { flush: true },
    );
    await core.sleepAfterOutage(delay);
  }
}
