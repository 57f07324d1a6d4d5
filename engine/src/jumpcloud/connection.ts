// The `jumpcloud` block every command that talks to JumpCloud accepts, and how it becomes client
// options. TLS is always verified: a `caFile` adds a trusted CA (the sandbox's, a TLS-inspecting
// proxy's), it never switches verification off.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { badRequest } from '../cli/errors';

export const REGION_BASE_URLS = {
  us: 'https://console.jumpcloud.com',
  eu: 'https://console.eu.jumpcloud.com',
} as const;

/** Directory Insights lives on its own host per region. */
export const REGION_INSIGHTS_URLS = {
  us: 'https://api.jumpcloud.com',
  eu: 'https://api.eu.jumpcloud.com',
} as const;

export type Region = keyof typeof REGION_BASE_URLS;

const httpsUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an https:// URL (TLS is always on)');

export const jumpcloudConnectionSchema = z
  .strictObject({
    baseUrl: httpsUrl.optional(),
    region: z.enum(['us', 'eu']).optional(),
    /** Directory Insights base URL; defaults to the region's, or to baseUrl when baseUrl is given. */
    insightsBaseUrl: httpsUrl.optional(),
    apiKey: z.string().min(1).max(1024),
    orgId: z
      .string()
      .regex(/^[0-9a-fA-F]{24}$/, 'must be a 24-character hexadecimal organization id')
      .optional(),
    caFile: z.string().min(1).max(4096).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .refine((c) => !(c.baseUrl && c.region), { message: 'give either baseUrl or region, not both', path: ['region'] });
export type JumpCloudConnection = z.infer<typeof jumpcloudConnectionSchema>;

export interface ResolvedEndpoints {
  baseUrl: string;
  insightsBaseUrl: string;
  region: Region | 'custom';
}

export function resolveEndpoints(connection: Pick<JumpCloudConnection, 'baseUrl' | 'region' | 'insightsBaseUrl'>): ResolvedEndpoints {
  const trim = (url: string) => url.replace(/\/+$/, '');
  if (connection.baseUrl) {
    const baseUrl = trim(connection.baseUrl);
    return { baseUrl, insightsBaseUrl: trim(connection.insightsBaseUrl ?? baseUrl), region: 'custom' };
  }
  const region: Region = connection.region ?? 'us';
  return { baseUrl: REGION_BASE_URLS[region], insightsBaseUrl: trim(connection.insightsBaseUrl ?? REGION_INSIGHTS_URLS[region]), region };
}

/** Reads the CA file named in the block (a PEM bundle), with an error that names the field. */
export async function readCaFile(caFile: string | undefined, field = 'params.jumpcloud.caFile'): Promise<string | undefined> {
  if (caFile === undefined) return undefined;
  let pem: string;
  try {
    pem = await readFile(caFile, 'utf8');
  } catch (err) {
    throw badRequest('JumpCloud.CaFileUnreadable', `${field}: cannot read '${caFile}' (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, caFile);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw badRequest('JumpCloud.CaFileUnreadable', `${field}: '${caFile}' holds no PEM certificate (expected -----BEGIN CERTIFICATE-----).`, caFile);
  }
  return pem;
}
