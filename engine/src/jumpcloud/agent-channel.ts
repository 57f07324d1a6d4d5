// Client of the agent service channel, for the sync agent: exchange a one-time connect key for
// agent credentials, heartbeat, long-poll the change feed, acknowledge events, and open the
// password events sealed to the agent's own key. Same transport rules as the public API client.
import { EngineError, ExitCode } from '../errors';
import { openSealed, type SealedSecret } from './agent-crypto';
import {
  AGENT_CHANNEL_PREFIX,
  MAX_POLL_WAIT_SECONDS,
  changesResponseSchema,
  exchangeResponseSchema,
  heartbeatResponseSchema,
  type AckRequest,
  type ChangeEvent,
  type ChangesResponse,
  type ExchangeRequest,
  type ExchangeResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from './agent-protocol';
import { HttpTransport, type TransportOptions } from './transport';

export type AgentChannelTransportOptions = Omit<TransportOptions, 'baseUrl'> & { baseUrl: string };

export interface AgentCredentials {
  agentId: string;
  agentSecret: string;
}

/** Exchanges a connect key at the agent's first start. No credentials are needed for this call. */
export async function exchangeConnectKey(options: AgentChannelTransportOptions, request: ExchangeRequest): Promise<ExchangeResponse> {
  const transport = new HttpTransport(options, () => ({}), [request.connectKey]);
  try {
    // Not idempotent: a connect key works once, so a lost answer cannot be fetched again.
    const { data } = await transport.json(
      { method: 'POST', path: `${AGENT_CHANNEL_PREFIX}/exchange`, body: request, idempotent: false },
      exchangeResponseSchema,
    );
    return data;
  } finally {
    transport.close();
  }
}

export class AgentChannelClient {
  readonly agentId: string;
  readonly #transport: HttpTransport;

  constructor(options: AgentChannelTransportOptions, credentials: AgentCredentials) {
    this.agentId = credentials.agentId;
    const token = `${credentials.agentId}.${credentials.agentSecret}`;
    this.#transport = new HttpTransport(options, () => ({ Authorization: `Bearer ${token}` }), [credentials.agentSecret, token]);
  }

  close(): void {
    this.#transport.close();
  }

  async heartbeat(status: HeartbeatRequest = {}): Promise<HeartbeatResponse> {
    const { data } = await this.#transport.json(
      { method: 'POST', path: `${AGENT_CHANNEL_PREFIX}/heartbeat`, body: status, idempotent: true },
      heartbeatResponseSchema,
    );
    return data;
  }

  /**
   * Long-polls the change feed after `cursor`: answers at once when events are waiting, else
   * after up to `waitSeconds`. Only the domain's primary agent may poll (`JumpCloud.NotPrimary`).
   */
  async pollChanges(cursor: number, options: { waitSeconds?: number; limit?: number; signal?: AbortSignal } = {}): Promise<ChangesResponse> {
    const wait = Math.max(0, Math.min(MAX_POLL_WAIT_SECONDS, options.waitSeconds ?? 25));
    const { data } = await this.#transport.json(
      {
        method: 'GET',
        path: `${AGENT_CHANNEL_PREFIX}/changes`,
        query: { cursor, wait, ...(options.limit ? { limit: options.limit } : {}) },
        // The wait is the server's; the call's own timeout comes on top of it.
        timeoutMs: wait * 1000 + this.#transport.timeoutMs,
        signal: options.signal,
      },
      changesResponseSchema,
    );
    return data;
  }

  /** Acknowledges one event; for a password event the service then drops its ciphertext. */
  async ack(eventId: string, ack: AckRequest): Promise<void> {
    await this.#transport.send({ method: 'POST', path: `${AGENT_CHANNEL_PREFIX}/events/${encodeURIComponent(eventId)}/ack`, body: ack, idempotent: true });
  }

  /** Opens a `user.password_changed` event with the agent's private key (PKCS#8 PEM). */
  decryptPassword(event: ChangeEvent, privateKeyPem: string): string {
    return decryptPasswordEvent(event, this.agentId, privateKeyPem);
  }
}

export function decryptPasswordEvent(event: ChangeEvent, agentId: string, privateKeyPem: string): string {
  const userId = event.data.userId;
  if (event.type !== 'user.password_changed' || !event.password || typeof userId !== 'string') {
    throw new EngineError('JumpCloud.NoPasswordInEvent', `Event ${event.id} (${event.type}) carries no password for this agent.`, {
      category: 'InvalidData',
      exitCode: ExitCode.PartialFailure,
      target: event.id,
    });
  }
  try {
    return openSealed(event.password as SealedSecret, privateKeyPem, { eventId: event.id, agentId, userId });
  } catch {
    throw new EngineError(
      'JumpCloud.PasswordUndecryptable',
      `The password in event ${event.id} cannot be opened with this agent's key (altered, or sealed to another agent).`,
      { category: 'SecurityError', exitCode: ExitCode.PartialFailure, target: event.id },
    );
  }
}
