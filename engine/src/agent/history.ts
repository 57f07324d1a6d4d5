// Get-JCSyncHistory's filter over the journal (pure): by user, time window, outcome and kind.
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

export function filterHistory(entries: JournalEntry[], filter: HistoryFilter): JournalEntry[] {
  const who = filter.user?.toLowerCase();
  const matches = entries.filter((entry) => {
    const time = Date.parse(entry.time);
    if (filter.since && !(time >= filter.since.getTime())) return false;
    if (filter.until && !(time <= filter.until.getTime())) return false;
    if (filter.outcome && entry.outcome !== filter.outcome) return false;
    if (filter.kind && entry.kind.toLowerCase() !== filter.kind.toLowerCase()) return false;
    if (who && entry.jcId?.toLowerCase() !== who && !entry.target.toLowerCase().includes(who)) return false;
    return true;
  });
  return filter.last !== undefined ? matches.slice(Math.max(0, matches.length - filter.last)) : matches;
}
