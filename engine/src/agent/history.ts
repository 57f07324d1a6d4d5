// Get-JCSyncHistory's filter over the journal (pure): by user, time window, outcome and kind.
// It takes any iterable (FileJournal.entries streams the journal and its rotated files) and keeps
// only the matches; with `last`, only the last N of them.
import type { JournalEntry } from '../sync/journal';

export interface HistoryFilter {
  /** A JumpCloud id, or a name found in the target (a username, a DN, a group name); case-insensitive. */
  user?: string;
  since?: Date;
  until?: Date;
  outcome?: JournalEntry['outcome'];
  kind?: string;
  /** Only the last N matching entries. */
  last?: number;
}

export function filterHistory(entries: Iterable<JournalEntry>, filter: HistoryFilter): JournalEntry[] {
  const who = filter.user?.toLowerCase();
  const matches = (entry: JournalEntry): boolean => {
    const time = Date.parse(entry.time);
    if (filter.since && !(time >= filter.since.getTime())) return false;
    if (filter.until && !(time <= filter.until.getTime())) return false;
    if (filter.outcome && entry.outcome !== filter.outcome) return false;
    if (filter.kind && entry.kind.toLowerCase() !== filter.kind.toLowerCase()) return false;
    if (who && entry.jcId?.toLowerCase() !== who && !entry.target.toLowerCase().includes(who)) return false;
    return true;
  };
  const kept: JournalEntry[] = [];
  for (const entry of entries) {
    if (!matches(entry)) continue;
    kept.push(entry);
    // With `last`, memory stays bounded: drop the oldest in batches.
    if (filter.last !== undefined && kept.length >= 2 * filter.last + 1024) kept.splice(0, kept.length - filter.last);
  }
  return filter.last !== undefined ? kept.slice(Math.max(0, kept.length - filter.last)) : kept;
}
