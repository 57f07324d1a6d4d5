// The engine's V8 heap, set for a small footprint at start (main.ts), for every launcher alike:
// the module's exec, agent-start, the Windows service host and the systemd unit give no V8 flags
// (a Node 20 single executable takes them only from NODE_OPTIONS, which also makes V8 reject the
// executable's code cache). V8 reads these flags at each collection, so setting them at run time
// works; measured on a no-op reconcile of 20,000 users (docs/memory.md): peak RSS 235 → 147 MB.
//  --semi-space-growth-factor=1  the young generation stays at its first size (2 × 1 MB) instead
//                                of growing to 2 × 16 MB under the reconcile's short-lived parse
//                                garbage (what --max-semi-space-size=1 did from NODE_OPTIONS);
//  --heap-growing-percent=10     after a full collection the old generation may grow 10% before
//                                the next one, instead of V8's factor of up to 4 × the live size.
//                                Costs more collections. Both flags together: reading both sides
//                                of 20,000 users 7.7 → 8.8 s, mostly the small young generation
//                                (docs/memory.md).
//  --expose-gc                   gives collectGarbage() its function (read once, from a new context).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const HEAP_FLAGS = ['--semi-space-growth-factor=1', '--heap-growing-percent=10', '--expose-gc'] as const;

let collect: (() => void) | null = null;

/** Sets HEAP_FLAGS; call once, first thing. */
export function tuneHeap(): void {
  for (const flag of HEAP_FLAGS) setFlagsFromString(flag);
  collect = runInNewContext('gc') as () => void;
}

/**
 * A full, compacting collection now: after a full reconcile (both sides of the whole scope read,
 * planned and dropped), so the agent's memory returns to its idle size instead of whenever V8's
 * memory reducer gets to it. V8 hands the freed pages back to the system from a task right after
 * (measured: 106 → 52 MB within 200 ms of dropping 400,000 small objects). Compacting: what stays
 * alive (the agent's state, strings made during the read) is spread over pages the read filled, and
 * a plain collection moves only the objects of the few most fragmented pages; every page it cannot
 * empty stays resident. Measured after a 20,000-user read and plan: V8's heap 32.8 → 16.1 MB
 * (11.5 MB alive), the process's anonymous memory 46 → 29 MB; about 50 ms. False when tuneHeap did
 * not run (the engine's code imported by a test).
 */
export function collectGarbage(): boolean {
  if (!collect) return false;
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    collect();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return true;
}
