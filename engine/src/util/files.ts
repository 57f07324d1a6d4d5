// Atomic file writes that cannot be redirected. The temporary file is created exclusively
// ('wx': O_CREAT|O_EXCL, which on POSIX also refuses to follow a symbolic link at that name)
// under a random name in the target's own folder, written in full, flushed to disk, then renamed
// over the target: a crash leaves the old file or the new one, never half of each, and nothing
// planted in the folder beforehand (a link, a leftover file with loose rights) is followed or
// reused. On Windows the new file takes the folder's inheritable ACL (engine/src/config/folder.ts).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lchownSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The temporary name an atomic write of `file` uses: hidden, random, never predictable. */
export function atomicTempName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${randomBytes(12).toString('hex')}.tmp`);
}

/** A temporary name of atomicTempName's form (left over by a crash): uninstall removes them. */
export const ATOMIC_TEMP_PATTERN = /^\..+\.[0-9a-f]{24}\.tmp$/;

/** Writes `content` to a file that must not exist yet (never follows or reuses what is there). */
export function writeExclusiveSync(file: string, content: string | Buffer, mode: number): void {
  const fd = openSync(file, 'wx', mode);
  try {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(file, { force: true });
    throw err;
  }
  closeSync(fd);
}

/** Replaces `file` atomically with `content` (mode applies on POSIX; Windows inherits the folder's ACL). */
export function writeFileAtomicSync(file: string, content: string | Buffer, mode: number): void {
  const temp = atomicTempName(file);
  writeExclusiveSync(temp, content, mode);
  try {
    ownLikeFolder(temp);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncFolder(dirname(file));
}

/** fsync of the folder, so the rename itself survives a power cut (POSIX; a no-op where folders cannot be opened). */
function syncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  let fd: number;
  try {
    fd = openSync(folder, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the file itself is already on disk.
  } finally {
    closeSync(fd);
  }
}

/**
 * POSIX, as root: a file made in a folder that belongs to another account (the agent's own
 * user) is given to that account, as Windows gives a new file its folder's ACL; otherwise that
 * account could not read the config root just rewrote. Nothing to do elsewhere.
 */
export function ownLikeFolder(file: string): void {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return;
  const folder = statSync(dirname(file));
  if (folder.uid !== 0) lchownSync(file, folder.uid, folder.gid);
}
