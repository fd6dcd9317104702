// The per-frame rules of a stamped track's tally: latency, skips, repeats and freezes.
import { describe, expect, it } from 'vitest';
import { FrameTally } from './frame-tally.ts';
import type { Stamp } from './stamp-code.ts';

const T0 = 1_700_000_000_000;
const stamp = (frame: number, captureMs: number, sender = 0): Stamp => ({ frame, sender, timeLow: captureMs % 2 ** 24 });

/** Frames at 30 fps, each shown `latencyMs` after capture. */
function play(tally: FrameTally, frames: number[], latencyMs: number, startMs = T0): void {
  for (const n of frames) {
    const captureMs = startMs + (n * 1000) / 30;
    tally.add({ displayMs: captureMs + latencyMs, stamp: stamp(n, captureMs) });
  }
}

describe('FrameTally', () => {
  it('sums display minus capture time over frames read, and keeps the interval maximum', () => {
    const t = new FrameTally();
    play(t, [0, 1, 2], 40);
    t.add({ displayMs: T0 + 200, stamp: null });
    const r = t.take();
    expect(r).toMatchObject({ framesRendered: 4, framesRead: 3, sender: 0, framesSkipped: 0, framesRepeated: 0 });
    expect(r.latencySumMs).toBeCloseTo(120, 6);
    expect(r.latencyMaxMs).toBeCloseTo(40, 6);
    expect(t.take().latencyMaxMs, 'the maximum is per interval').toBeUndefined();
  });

  it('counts frames skipped (gaps in numbers) and repeated (the same number again)', () => {
    const t = new FrameTally();
    play(t, [0, 1, 5, 5, 6, 65_536 + 7], 40); // the last wraps to frame 7
    expect(t.take()).toMatchObject({ framesSkipped: 3, framesRepeated: 1 });
    const u = new FrameTally();
    play(u, [0, 1], 40);
    u.add({ displayMs: T0 + 100, stamp: stamp(9, T0, 1) }); // another sender: no gap to count
    expect(u.take().framesSkipped).toBe(0);
  });

  it('counts a gap of at least max(3x, +150 ms) the recent frame interval as a freeze of that length', () => {
    const t = new FrameTally();
    play(t, [...Array(30).keys()], 50);
    // Two seconds without a frame, then frames again: a freeze of 2 s plus one frame interval.
    play(t, [90, 91, 92], 50);
    const r = t.take();
    expect(r.freezeCount).toBe(1);
    expect(r.freezeSumMs).toBeCloseTo((90 - 29) * (1000 / 30), 2);
    expect(r.freezeMaxMs).toBe(r.freezeSumMs);
    expect(r.framesSkipped).toBe(60);
  });

  it('does not let the last picture presented again end a freeze', () => {
    const t = new FrameTally();
    play(t, [...Array(30).keys()], 50);
    // A second into a 2 s gap, the browser presents frame 29 once more.
    t.add({ displayMs: T0 + (29 * 1000) / 30 + 50 + 1000, stamp: stamp(29, T0 + (29 * 1000) / 30) });
    play(t, [90, 91, 92], 50);
    const r = t.take();
    expect(r).toMatchObject({ freezeCount: 1, framesRepeated: 1 });
    expect(r.freezeMaxMs).toBeCloseTo((90 - 29) * (1000 / 30), 2);
  });

  it('does not call a steady low frame rate a freeze', () => {
    const t = new FrameTally();
    play(t, Array.from({ length: 40 }, (_, i) => i * 6), 50); // 5 fps: 200 ms apart
    expect(t.take().freezeCount).toBe(0);
  });

  it("keeps the browser's capture-time latency apart, over the frames that have one", () => {
    const t = new FrameTally();
    t.add({ displayMs: T0 + 60, stamp: stamp(0, T0), captureTimeMs: T0 + 10 });
    t.add({ displayMs: T0 + 93, stamp: stamp(1, T0 + 33) });
    expect(t.take()).toMatchObject({ captureTimeLatencySumMs: 50, captureTimeLatencyCount: 1 });
  });
});
