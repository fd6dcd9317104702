import { describe, expect, it } from 'vitest';
import { wallMsOf, wallNowMs } from './page-clock.ts';

/** A page whose wall clock has run `slewMs` ahead of its monotonic clock since it started at unix 1_700_000_000_000. */
function page(performanceNowMs: number, slewMs: number): Window & typeof globalThis {
  return {
    performance: { timeOrigin: 1_700_000_000_000, now: () => performanceNowMs },
    Date: { now: () => 1_700_000_000_000 + performanceNowMs + slewMs },
  } as unknown as Window & typeof globalThis;
}

describe('page clock', () => {
  it('reads the wall clock, as the runner does, not the start time carried on by the monotonic clock', () => {
    // 28 s in, the wall clock 140 ms ahead (0.5 % fast, as measured once here).
    expect(wallNowMs(page(28_000, 140))).toBe(1_700_000_028_140);
  });

  it('puts a time of the performance clock on the wall clock through the offset as of now', () => {
    // A frame shown 20 ms ago on the performance clock was shown 20 ms ago on the wall clock too.
    expect(wallMsOf(page(28_000, 140), 27_980)).toBe(1_700_000_028_120);
    expect(wallMsOf(page(5_000, 0), 4_980)).toBe(1_700_000_004_980);
  });
});
