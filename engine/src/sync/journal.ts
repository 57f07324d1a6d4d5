// The journal: one JSON line per applied (or failed) operation, appended before the next starts,
// so history survives a crash. It records names and outcomes, never secrets.
// It rotates by size: past maxBytes the file becomes journal.jsonl.1 (the older ones shift to .2,
// .3, ...) and at most `keep` rotated files stay. Readers walk the files oldest first, line by
// line in fixed-size chunks, so a long history is never loaded whole.
import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JournalEntry {
  time: string;
  run: string;
  kind: string;
  target: string;
  jcId: string | null;
  /** `staged`: a staging agent's would-be operation (planned and journaled, not applied). */
  outcome: 'applied' | 'failed' | 'reported' | 'staged';
  detail: string;
  errorId?: string;
}

export interface Journal {
  write(entry: Omit<JournalEntry, 'time' | 'run'>): void;
}

export interface JournalRotation {
  /** A file grows to about this size before it is rotated (default 10 MiB). */
  maxBytes: number;
  /** Rotated files kept besides the current one (default 5); older ones are deleted. */
  keep: number;
}

const DEFAULT_JOURNAL_ROTATION: JournalRotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };

// Appends never follow a link planted at the journal's name (POSIX; 0 where the flag does not exist).
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0);
const READ_CHUNK = 64 * 1024;

export class FileJournal implements Journal {
  readonly rotation: JournalRotation;

  constructor(
    readonly file: string,
    readonly run: string,
    private readonly now: () => Date = () => new Date(),
    rotation: Partial<JournalRotation> = {},
  ) {
    this.rotation = { ...DEFAULT_JOURNAL_ROTATION, ...rotation };
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }

  write(entry: Omit<JournalEntry, 'time' | 'run'>): void {
    const line = Buffer.from(JSON.stringify({ time: this.now().toISOString(), run: this.run, ...entry } satisfies JournalEntry) + '\n', 'utf8');
    let fd = openSync(this.file, APPEND_FLAGS, 0o600);
    try {
      const size = fstatSync(fd).size;
      if (size > 0 && size + line.length > this.rotation.maxBytes) {
        closeSync(fd);
        fd = -1;
        rotateJournal(this.file, this.rotation.keep);
        fd = openSync(this.file, APPEND_FLAGS, 0o600);
      }
      let written = 0;
      while (written < line.length) written += writeSync(fd, line, written, line.length - written);
    } finally {
      if (fd >= 0) closeSync(fd);
    }
  }

  /** The journal's files, oldest first: journal.jsonl.N … journal.jsonl.1, journal.jsonl. */
  static files(file: string, keep = DEFAULT_JOURNAL_ROTATION.keep): string[] {
    const files: string[] = [];
    // A few past `keep`: files left by an earlier, larger setting are still history.
    for (let n = keep + 20; n >= 1; n--) if (existsSync(`${file}.${n}`)) files.push(`${file}.${n}`);
    if (existsSync(file)) files.push(file);
    return files;
  }

  /** Every entry of the journal and its rotated files, oldest first, read in chunks. */
  static *entries(file: string): Generator<JournalEntry> {
    for (const part of FileJournal.files(file)) {
      for (const line of readLines(part)) {
        if (line.trim() === '') continue;
        try {
          yield JSON.parse(line) as JournalEntry;
        } catch {
          // a line cut short by a crash
        }
      }
    }
  }

  static read(file: string): JournalEntry[] {
    return [...FileJournal.entries(file)];
  }
}

/** journal.jsonl → .1, .1 → .2, …; the file past `keep` is deleted. */
function rotateJournal(file: string, keep: number): void {
  rmSync(`${file}.${keep}`, { force: true });
  for (let n = keep - 1; n >= 1; n--) if (existsSync(`${file}.${n}`)) renameSync(`${file}.${n}`, `${file}.${n + 1}`);
  if (keep >= 1) renameSync(file, `${file}.1`);
  else rmSync(file, { force: true });
}

/** The lines of a file, READ_CHUNK bytes at a time (a line is held whole, the file never). */
export function* readLines(file: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // rotated away meanwhile
    throw err;
  }
  try {
    const chunk = Buffer.alloc(READ_CHUNK);
    let rest = Buffer.alloc(0);
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      let data = Buffer.concat([rest, chunk.subarray(0, n)]);
      let at: number;
      while ((at = data.indexOf(0x0a)) >= 0) {
        yield data.subarray(0, at).toString('utf8');
        data = data.subarray(at + 1);
      }
      rest = Buffer.from(data);
    }
    if (rest.length > 0) yield rest.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export const memoryJournal = (): Journal & { entries: Array<Omit<JournalEntry, 'time' | 'run'>> } => {
  const entries: Array<Omit<JournalEntry, 'time' | 'run'>> = [];
  return { entries, write: (e) => entries.push(e) };
};
