// The one way commands open a JumpCloud client from a request's `jumpcloud` block.
import type { Reporter } from '../log/reporter';
import { JumpCloudClient, type JumpCloudClientOptions } from './client';
import { describeProxy, readCaFile, resolveEndpoints, resolveProxy, type JumpCloudConnection } from './connection';

export async function openJumpCloud(
  connection: JumpCloudConnection,
  { reporter, signal }: { reporter: Pick<Reporter, 'log'>; signal: AbortSignal },
  /** Tuning a command may need (e.g. more sockets for a bulk import); never credentials. */
  tuning: Pick<JumpCloudClientOptions, 'maxSockets' | 'pageSize'> = {},
): Promise<JumpCloudClient> {
  const endpoints = resolveEndpoints(connection);
  // Environment variables count only when the block asks for them (proxy: 'environment').
  const proxy = resolveProxy(connection.proxy, process.env);
  if (proxy.source !== 'none') reporter.log('verbose', describeProxy(proxy));
  return new JumpCloudClient({
    baseUrl: endpoints.baseUrl,
    insightsBaseUrl: endpoints.insightsBaseUrl,
    apiKey: connection.apiKey,
    orgId: connection.orgId,
    ca: await readCaFile(connection.caFile),
    timeoutMs: connection.timeoutMs,
    proxy: proxy.proxy,
    log: (level, message) => reporter.log(level, message),
    signal,
    ...tuning,
  });
}
