// The test DC started by scripts/testdc-start.sh: its connection facts and admin credentials.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'ldapts';
import type { DcConfig } from '../../../engine/src/config/request';

export interface TestDcInfo {
  host: string;
  port: number;
  hostname: string;
  baseDN: string;
  adiDomain: string;
  caFile: string;
  otherCaFile: string;
  adminUPN: string;
  adminDN: string;
  adminPasswordFile: string;
  dir: string;
}

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export function connectionFile(): string {
  return join(process.env.JCADI_TESTDC_DIR ?? join(REPO_ROOT, 'build', 'testdc'), 'connection.json');
}

/** The running test DC, or a reason to skip when none was started (tests say so, never pass silently). */
export function testDc(): TestDcInfo {
  const file = connectionFile();
  if (!existsSync(file)) throw new Error(`No test DC: ${file} is missing. Run scripts/testdc-start.sh (npm test does).`);
  return JSON.parse(readFileSync(file, 'utf8')) as TestDcInfo;
}

export function adminPassword(info = testDc()): string {
  return readFileSync(info.adminPasswordFile, 'utf8').trim();
}

export function adminDc(overrides: Partial<DcConfig> = {}): DcConfig {
  const info = testDc();
  return {
    host: info.host,
    port: info.port,
    mode: 'ldaps',
    caFile: info.caFile,
    bindDN: info.adminUPN,
    bindPassword: adminPassword(info),
    timeoutMs: 10_000,
    allowInsecure: false,
    insecureRiskAcknowledged: false,
    ...overrides,
  };
}

/** A client to the test DC over LDAPS, its certificate verified with the test CA (not bound yet). */
export function testDcClient(timeoutMs = 10_000): Client {
  const info = testDc();
  return new Client({
    url: `ldaps://${info.host}:${info.port}`,
    tlsOptions: { ca: [readFileSync(info.caFile)] },
    timeout: timeoutMs,
    connectTimeout: timeoutMs,
  });
}

/** testDcClient, pushed to `clients` (the caller unbinds them), bound as `sam@example.com`. */
export async function bindAsTestDcUser(account: { sam: string; password: string }, clients: Client[]): Promise<Client> {
  const client = testDcClient();
  clients.push(client);
  await client.bind(`${account.sam}@example.com`, account.password);
  return client;
}
