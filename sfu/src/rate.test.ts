import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate.ts';

describe('TokenBucket', () => {
  it('lets a burst through at once, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 5, 0);
    const first = Array.from({ length: 6 }, () => bucket.take(0));
    expect(first).toEqual([true, true, true, true, true, false]);
    expect(bucket.take(99)).toBe(false); // 0.99 of a token
    expect(bucket.take(100)).toBe(true); // 100 ms at 10/s refills one
  });

  it('refills no further than the burst, and ignores a clock that steps back', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect(Array.from({ length: 4 }, () => bucket.take(60_000))).toEqual([true, true, true, false]);
    expect(bucket.take(1000)).toBe(false);
  });
});
