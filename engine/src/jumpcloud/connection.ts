// The `jumpcloud` block every command that talks to JumpCloud accepts, and how it becomes client
// options. TLS is always verified: a `caFile` adds a trusted CA (the sandbox's, a TLS-inspecting
// proxy's), it never switches verification off.
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { badRequest } from '../errors';
import type { ProxySettings } from './proxy';

/**
 * Every region JumpCloud publishes (docs.jumpcloud.com: United States, EU, India; the same three
 * hosts in JumpCloud's own SDKs): the console/API host and the Directory Insights host, which is
 * a different host in every region. docs/jumpcloud-regions.md lists them with their sources.
 */
export const REGIONS = {
  us: { name: 'United States', console: 'https://console.jumpcloud.com', insights: 'https://api.jumpcloud.com' },
  eu: { name: 'European Union', console: 'https://console.eu.jumpcloud.com', insights: 'https://api.eu.jumpcloud.com' },
  in: { name: 'India', console: 'https://console.in.jumpcloud.com', insights: 'https://api.in.jumpcloud.com' },
} as const;

export type Region = keyof typeof REGIONS;
export const REGION_CODES = Object.keys(REGIONS) as [Region, ...Region[]];

const REGION_BASE_URLS = Object.fromEntries(REGION_CODES.map((r) => [r, REGIONS[r].console])) as { readonly [R in Region]: (typeof REGIONS)[R]['console'] };

/** Directory Insights lives on its own host per region. */
const REGION_INSIGHTS_URLS = Object.fromEntries(REGION_CODES.map((r) => [r, REGIONS[r].insights])) as {
  readonly [R in Region]: (typeof REGIONS)[R]['insights'];
};

/** The region field of every request and of the agent config: one of REGION_CODES, with a message that lists them. */
export const regionSchema = z.enum(REGION_CODES, { message: `must be one of ${REGION_CODES.join(', ')} (JumpCloud's published regions)` });

/** An https:// URL: the JumpCloud endpoints of a request and of the agent config. */
export const httpsUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return new URL(value).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an https:// URL (TLS is always on)');

/** The proxy hop is plain HTTP (CONNECT); TLS to JumpCloud runs end to end inside the tunnel. */
function proxyUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL (expected http://proxy.example.com:3128)';
  }
  if (url.protocol !== 'http:') return `must be an http:// URL (the proxy hop is HTTP CONNECT; TLS to JumpCloud runs inside the tunnel), not ${url.protocol}//`;
  if (url.username || url.password) return 'must not hold a user name or password: give them as username and password';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return 'must be only scheme, host and port (no path, query or fragment)';
  return null;
}

export const PROXY_FROM_ENVIRONMENT = 'environment';

/** Fields of a proxy block; the agent config stores the same with the password protected. */
export const proxyBlockFields = {
  url: z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      const problem = proxyUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  username: z.string().min(1).max(256).optional(),
  /** Hosts reached directly: `name` (and its subdomains), `*.suffix`, `.suffix`, `*`. */
  bypass: z
    .array(
      z
        .string()
        .min(1)
        .max(255)
        .regex(/^[A-Za-z0-9*.:[\]_-]+$/, 'must be a host name, *.suffix, .suffix, an IP address or *'),
    )
    .max(256)
    .default([]),
};

export const PROXY_PASSWORD_NEEDS_USERNAME = { message: 'a proxy password needs a username', path: ['username'] };

const proxyBlockSchema = z
  .strictObject({ ...proxyBlockFields, password: z.string().min(1).max(1024).optional() })
  .refine((p) => p.password === undefined || p.username !== undefined, PROXY_PASSWORD_NEEDS_USERNAME);

/** An explicit proxy, or `environment`: HTTPS_PROXY / NO_PROXY of the engine's own process (opt-in). */
export const proxySettingSchema = z.union([z.literal(PROXY_FROM_ENVIRONMENT), proxyBlockSchema]);
export type ProxySetting = z.infer<typeof proxySettingSchema>;

export const jumpcloudConnectionSchema = z
  .strictObject({
    baseUrl: httpsUrl.optional(),
    region: regionSchema.optional(),
    /** Directory Insights base URL; defaults to the region's, or to baseUrl when baseUrl is given. */
    insightsBaseUrl: httpsUrl.optional(),
    apiKey: z.string().min(1).max(1024),
    orgId: z
      .string()
      .regex(/^[0-9a-fA-F]{24}$/, 'must be a 24-character hexadecimal organization id')
      .optional(),
    caFile: z.string().min(1).max(4096).optional(),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    proxy: proxySettingSchema.optional(),
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

export interface ResolvedProxy {
  /** Null: connect directly. */
  proxy: ProxySettings | null;
  /** Where the setting came from, for a log line (never credentials). */
  source: 'none' | 'config' | 'environment';
  /** The variable read in `environment` mode, or null. */
  variable: string | null;
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] as const;
const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'] as const;

/**
 * The proxy a client uses. An explicit block wins; `environment` reads HTTPS_PROXY (or ALL_PROXY)
 * and NO_PROXY of this process: a scheme-less value means http://, credentials may be in the URL.
 * Without a setting, or with `environment` and no variable set, the client connects directly.
 */
export function resolveProxy(setting: ProxySetting | undefined, env: Record<string, string | undefined>, field = 'params.jumpcloud.proxy'): ResolvedProxy {
  if (setting === undefined) return { proxy: null, source: 'none', variable: null };
  if (setting !== PROXY_FROM_ENVIRONMENT) {
    const url = new URL(setting.url);
    return {
      proxy: { host: bareHost(url.hostname), port: proxyPort(url), username: setting.username, password: setting.password, bypass: setting.bypass },
      source: 'config',
      variable: null,
    };
  }
  const variable = PROXY_VARIABLES.find((name) => (env[name] ?? '').trim() !== '') ?? null;
  if (variable === null) return { proxy: null, source: 'environment', variable: null };
  const raw = (env[variable] as string).trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw badRequest('JumpCloud.ProxyInvalid', `${field} is 'environment', but ${variable} is not a URL.`, variable);
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== 'http:')
    throw badRequest(
      'JumpCloud.ProxyInvalid',
      `${field} is 'environment', but ${variable} (${shown}) is not an http:// proxy; the proxy hop is HTTP CONNECT.`,
      variable,
    );
  const noProxy = NO_PROXY_VARIABLES.map((name) => env[name]).find((value) => value !== undefined && value.trim() !== '') ?? '';
  return {
    proxy: {
      host: bareHost(url.hostname),
      port: proxyPort(url),
      ...(url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {}),
      bypass: noProxy
        .split(/[\s,]+/)
        .map((entry) => (entry.indexOf(':') === entry.lastIndexOf(':') ? entry.replace(/:\d+$/, '') : entry))
        .filter((entry) => entry !== ''),
    },
    source: 'environment',
    variable,
  };
}

/** One line for the log: where the proxy is and what bypasses it (never credentials). */
export function describeProxy(resolved: ResolvedProxy): string {
  if (!resolved.proxy)
    return resolved.source === 'environment'
      ? 'proxy: environment, but no HTTPS_PROXY/ALL_PROXY is set: connecting to JumpCloud directly'
      : 'connecting to JumpCloud directly (no proxy)';
  const p = resolved.proxy;
  const where = resolved.variable ? ` (from ${resolved.variable})` : '';
  const auth = p.username !== undefined ? ', with Basic credentials' : '';
  const bypass = p.bypass.length > 0 ? `; bypass: ${p.bypass.join(', ')}` : '';
  return `connecting to JumpCloud through the proxy ${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}${where}${auth}${bypass}`;
}

function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}

function proxyPort(url: URL): number {
  return url.port ? Number(url.port) : 80;
}
