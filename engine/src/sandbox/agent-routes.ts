// The agent service channel (AGENT-CHANNEL.md): exchange, heartbeat, long-poll change feed, ack.
import { ackRequestSchema, AGENT_CHANNEL_PREFIX, exchangeRequestSchema, heartbeatRequestSchema, MAX_POLL_WAIT_SECONDS } from '../jumpcloud/agent-protocol';
import type { z } from 'zod';
import { SandboxError } from './errors';
import type { RouteContext, Router } from './router';
import type { AgentRecord, SandboxStore } from './store';

const MAX_EVENTS_PER_POLL = 1000;

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  throw new SandboxError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), 'InvalidRequest');
}

function bearer(ctx: RouteContext): string | null {
  const header = ctx.req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? (match[1] as string) : null;
}

function sourceIp(ctx: RouteContext): string | null {
  return ctx.req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? null;
}

/** Waits until the feed grows, `ms` pass, or the call is abandoned. */
function waitForFeed(store: SandboxStore, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      store.events.off('feed', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    store.events.on('feed', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function addAgentRoutes(router: Router, store: SandboxStore): void {
  const p = AGENT_CHANNEL_PREFIX;

  router.on('POST', `${p}/exchange`, (ctx) => {
    const request = parse(exchangeRequestSchema, ctx.body);
    const { agent, agentSecret } = store.exchange(request, sourceIp(ctx));
    const domain = store.getDomain(agent.domainId);
    return {
      status: 201,
      body: {
        agentId: agent.id,
        agentSecret,
        domainId: domain.id,
        domain: domain.domain,
        orgId: store.org._id,
        cursor: store.seq,
        heartbeatIntervalSeconds: store.heartbeatIntervalMs / 1000,
        agentTimeoutSeconds: store.agentTimeoutMs / 1000,
      },
    };
  });

  router.on('POST', `${p}/heartbeat`, (ctx) => {
    const agent = store.authenticateAgent(bearer(ctx));
    const request = parse(heartbeatRequestSchema, ctx.body);
    store.contact(agent, sourceIp(ctx), request);
    return { status: 200, body: heartbeatAnswer(store, agent) };
  });

  router.on('GET', `${p}/changes`, async (ctx) => {
    const agent = store.authenticateAgent(bearer(ctx));
    const cursor = readNumber(ctx.query.get('cursor'), 0, 'cursor');
    const wait = Math.min(MAX_POLL_WAIT_SECONDS, readNumber(ctx.query.get('wait'), 0, 'wait'));
    const limit = Math.max(1, Math.min(MAX_EVENTS_PER_POLL, readNumber(ctx.query.get('limit'), 500, 'limit')));
    store.contact(agent, sourceIp(ctx));
    const deadline = Date.now() + wait * 1000;
    let result = store.pollChanges(agent, cursor, limit);
    while (result.events.length === 0 && !result.resync && Date.now() < deadline && !ctx.signal.aborted) {
      await waitForFeed(store, deadline - Date.now(), ctx.signal);
      result = store.pollChanges(agent, cursor, limit);
    }
    store.contact(agent, sourceIp(ctx));
    return { status: 200, body: result };
  });

  router.on('POST', `${p}/events/:id/ack`, (ctx) => {
    const agent = store.authenticateAgent(bearer(ctx));
    const ack = parse(ackRequestSchema, ctx.body);
    store.contact(agent, sourceIp(ctx));
    store.ack(agent, ctx.params.id as string, ack);
    return { status: 204 };
  });
}

function heartbeatAnswer(store: SandboxStore, agent: AgentRecord): Record<string, unknown> {
  const primary = store.designatePrimary(agent.domainId);
  return {
    agentId: agent.id,
    domainId: agent.domainId,
    primary: primary === agent.id,
    primaryAgentId: primary,
    serverTime: new Date(store.now()).toISOString(),
    heartbeatIntervalSeconds: store.heartbeatIntervalMs / 1000,
    agentTimeoutSeconds: store.agentTimeoutMs / 1000,
  };
}

function readNumber(text: string | null, fallback: number, name: string): number {
  if (text === null || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new SandboxError(400, `${name} must be a non-negative integer`, 'InvalidRequest');
  return Number(text);
}
