// Atomic file writes: a temporary file in the same folder, fsync, then rename over the target,
// so a crash leaves either the old file or the new one, never half of each.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export function writeFileAtomic(file: string, content: string | Buffer, mode: number): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, file);
}
