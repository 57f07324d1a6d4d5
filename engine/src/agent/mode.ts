// The seams of the sync agent. The runner (./runner.ts) starts the agent and drives one loop of
// turns; how the agent learns about changes is its mode, behind one interface:
//   - ./channel-mode.ts: JumpCloud's agent service (connect key exchange, heartbeats and the
//     primary role, the change feed, passwords);
//   - ./apikey-mode.ts: the public API only (Directory Insights as the change signal).
// What both modes do to AD and JumpCloud (full reconcile, offboarding check, the AD bind) lives in
// ./core.ts; the clients the agent talks through come from AgentDeps, so a test can fake them.
import type { DcConfig } from '../config/request';
import { AdSession } from '../ad/session';
import type { EngineError } from '../errors';
import { AgentChannelClient, exchangeConnectKey, type AgentChannelTransportOptions, type AgentCredentials } from '../jumpcloud/agent-channel';
import { JumpCloudClient, type JumpCloudClientOptions } from '../jumpcloud/client';
import { systemClock, type Clock } from './clock';
import { changedManagedUsers, offboard, readWatermark } from './offboard';
import { resolveAnchorKey } from '../ad/anchorkey';
import { applyPasswordEvent } from './passwords';
import { reconcile, reconcileTargeted } from './reconcile';
import { collectGarbage } from '../util/heap';

export interface AgentMode {
  readonly name: 'channel' | 'apiKey';
  /** Before the first turn: the connect key exchange, finding the domain, the first cursor. */
  start(): Promise<void>;
  /** Runs beside the loop until the agent stops (the channel mode's heartbeats). */
  background(): Promise<void>;
  /** Whether this agent acts now: the primary role in the channel mode, always in the API-key mode. */
  readonly acting: boolean;
  /** Resolves when `acting` may have changed, or the agent stops. */
  waitForRole(): Promise<void>;
  /** One turn of work: due scheduled work, then wait for changes and apply them. */
  turn(): Promise<void>;
  /**
   * A turn failed. 'ignore': not an outage (the role moved); 'outage': the runner reports it and
   * backs off; an error returned is fatal: the agent stops with it.
   */
  classify(err: EngineError): 'ignore' | 'outage' | EngineError;
  /** The runner's stop: ends a long-poll at once. */
  interrupt(): void;
  close(): void;
}

/** The channel mode's use of JumpCloud's agent service (AgentChannelClient, or a test's fake). */
export type AgentChannel = Pick<AgentChannelClient, 'heartbeat' | 'pollChanges' | 'ack' | 'close'>;

/** Everything the agent talks to or waits on; tests replace any of it. */
export interface AgentDeps {
  clock: Clock;
  openAd(dc: DcConfig): Promise<AdSession>;
  jumpcloud(options: JumpCloudClientOptions): JumpCloudClient;
  channel(transport: AgentChannelTransportOptions, credentials: AgentCredentials): AgentChannel;
  exchange: typeof exchangeConnectKey;
  /** The work on AD and JumpCloud itself (the same functions Invoke-JCSync's planner and applier serve). */
  reconcile: typeof reconcile;
  reconcileTargeted: typeof reconcileTargeted;
  readWatermark: typeof readWatermark;
  changedManagedUsers: typeof changedManagedUsers;
  offboard: typeof offboard;
  applyPasswordEvent: typeof applyPasswordEvent;
  /** The anchor key: the config's, else the one kept in AD (ad/anchorkey.ts). */
  anchorKey: typeof resolveAnchorKey;
  /** A compacting collection, so the agent's memory goes back to its idle size (util/heap.ts). */
  collectGarbage: typeof collectGarbage;
}

export function defaultDeps(clock: Clock = systemClock): AgentDeps {
  return {
    clock,
    openAd: (dc) => AdSession.open(dc),
    jumpcloud: (options) => new JumpCloudClient(options),
    channel: (transport, credentials) => new AgentChannelClient(transport, credentials),
    exchange: exchangeConnectKey,
    reconcile,
    reconcileTargeted,
    readWatermark,
    changedManagedUsers,
    offboard,
    applyPasswordEvent,
    anchorKey: resolveAnchorKey,
    collectGarbage,
  };
}
