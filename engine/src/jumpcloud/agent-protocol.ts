// Wire shapes of the agent service channel (engine/src/sandbox/AGENT-CHANNEL.md). Requests are
// strict (this project owns both ends); responses are loose so a newer service can add fields.
import * as z from 'zod';
import { SEAL_ALGORITHM } from './agent-crypto';

export const AGENT_CHANNEL_PREFIX = '/agent/v1';

/** The longest long-poll the service honours. */
export const MAX_POLL_WAIT_SECONDS = 60;

/** @public (its type is ChangeType) */
export const CHANGE_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'user.password_changed',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
  'domain.association_added',
  'domain.association_removed',
  'domain.primary_changed',
  'org.password_policy_changed',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

// ---- requests -------------------------------------------------------------------------------

export const exchangeRequestSchema = z.strictObject({
  connectKey: z.string().min(1).max(512),
  /** The agent's X25519 public key, raw 32 bytes base64url: password events are sealed to it. */
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a raw X25519 public key (32 bytes, base64url)'),
  hostname: z.string().min(1).max(255),
  version: z.string().min(1).max(64),
});
export type ExchangeRequest = z.infer<typeof exchangeRequestSchema>;

export const heartbeatRequestSchema = z.strictObject({
  hostname: z.string().min(1).max(255).optional(),
  version: z.string().min(1).max(64).optional(),
  status: z.enum(['ok', 'degraded']).optional(),
  message: z.string().max(1000).optional(),
});
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;

export const ackRequestSchema = z
  .strictObject({
    outcome: z.enum(['applied', 'rejected']),
    reason: z.string().min(1).max(2000).optional(),
  })
  .refine((ack) => ack.outcome === 'applied' || ack.reason !== undefined, { message: 'a rejected event needs a reason', path: ['reason'] });
export type AckRequest = z.infer<typeof ackRequestSchema>;

// ---- responses ------------------------------------------------------------------------------

export const exchangeResponseSchema = z.looseObject({
  agentId: z.string().min(1),
  agentSecret: z.string().min(16),
  domainId: z.string().min(1),
  domain: z.string().min(1),
  orgId: z.string().min(1),
  /** Start polling after this cursor (after a full reconcile). */
  cursor: z.number().int().min(0),
  heartbeatIntervalSeconds: z.number().positive(),
  agentTimeoutSeconds: z.number().positive(),
});
export type ExchangeResponse = z.infer<typeof exchangeResponseSchema>;

export const heartbeatResponseSchema = z.looseObject({
  agentId: z.string().min(1),
  domainId: z.string().min(1),
  primary: z.boolean(),
  primaryAgentId: z.string().nullable(),
  serverTime: z.string(),
  heartbeatIntervalSeconds: z.number().positive(),
  agentTimeoutSeconds: z.number().positive(),
});
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;

const sealedSecretSchema = z.looseObject({
  alg: z.literal(SEAL_ALGORITHM),
  epk: z.string().min(1),
  nonce: z.string().min(1),
  ciphertext: z.string().min(1),
  tag: z.string().min(1),
});

const changeEventSchema = z.looseObject({
  id: z.string().min(1),
  seq: z.number().int().min(1),
  type: z.string().min(1),
  at: z.string(),
  domainId: z.string().nullish(),
  data: z.record(z.string(), z.unknown()),
  /** Only on user.password_changed, sealed to the polling agent's key. */
  password: sealedSecretSchema.nullish(),
});
export type ChangeEvent = z.infer<typeof changeEventSchema>;

export const changesResponseSchema = z.looseObject({
  cursor: z.number().int().min(0),
  /** The cursor is older than the retained feed: reconcile fully, then poll from `cursor`. */
  resync: z.boolean(),
  events: z.array(changeEventSchema),
});
export type ChangesResponse = z.infer<typeof changesResponseSchema>;
