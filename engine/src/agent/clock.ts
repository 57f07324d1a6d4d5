// The agent's one clock: every timestamp, schedule and wait of the agent goes through it, so a
// test can drive the runner with a fake one (tests/engine/unit/agent-runner.test.ts).
import { abortableSleep } from '../jumpcloud/retry';

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => abortableSleep(ms, signal).catch(() => undefined),
};

/** A Clock built from the runner's options: `now` alone (older callers) keeps the real sleep. */
export function clockOf(options: { clock?: Clock; now?: () => Date }): Clock {
  if (options.clock) return options.clock;
  if (options.now) return { now: options.now, sleep: systemClock.sleep };
  return systemClock;
}
