// The engine's own folders (the agent's install folder, %ProgramData%\JumpCloudADI, the sandbox's
// data folder) are made, or checked, before anything is written in them:
//   Windows: inheritance off (a protected DACL), full access for SYSTEM and BUILTIN\Administrators,
//     modify access for the one account that must write there (the agent's virtual service account
//     NT SERVICE\<service>; for the sandbox, the user who runs it), owner Administrators. Every
//     file created in the folder inherits exactly that (OICI), the atomic writes' temp files too.
//   POSIX: mode 0700, owned by the account the folder is for (the agent's user), never a link.
// A folder that exists already and is a link (a junction or symbolic link: writes would land
// elsewhere) is refused, always. One that grants more, or belongs to someone else, is refused
// unless `force`, which resets owner and access. Access only missing for the folder's own account
// is added without asking: it takes nothing away.
// The judgement is pure (judgeWindowsFolder, judgePosixFolder) and tested here; the Windows side
// is a thin layer (WINDOWS_FOLDER_SCRIPT through Windows PowerShell by full path) whose inputs,
// the SDDL, are computed by folderSddl.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { EngineError, ExitCode } from '../errors';
import { windowsPowerShellPath, windowsSystemDirectory } from '../util/windows';

// ---- Windows: SIDs and the SDDL --------------------------------------------------------------

export const SID = {
  system: 'S-1-5-18',
  administrators: 'S-1-5-32-544',
} as const;

/** The SDDL aliases Windows writes for well-known SIDs (what GetSecurityDescriptorSddlForm shows). */
const SDDL_ALIASES: Record<string, string> = {
  SY: SID.system,
  BA: SID.administrators,
  LS: 'S-1-5-19',
  NS: 'S-1-5-20',
  WD: 'S-1-1-0',
  AU: 'S-1-5-11',
  BU: 'S-1-5-32-545',
  BG: 'S-1-5-32-546',
  IU: 'S-1-5-4',
  CO: 'S-1-3-0',
  CG: 'S-1-3-1',
  OW: 'S-1-3-4',
  AN: 'S-1-5-7',
  PU: 'S-1-5-32-547',
  SU: 'S-1-5-6',
  AC: 'S-1-15-2-1',
};

/** Stands for the account running the engine (resolved by the Windows thin layer, which knows its SID). */
const CURRENT_ACCOUNT = '{me}';

const TRUSTED = new Set<string>([SID.system, SID.administrators]);

function sidOf(trustee: string, me: string | null = null): string {
  if (trustee === CURRENT_ACCOUNT) return me ?? CURRENT_ACCOUNT;
  return SDDL_ALIASES[trustee.toUpperCase()] ?? trustee.toUpperCase();
}

/**
 * The SID of the virtual account NT SERVICE\<name>: S-1-5-80- and the SHA-1 of the service name in
 * upper case, UTF-16LE, read as five little-endian 32-bit numbers (how the SCM derives it; no
 * lookup needed, so the folder can be locked down before the service exists).
 */
export function virtualAccountSid(serviceName: string): string {
  const digest = createHash('sha1').update(Buffer.from(serviceName.toUpperCase(), 'utf16le')).digest();
  const parts = [0, 4, 8, 12, 16].map((at) => digest.readUInt32LE(at));
  return `S-1-5-80-${parts.join('-')}`;
}

/** Modify: read, write, execute, delete; not change permissions or take ownership. */
const MODIFY_MASK = 0x001301bf;
const FULL_MASK = 0x001f01ff;

/**
 * The folder's security descriptor: owner `owner` (Administrators by default), a protected DACL
 * (P: nothing inherited from the parent), full access for SYSTEM and Administrators, modify for
 * `writer`, each inherited by files and subfolders (OICI).
 */
export function folderSddl(writer: string | null, owner: string = SID.administrators): string {
  const ace = (mask: string, sid: string) => `(A;OICI;${mask};;;${sid})`;
  return `O:${sddlSid(owner)}G:SYD:PAI${ace('FA', 'SY')}${ace('FA', 'BA')}${writer && !TRUSTED.has(sidOf(writer)) ? ace('0x1301bf', sidOf(writer)) : ''}`;
}

function sddlSid(sid: string): string {
  if (sidOf(sid) === SID.system) return 'SY';
  if (sidOf(sid) === SID.administrators) return 'BA';
  return sidOf(sid);
}

interface SddlAce {
  type: string;
  flags: string;
  mask: number;
  sid: string;
}

export interface ParsedSddl {
  owner: string | null;
  /** D:P: the DACL does not inherit from the parent. */
  protected: boolean;
  aces: SddlAce[];
}

const RIGHT_CODES: Record<string, number> = {
  FA: FULL_MASK,
  FR: 0x120089,
  FW: 0x120116,
  FX: 0x1200a0,
  GA: 0x10000000,
  GR: 0x80000000,
  GW: 0x40000000,
  GX: 0x20000000,
  SD: 0x10000,
  RC: 0x20000,
  WD: 0x40000,
  WO: 0x80000,
};

/** Owner, DACL protection and ACEs of an SDDL string (the SACL, if any, is ignored). */
export function parseSddl(sddl: string): ParsedSddl {
  const owner = /O:(S-1-[0-9-]+|[A-Z]{2})/i.exec(sddl)?.[1] ?? null;
  const dacl = /D:([A-Z]*)((?:\([^)]*\))*)/i.exec(sddl);
  const aces: SddlAce[] = [];
  for (const match of (dacl?.[2] ?? '').matchAll(/\(([^)]*)\)/g)) {
    const [type = '', flags = '', rights = '', , , trustee = ''] = (match[1] as string).split(';');
    let mask = 0;
    if (/^0x[0-9a-f]+$/i.test(rights)) mask = Number.parseInt(rights.slice(2), 16);
    else for (let i = 0; i < rights.length; i += 2) mask |= RIGHT_CODES[rights.slice(i, i + 2).toUpperCase()] ?? 0x1; // unknown codes still grant something
    aces.push({ type: type.toUpperCase(), flags: flags.toUpperCase(), mask: mask >>> 0, sid: sidOf(trustee) });
  }
  return { owner: owner ? sidOf(owner) : null, protected: /P/i.test(dacl?.[1] ?? ''), aces };
}

// ---- the judgement ---------------------------------------------------------------------------

/** What the folder must be. */
export interface FolderPolicy {
  /** Shown in messages: "the agent's install folder". */
  label: string;
  /** Windows: the SID (or alias) that gets modify access besides SYSTEM and Administrators; null: none. */
  writerSid: string | null;
  /** The writer's name in messages (NT SERVICE\JumpCloudADISync). */
  writerName?: string;
  /** Windows: owners accepted as they are (the one set is the first). */
  ownerSids: string[];
  /** POSIX: the owner's uid and gid. */
  uid: number;
  gid: number;
}

export interface WindowsFolderFacts {
  exists: boolean;
  isDirectory: boolean;
  reparsePoint: boolean;
  /** Owner and DACL as SDDL (GetSecurityDescriptorSddlForm('Access, Owner')). */
  sddl: string | null;
  /** The SID of the account running the thin layer (what CURRENT_ACCOUNT stands for). */
  me?: string | null;
}

export type FolderVerdict =
  | { action: 'create' }
  | { action: 'ok' }
  /** Safe to fix without asking (only the folder's own account's access is missing), or `force` was given. */
  | { action: 'repair'; problems: string[] }
  | { action: 'refuse'; id: 'Folder.Link' | 'Folder.NotAFolder' | 'Folder.Insecure'; problems: string[] };

/**
 * How far a repair may go without asking: `force` resets owner and access; `repairAccess` (an
 * upgrade of a folder that already holds this agent) resets access but still refuses a foreign owner.
 */
export interface RepairMode {
  force: boolean;
  repairAccess?: boolean;
}

/** The decision for a Windows folder from what the thin layer saw. */
export function judgeWindowsFolder(facts: WindowsFolderFacts, policy: FolderPolicy, mode: RepairMode): FolderVerdict {
  if (!facts.exists) return { action: 'create' };
  if (facts.reparsePoint)
    return {
      action: 'refuse',
      id: 'Folder.Link',
      problems: ['it is a reparse point (a junction or symbolic link): what is written there would land in another folder'],
    };
  if (!facts.isDirectory) return { action: 'refuse', id: 'Folder.NotAFolder', problems: ['it is a file, not a folder'] };
  const sd = parseSddl(facts.sddl ?? '');
  const owner: string[] = [];
  const serious: string[] = [];
  const me = facts.me ?? null;
  const allowedOwners = policy.ownerSids.map((o) => sidOf(o, me));
  if (!sd.owner || !allowedOwners.includes(sd.owner))
    owner.push(`its owner is ${sd.owner ? nameOfSid(sd.owner) : 'unknown'}, not ${allowedOwners.map(nameOfSid).join(' or ')}`);
  if (!sd.protected) serious.push('it inherits access from its parent folder (inheritance is on)');
  const writer = policy.writerSid ? sidOf(policy.writerSid, me) : null;
  const extra = new Set<string>();
  for (const ace of sd.aces) {
    if (!ace.type.startsWith('A') && ace.type !== 'XA' && ace.type !== 'OA') continue; // deny and audit ACEs only restrict
    if (ace.type === 'AU') continue;
    if (TRUSTED.has(ace.sid)) continue;
    if (ace.sid === writer && (ace.mask & ~MODIFY_MASK) === 0) continue;
    extra.add(ace.sid === writer ? `${policy.writerName ?? nameOfSid(ace.sid)} (more than modify)` : nameOfSid(ace.sid));
  }
  if (extra.size > 0) serious.push(`it grants access to ${[...extra].join(', ')}`);
  const minor: string[] = [];
  const grants = (sid: string, mask: number) =>
    sd.aces.some(
      (a) => a.type === 'A' && a.sid === sid && (a.mask & mask) === mask && a.flags.includes('OI') && a.flags.includes('CI') && !a.flags.includes('IO'),
    );
  if (!grants(SID.system, FULL_MASK)) minor.push('SYSTEM lacks full access');
  if (!grants(SID.administrators, FULL_MASK)) minor.push('Administrators lack full access');
  if (writer && !TRUSTED.has(writer) && !grants(writer, MODIFY_MASK)) minor.push(`${policy.writerName ?? nameOfSid(writer)} lacks modify access`);
  return decide(owner, serious, minor, mode);
}

function decide(owner: string[], serious: string[], minor: string[], mode: RepairMode): FolderVerdict {
  const all = [...owner, ...serious, ...minor];
  if (owner.length > 0 && !mode.force) return { action: 'refuse', id: 'Folder.Insecure', problems: all };
  if (serious.length > 0 && !mode.force && !mode.repairAccess) return { action: 'refuse', id: 'Folder.Insecure', problems: all };
  return all.length > 0 ? { action: 'repair', problems: all } : { action: 'ok' };
}

function nameOfSid(sid: string): string {
  if (sid === CURRENT_ACCOUNT) return 'the account running this';
  const names: Record<string, string> = {
    [SID.system]: 'SYSTEM',
    [SID.administrators]: 'BUILTIN\\Administrators',
    'S-1-1-0': 'Everyone',
    'S-1-5-11': 'Authenticated Users',
    'S-1-5-32-545': 'BUILTIN\\Users',
    'S-1-3-0': 'CREATOR OWNER',
  };
  return names[sid] ?? sid;
}

interface PosixFolderFacts {
  exists: boolean;
  isLink: boolean;
  isDirectory: boolean;
  uid: number;
  mode: number;
}

function posixFactsOf(stats: Stats | null): PosixFolderFacts {
  if (!stats) return { exists: false, isLink: false, isDirectory: false, uid: -1, mode: 0 };
  return { exists: true, isLink: stats.isSymbolicLink(), isDirectory: stats.isDirectory(), uid: stats.uid, mode: stats.mode & 0o7777 };
}

/** The decision for a POSIX folder: 0700, owned by policy.uid, never a symbolic link. */
function judgePosixFolder(facts: PosixFolderFacts, policy: FolderPolicy, mode: RepairMode): FolderVerdict {
  if (!facts.exists) return { action: 'create' };
  if (facts.isLink) return { action: 'refuse', id: 'Folder.Link', problems: ['it is a symbolic link: what is written there would land in another folder'] };
  if (!facts.isDirectory) return { action: 'refuse', id: 'Folder.NotAFolder', problems: ['it is not a folder'] };
  const octal = facts.mode.toString(8).padStart(4, '0');
  // root and the installing account are trusted owners: passing the folder on to the agent's own
  // account is done without asking. Anyone else's folder is not taken over without -Force.
  const trustedOwner = facts.uid === 0 || facts.uid === (process.getuid?.() ?? 0);
  const owner = facts.uid !== policy.uid && !trustedOwner ? [`it belongs to uid ${facts.uid}, not ${policy.uid}`] : [];
  const serious: string[] = [];
  if ((facts.mode & 0o077) !== 0)
    serious.push(`its mode is ${octal}: other accounts can ${(facts.mode & 0o022) !== 0 ? 'write to' : 'enter'} it (it must be 0700)`);
  if ((facts.mode & 0o7000) !== 0) serious.push(`it has setuid/setgid/sticky bits (${octal})`);
  const minor = (facts.mode & 0o700) !== 0o700 ? [`its owner lacks full access (mode ${octal})`] : [];
  if (facts.uid !== policy.uid && trustedOwner) minor.push(`it belongs to uid ${facts.uid}; it passes to uid ${policy.uid}`);
  return decide(owner, serious, minor, mode);
}

// ---- doing it ------------------------------------------------------------------------------

/**
 * The Windows thin layer. Constant text; stdin carries three lines: the operation (inspect,
 * create, apply), the folder (base64 of UTF-8) and the SDDL to set. create makes the folder with
 * that security descriptor in one call (no moment with inherited access); apply sets it on an
 * existing folder (never through a reparse point). {me} in the SDDL is the running account's
 * SID. The answer is the folder's facts as JSON (with `me`).
 */
export const WINDOWS_FOLDER_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$op = [Console]::In.ReadLine()',
  '$path = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadLine()))',
  '$me = [Security.Principal.WindowsIdentity]::GetCurrent().User.Value',
  "$sddl = [Console]::In.ReadLine().Replace('{me}', $me)",
  '$reparse = [IO.FileAttributes]::ReparsePoint',
  "if ($op -eq 'create' -or $op -eq 'apply') { $security = New-Object System.Security.AccessControl.DirectorySecurity; $security.SetSecurityDescriptorSddlForm($sddl) }",
  "if ($op -eq 'create') { [void][IO.Directory]::CreateDirectory($path, $security) }",
  "elseif ($op -eq 'apply') { if (([IO.File]::GetAttributes($path) -band $reparse) -ne 0) { throw 'the folder is a reparse point' }; [IO.Directory]::SetAccessControl($path, $security) }",
  "elseif ($op -ne 'inspect') { throw 'unknown operation' }",
  '$info = New-Object IO.DirectoryInfo($path)',
  'if (-not $info.Exists) { $facts = @{ exists = [IO.File]::Exists($path); isDirectory = $false; reparsePoint = $false; sddl = $null } }',
  "else { $facts = @{ exists = $true; isDirectory = $true; reparsePoint = (($info.Attributes -band $reparse) -ne 0); sddl = $info.GetAccessControl('Access, Owner').GetSecurityDescriptorSddlForm('Access, Owner') } }",
  'if ($facts.exists -and -not $info.Exists) { $facts.reparsePoint = (([IO.File]::GetAttributes($path) -band $reparse) -ne 0) }',
  '$facts.me = $me',
  '[Console]::Out.Write(($facts | ConvertTo-Json -Compress))',
].join('; ');

export const WINDOWS_FOLDER_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', WINDOWS_FOLDER_SCRIPT];

/** The stdin of one call of WINDOWS_FOLDER_SCRIPT. */
function windowsFolderInput(op: 'inspect' | 'create' | 'apply', folder: string, sddl: string): string {
  return `${op}\n${Buffer.from(folder, 'utf8').toString('base64')}\n${sddl}\n`;
}

/** Runs a program (full path) with `input` on stdin, synchronously; the seam tests replace. */
export type SyncStdinRunner = (file: string, args: string[], input: string) => { code: number | null; stdout: string; stderr: string; error?: Error };

const runWithStdinSync: SyncStdinRunner = (file, args, input) => {
  const result = spawnSync(file, args, {
    input,
    encoding: 'utf8',
    windowsHide: true,
    shell: false,
    cwd: process.platform === 'win32' ? windowsSystemDirectory() : undefined,
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ...(result.error ? { error: result.error } : {}) };
};

export interface SecureFolderOptions extends Partial<RepairMode> {
  policy: FolderPolicy;
  platform?: NodeJS.Platform;
  /** The Windows runner (tests replace it). */
  run?: SyncStdinRunner;
}

export interface SecureFolderOutcome {
  folder: string;
  action: 'created' | 'unchanged' | 'repaired';
  problems: string[];
}

function folderError(verdict: Extract<FolderVerdict, { action: 'refuse' }>, folder: string, policy: FolderPolicy, platform: NodeJS.Platform): EngineError {
  const what = `${policy.label} ${folder}`;
  const wanted =
    platform === 'win32'
      ? `owner ${nameOfSid(sidOf(policy.ownerSids[0] ?? SID.administrators))}, inheritance off, access for SYSTEM, Administrators${policy.writerSid && !TRUSTED.has(sidOf(policy.writerSid)) ? ` and ${policy.writerName ?? nameOfSid(sidOf(policy.writerSid))}` : ''} only`
      : `mode 0700, owned by uid ${policy.uid}`;
  const fix =
    verdict.id === 'Folder.Insecure'
      ? `Fix it (${wanted}), or run again with -Force (force: true) to reset its owner and access to exactly that.`
      : verdict.id === 'Folder.Link'
        ? 'Remove the link (it is not followed, even with -Force) and run again: the folder is then created with the right access.'
        : 'Move the file away, or choose another folder.';
  return new EngineError(verdict.id, `The ${what} is not safe to use: ${verdict.problems.join('; ')}. ${fix}`, {
    category: 'SecurityError',
    exitCode: ExitCode.BadRequest,
    target: folder,
    details: { problems: verdict.problems },
  });
}

/** Creates `folder` with the policy's access, or checks and (when allowed) repairs an existing one. */
export function secureFolder(folder: string, options: SecureFolderOptions): SecureFolderOutcome {
  const platform = options.platform ?? process.platform;
  const mode: RepairMode = { force: options.force ?? false, repairAccess: options.repairAccess ?? false };
  if (platform === 'win32') return secureWindowsFolder(folder, options.policy, mode, options.run ?? runWithStdinSync);
  return securePosixFolder(folder, options.policy, mode);
}

function securePosixFolder(folder: string, policy: FolderPolicy, mode: RepairMode): SecureFolderOutcome {
  const verdict = judgePosixFolder(posixFactsOf(lstatOrNull(folder)), policy, mode);
  if (verdict.action === 'refuse') throw folderError(verdict, folder, policy, 'linux');
  if (verdict.action === 'ok') return { folder, action: 'unchanged', problems: [] };
  if (verdict.action === 'create') {
    mkdirSync(dirname(folder), { recursive: true, mode: 0o755 });
    mkdirSync(folder, { mode: 0o700 });
  }
  // chown before chmod, both through the path just checked (mkdir would have failed on a link
  // planted meanwhile; lstat again to be sure nothing was swapped in).
  const now = lstatOrNull(folder);
  if (!now || now.isSymbolicLink() || !now.isDirectory())
    throw folderError({ action: 'refuse', id: 'Folder.Link', problems: ['it was replaced while it was being secured'] }, folder, policy, 'linux');
  if (now.uid !== policy.uid || now.gid !== policy.gid) chownSync(folder, policy.uid, policy.gid);
  chmodSync(folder, 0o700);
  return { folder, action: verdict.action === 'create' ? 'created' : 'repaired', problems: verdict.action === 'repair' ? verdict.problems : [] };
}

function secureWindowsFolder(folder: string, policy: FolderPolicy, mode: RepairMode, run: SyncStdinRunner): SecureFolderOutcome {
  const sddl = folderSddl(policy.writerSid, policy.ownerSids[0]);
  const call = (op: 'inspect' | 'create' | 'apply'): WindowsFolderFacts => {
    const powershell = windowsPowerShellPath();
    const result = run(powershell, WINDOWS_FOLDER_ARGS, windowsFolderInput(op, folder, sddl));
    if (result.error)
      throw new EngineError('Folder.SecureFailed', `Cannot run ${powershell} to secure ${folder}: ${result.error.message}`, {
        category: 'SecurityError',
        exitCode: ExitCode.BadRequest,
        target: folder,
      });
    try {
      if (result.code !== 0) throw new Error(result.stderr.trim().slice(0, 400) || `exit ${result.code}`);
      if (result.stdout.trim() === '') throw new Error(`${powershell} gave no answer (is Windows PowerShell 5.1 installed?)`);
      return JSON.parse(result.stdout) as WindowsFolderFacts;
    } catch (err) {
      throw new EngineError('Folder.SecureFailed', `Cannot ${op} the access of the ${policy.label} ${folder}: ${(err as Error).message}`, {
        category: 'SecurityError',
        exitCode: ExitCode.BadRequest,
        target: folder,
      });
    }
  };
  const verdict = judgeWindowsFolder(call('inspect'), policy, mode);
  if (verdict.action === 'refuse') throw folderError(verdict, folder, policy, 'win32');
  if (verdict.action === 'ok') return { folder, action: 'unchanged', problems: [] };
  const after = call(verdict.action === 'create' ? 'create' : 'apply');
  const check = judgeWindowsFolder(after, policy, { force: false });
  if (check.action !== 'ok')
    throw new EngineError(
      'Folder.SecureFailed',
      `The ${policy.label} ${folder} still does not have the right access after setting it: ${check.action === 'create' ? 'it was not created' : check.problems.join('; ')}.`,
      { category: 'SecurityError', exitCode: ExitCode.BadRequest, target: folder },
    );
  return { folder, action: verdict.action === 'create' ? 'created' : 'repaired', problems: verdict.action === 'repair' ? verdict.problems : [] };
}

/**
 * What the Windows thin layer sees of a folder (owner and DACL as SDDL), without changing it: the
 * rehearsal's check of the install folder's ACL. Throws Folder.SecureFailed when it cannot tell.
 */
export function inspectWindowsFolder(folder: string, run: SyncStdinRunner = runWithStdinSync): WindowsFolderFacts {
  const powershell = windowsPowerShellPath();
  const result = run(powershell, WINDOWS_FOLDER_ARGS, windowsFolderInput('inspect', folder, ''));
  const problem = result.error
    ? result.error.message
    : result.code !== 0
      ? result.stderr.trim().slice(0, 400) || `exit ${result.code}`
      : result.stdout.trim() === ''
        ? `${powershell} gave no answer (is Windows PowerShell 5.1 installed?)`
        : null;
  if (problem === null) {
    try {
      return JSON.parse(result.stdout) as WindowsFolderFacts;
    } catch (err) {
      throw new EngineError('Folder.SecureFailed', `Cannot inspect the access of ${folder}: ${(err as Error).message}`, {
        category: 'SecurityError',
        exitCode: ExitCode.BadRequest,
        target: folder,
      });
    }
  }
  throw new EngineError('Folder.SecureFailed', `Cannot inspect the access of ${folder}: ${problem}`, {
    category: 'SecurityError',
    exitCode: ExitCode.BadRequest,
    target: folder,
  });
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

// ---- who the folder is for ---------------------------------------------------------------

/** The current process's POSIX account (the owner of folders it makes for itself). */
export function currentPosixOwner(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/** A local account by name, from /etc/passwd (system users made by useradd live there). */
export function lookupPosixUser(name: string, passwdFile = '/etc/passwd'): { name: string; uid: number; gid: number; home: string } | null {
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined && /^\d+$/.test(uid) && /^\d+$/.test(gid))
      return { name, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
  }
  return null;
}

/**
 * A folder only the engine's own account uses (the state folder, the sandbox's data): on Windows
 * made with owner Administrators (the cmdlets run elevated) and modify access for the running
 * account besides SYSTEM and Administrators, an existing one accepted when owned by
 * Administrators, SYSTEM or the running account; on POSIX the running account's. Install-
 * JCSyncAgent later resets %ProgramData%\JumpCloudADI to SYSTEM and Administrators only.
 */
function ownFolderPolicy(label: string): FolderPolicy {
  const { uid, gid } = currentPosixOwner();
  return { label, writerSid: CURRENT_ACCOUNT, ownerSids: [SID.administrators, SID.system, CURRENT_ACCOUNT], uid, gid };
}

/**
 * The engine's own folders made on the fly (the state folder for logs and journals, the sandbox's
 * data): fully checked on POSIX (cheap); on Windows created with the right access when missing
 * and refused when a link, the full access check of an existing one being Install-JCSyncAgent's
 * (agent-install) and the sandbox's start (a process start per command would be too slow).
 */
export function ensureEngineFolder(
  folder: string,
  label: string,
  options: { platform?: NodeJS.Platform; run?: SyncStdinRunner; full?: boolean; force?: boolean } = {},
): SecureFolderOutcome {
  const platform = options.platform ?? process.platform;
  const policy = ownFolderPolicy(label);
  if (platform === 'win32' && !options.full) {
    const stats = lstatOrNull(folder);
    if (stats?.isSymbolicLink())
      throw folderError(
        {
          action: 'refuse',
          id: 'Folder.Link',
          problems: ['it is a reparse point (a junction or symbolic link): what is written there would land in another folder'],
        },
        folder,
        policy,
        'win32',
      );
    if (stats && !stats.isDirectory())
      throw folderError({ action: 'refuse', id: 'Folder.NotAFolder', problems: ['it is a file, not a folder'] }, folder, policy, 'win32');
    if (stats) return { folder, action: 'unchanged', problems: [] };
  }
  return secureFolder(folder, { policy, platform, run: options.run, force: options.force ?? false });
}
