// The rehearsal's Windows host rows (Invoke-JCSyncRehearsal on a Windows server). The agent runs as
// a real Windows service under a rehearsal name (JumpCloudADISync-Rehearsal-<time>, never the
// production JumpCloudADISync), registered, started, killed, stopped and removed by the module's
// own service code (InvokeJCAgentService): the engine asks for it with a record
// JumpCloudADI.EngineRequest naming a reply file, and waits for the module's answer there
// (engine/PROTOCOL.md, "Requests to the module"). The rows the engine answers itself reuse the
// production code: the install folder's ACL is judged by judgeWindowsFolder with the install's own
// policy (agentFolderPolicy for the rehearsal service's virtual account), DPAPI goes through the
// agent's DpapiProtector. The judgements are pure and tested on Linux; what only Windows can prove
// (the SDDL Windows reports, DPAPI itself) runs in the rehearsal on the admin's server.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as z from 'zod';
import { agentFolderPolicy } from '../../agent/install';
import { folderSddl, judgeWindowsFolder, type WindowsFolderFacts } from '../../config/folder';
import type { SecretProtector } from '../../config/protect';
import type { Reporter } from '../../log/reporter';

/** The record type of a request to the module (the reply comes in the file it names). */
export const ENGINE_REQUEST_RECORD = 'JumpCloudADI.EngineRequest';

type RowStatus = 'Pass' | 'Fail' | 'Skipped';
export interface RowVerdict {
  status: RowStatus;
  reason: string;
  evidence: string;
}

/** The module's answer to a request. */
const hostReplySchema = z.object({
  ok: z.boolean(),
  reason: z.string().max(4000).default(''),
  evidence: z.string().max(8000).default(''),
});
export type HostReply = z.infer<typeof hostReplySchema>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks the module to do `action` (Start, Check, Remove) for the rehearsal service and waits for its
 * answer in `replyFile` (written whole by the module: temp file, then rename). Throws when no answer
 * comes within `timeoutMs`, when interrupted, or when the answer is not one.
 */
export async function askHost(
  reporter: Reporter,
  replyFile: string,
  action: 'Start' | 'Check' | 'Remove',
  data: Record<string, unknown>,
  signal: AbortSignal,
  timeoutMs: number,
  pollMs = 200,
): Promise<HostReply> {
  rmSync(replyFile, { force: true });
  reporter.record(ENGINE_REQUEST_RECORD, { Name: 'rehearsal-host', Action: action, Reply: replyFile, ...data });
  const started = Date.now();
  while (!existsSync(replyFile)) {
    if (signal.aborted) throw new Error(`interrupted while the module was asked to ${action.toLowerCase()} the rehearsal service`);
    if (Date.now() - started > timeoutMs)
      throw new Error(`the module did not answer the request to ${action.toLowerCase()} the rehearsal service within ${timeoutMs / 1000} s`);
    await sleep(pollMs);
  }
  let reply: HostReply;
  try {
    reply = hostReplySchema.parse(JSON.parse(readFileSync(replyFile, 'utf8')));
  } catch (err) {
    throw new Error(`the module's answer to ${action} (${replyFile}) is not one: ${(err as Error).message}`);
  } finally {
    rmSync(replyFile, { force: true });
  }
  return reply;
}

/** Install folder ACL: what Windows reports for the folder, judged as agent-install judges it. */
export function judgeInstallFolderAcl(facts: WindowsFolderFacts, serviceName: string): RowVerdict {
  const policy = agentFolderPolicy({ serviceName, platform: 'win32' });
  const expected = folderSddl(policy.writerSid, policy.ownerSids[0]);
  const verdict = judgeWindowsFolder(facts, policy, { force: false });
  if (verdict.action === 'ok') return { status: 'Pass', reason: '', evidence: `${facts.sddl ?? ''} (designed: ${expected}; ${policy.writerName} has modify)` };
  if (verdict.action === 'create') return { status: 'Fail', reason: 'the install folder does not exist', evidence: `expected ${expected}` };
  return {
    status: 'Fail',
    reason: `the install folder's ACL is not as designed: ${verdict.problems.join('; ')}`,
    evidence: `${facts.sddl ?? '(no SDDL)'}; designed: ${expected}`,
  };
}

/** What the DPAPI round-trip saw (no secret: the probe is random and never shown). */
export interface DpapiEvidence {
  /** The scheme of the probe's protected value. */
  scheme: string;
  /** Bytes of the DPAPI blob. */
  blobBytes: number;
  /** The blob does not contain the probe in clear. */
  blobHidesProbe: boolean;
  /** Unprotect gave the probe back. */
  openedEqual: boolean;
  /** Unprotect under another field's name failed (the entropy binds a value to its field). */
  otherFieldRefused: boolean;
  /** The schemes of the installed agent.json's secrets. */
  configSchemes: string[];
  /** The agent under the service (its virtual account) reported connected: it opened those secrets. */
  agentConnected: boolean;
}

/** Protects a random probe with the agent's protector, opens it again, and under another field's name. */
export async function dpapiProbe(protector: SecretProtector): Promise<Omit<DpapiEvidence, 'configSchemes' | 'agentConnected'>> {
  const probe = randomBytes(18).toString('base64url');
  const sealed = await protector.protect(probe, 'rehearsal.probe');
  const opened = await protector.unprotect(sealed, 'rehearsal.probe');
  let otherFieldRefused = false;
  try {
    await protector.unprotect(sealed, 'rehearsal.other');
  } catch {
    otherFieldRefused = true;
  }
  const blob = Buffer.from(sealed.data, 'base64');
  return {
    scheme: sealed.scheme,
    blobBytes: blob.length,
    blobHidesProbe: !blob.includes(Buffer.from(probe, 'utf8')) && !sealed.data.includes(probe),
    openedEqual: opened === probe,
    otherFieldRefused,
  };
}

/** The DPAPI row: DPAPI (LocalMachine) round-trips here, and the service's account opened the agent's secrets. */
export function judgeDpapi(e: DpapiEvidence): RowVerdict {
  const evidence = `probe protected as ${e.scheme} (${e.blobBytes}-byte blob) and opened again: ${e.openedEqual ? 'equal' : 'DIFFERENT'}; under another field's name: ${e.otherFieldRefused ? 'refused' : 'OPENED'}; agent.json secrets: ${e.configSchemes.join(', ') || 'none'}; agent under the service connected: ${e.agentConnected ? 'yes' : 'no'}`;
  const problems: string[] = [];
  if (e.scheme !== 'dpapi-localmachine-v1') problems.push(`the protector is ${e.scheme}, not DPAPI`);
  if (!e.blobHidesProbe) problems.push('the blob holds the probe in clear');
  if (!e.openedEqual) problems.push('the probe did not open to itself');
  if (!e.otherFieldRefused) problems.push("a value opened under another field's name");
  if (e.configSchemes.length === 0) problems.push('agent.json has no protected secret');
  const foreign = e.configSchemes.filter((s) => s !== 'dpapi-localmachine-v1');
  if (foreign.length > 0) problems.push(`agent.json holds secrets protected as ${[...new Set(foreign)].join(', ')}`);
  if (!e.agentConnected) problems.push('the agent under the service did not report connected (it could not open its secrets, or did not start)');
  return problems.length === 0 ? { status: 'Pass', reason: '', evidence } : { status: 'Fail', reason: problems.join('; '), evidence };
}

/** The schemes of every protected value in an agent.json (any object with scheme and data). */
export function protectedSchemes(config: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.scheme === 'string' && typeof o.data === 'string') found.push(o.scheme);
      else Object.values(o).forEach(walk);
    }
  };
  walk(config);
  return found;
}
