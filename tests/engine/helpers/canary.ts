// Finding the fault suite's canary marker (Canary-<16 hex>, the start of every canary secret) in
// bytes, however it would leak: as UTF-8, UTF-16LE (how unicodePwd carries a password), hex, or
// base64/base64url at any of the three byte alignments (a secret inside a longer encoded blob).
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Needle {
  encoding: string;
  bytes: Buffer;
}

/** The part of base64(prefix + marker) that depends on the marker alone. */
function base64Core(marker: Buffer, shift: number): string {
  const encoded = Buffer.concat([Buffer.alloc(shift, 0), marker]).toString('base64');
  const startBit = 8 * shift;
  const endBit = startBit + 8 * marker.length;
  return encoded.slice(Math.ceil(startBit / 6), Math.floor(endBit / 6));
}

export function canaryNeedles(marker: string): Needle[] {
  const bytes = Buffer.from(marker, 'utf8');
  const needles: Needle[] = [
    { encoding: 'utf8', bytes },
    { encoding: 'utf16le', bytes: Buffer.from(marker, 'utf16le') },
    { encoding: 'hex', bytes: Buffer.from(bytes.toString('hex'), 'latin1') },
  ];
  for (const shift of [0, 1, 2]) {
    const core = base64Core(bytes, shift);
    needles.push({ encoding: `base64+${shift}`, bytes: Buffer.from(core, 'latin1') });
    const url = core.replace(/\+/g, '-').replace(/\//g, '_');
    if (url !== core) needles.push({ encoding: `base64url+${shift}`, bytes: Buffer.from(url, 'latin1') });
  }
  return needles;
}

/** The encodings in which `data` holds the marker (empty: clean). */
export function findCanary(data: Buffer, needles: Needle[]): string[] {
  return needles.filter((n) => data.indexOf(n.bytes) >= 0).map((n) => n.encoding);
}

/** Every regular file under `dir` (symbolic links are not followed), except under the `skip` folders. */
export function filesUnder(dir: string, skip: string[] = []): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (skip.includes(path)) continue;
    if (entry.isDirectory()) found.push(...filesUnder(path, skip));
    else if (entry.isFile() && lstatSync(path).isFile()) found.push(path);
  }
  return found;
}

export interface CanaryHit {
  file: string;
  encodings: string[];
}

export function scanFiles(files: string[], needles: Needle[]): CanaryHit[] {
  const hits: CanaryHit[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      continue; // removed while scanning (a rotating log)
    }
    const encodings = findCanary(data, needles);
    if (encodings.length > 0) hits.push({ file, encodings });
  }
  return hits;
}
