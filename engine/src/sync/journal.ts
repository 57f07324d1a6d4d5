// The journal: one JSON line per applied (or failed) operation, appended before the next starts,
// so history survives a crash. It records names and outcomes, never secrets.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JournalEntry {
  time: string;
  run: string;
  kind: string;
  target: string;
  jcId: string | null;
  outcome: 'applied' | 'failed' | 'reported';
  detail: string;
  errorId?: string;
}

export interface Journal {
  write(entry: Omit<JournalEntry, 'time' | 'run'>): void;
}

export class FileJournal implements Journal {
  constructor(
    readonly file: string,
    readonly run: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }

  write(entry: Omit<JournalEntry, 'time' | 'run'>): void {
    const line: JournalEntry = { time: this.now().toISOString(), run: this.run, ...entry };
    appendFileSync(this.file, JSON.stringify(line) + '\n', { mode: 0o600 });
  }

  static read(file: string): JournalEntry[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as JournalEntry];
        } catch {
          return []; // a line cut short by a crash
        }
      });
  }
}

export const memoryJournal = (): Journal & { entries: Array<Omit<JournalEntry, 'time' | 'run'>> } => {
  const entries: Array<Omit<JournalEntry, 'time' | 'run'>> = [];
  return { entries, write: (e) => entries.push(e) };
};
