// What the benchmarks share. The one summary of repeated runs: the median (the middle run; the
// upper middle of an even count), so that one slow run on a busy machine does not move a figure.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Polls `probe` (sync or async) every `everyMs` until it is true; the time it was, from performance.now(). */
export async function until(probe, timeoutMs, everyMs = 10) {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
  return performance.now();
}

/** A field of /proc/<pid>/status in MB (VmRSS: resident now; VmHWM: the peak). */
export const procStatusMb = (pid, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
