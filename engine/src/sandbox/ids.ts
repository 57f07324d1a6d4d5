// 24-hex ObjectIds like JumpCloud's: 4 bytes of seconds, 5 bytes fixed per org, 3 bytes of a
// counter. Sorting by _id therefore follows creation order, as paging with sort=_id expects.
import { randomBytes } from 'node:crypto';

export class IdMaker {
  private readonly machine: string;

  constructor(
    private counter: number,
    machine?: string,
  ) {
    this.machine = machine ?? randomBytes(5).toString('hex');
  }

  get state(): { counter: number; machine: string } {
    return { counter: this.counter, machine: this.machine };
  }

  next(nowMs: number): string {
    this.counter = (this.counter + 1) % 0x1000000;
    const seconds = Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, '0')
      .slice(-8);
    return `${seconds}${this.machine}${this.counter.toString(16).padStart(6, '0')}`;
  }
}

/** A small seeded PRNG (mulberry32) so the demo org is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
