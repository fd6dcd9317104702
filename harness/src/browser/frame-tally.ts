// Running totals over the rendered frames of one remote video track, fed one frame at a time by
// the stamp reader (stamp-reader.ts): latency, frames skipped and repeated, and freezes. Pure, so
// that the rules are tested without a browser.
import type { RawStampedFrames } from '../stats/raw.ts';
import { frameStep, unwrapTimeMs, type Stamp } from './stamp-code.ts';

/** One rendered frame. Times are unix ms on the run's reference clock. */
export interface RenderedFrame {
  /** When the frame is expected on screen (requestVideoFrameCallback's expectedDisplayTime). */
  displayMs: number;
  /** Its code, null when unreadable. */
  stamp: Stamp | null;
  /** The browser's own capture time of the frame, when it gives one. */
  captureTimeMs?: number;
  /** PSNR of the known region against the sender's, dB, when measured on this frame. */
  psnrDb?: number;
}

/** Recent inter-frame gaps the freeze threshold averages over (about a second at 30 fps). */
const GAP_WINDOW = 30;
/** A frame number further ahead than this is a new source (a restart), not a gap. */
const MAX_SKIP = 30_000;

export class FrameTally {
  #totals: RawStampedFrames = {
    framesRendered: 0,
    framesRead: 0,
    latencySumMs: 0,
    framesSkipped: 0,
    framesRepeated: 0,
    freezeCount: 0,
    freezeSumMs: 0,
    freezeMaxMs: 0,
  };
  #intervalMaxMs: number | undefined;
  #last: { frame: number; sender: number } | undefined;
  #lastDisplayMs: number | undefined;
  /** Recent gaps that were not freezes, ms, oldest first. */
  #gapsMs: number[] = [];
  #gapSumMs = 0;

  /** Frames read so far. */
  get framesRead(): number {
    return this.#totals.framesRead;
  }

  get framesRendered(): number {
    return this.#totals.framesRendered;
  }

  add(f: RenderedFrame): void {
    const t = this.#totals;
    t.framesRendered++;
    // The same picture presented again (Chromium does so once in a while when no new frame comes)
    // shows nothing new: it neither ends a freeze nor counts as an interval between frames.
    const repeat = !!f.stamp && this.#last?.sender === f.stamp.sender && this.#last.frame === f.stamp.frame;
    if (!repeat) this.#countGap(f.displayMs);
    if (!f.stamp) return;
    t.framesRead++;
    t.sender = f.stamp.sender;
    const captureMs = unwrapTimeMs(f.stamp.timeLow, f.displayMs);
    const latencyMs = f.displayMs - captureMs;
    t.latencySumMs += latencyMs;
    this.#intervalMaxMs = Math.max(this.#intervalMaxMs ?? -Infinity, latencyMs);
    if (f.captureTimeMs !== undefined) {
      t.captureTimeLatencySumMs = (t.captureTimeLatencySumMs ?? 0) + (f.displayMs - f.captureTimeMs);
      t.captureTimeLatencyCount = (t.captureTimeLatencyCount ?? 0) + 1;
    }
    if (f.psnrDb !== undefined) {
      t.psnrSumDb = (t.psnrSumDb ?? 0) + f.psnrDb;
      t.psnrCount = (t.psnrCount ?? 0) + 1;
    }
    const last = this.#last;
    this.#last = { frame: f.stamp.frame, sender: f.stamp.sender };
    if (!last || last.sender !== f.stamp.sender) return;
    const step = frameStep(last.frame, f.stamp.frame);
    if (step === 0) t.framesRepeated++;
    else if (step > 1 && step <= MAX_SKIP) t.framesSkipped += step - 1;
  }

  /** The totals so far; the interval's longest latency starts again. */
  take(): RawStampedFrames {
    const out: RawStampedFrames = { ...this.#totals };
    if (this.#intervalMaxMs !== undefined) out.latencyMaxMs = this.#intervalMaxMs;
    this.#intervalMaxMs = undefined;
    return out;
  }

  #countGap(displayMs: number): void {
    const prev = this.#lastDisplayMs;
    this.#lastDisplayMs = displayMs;
    if (prev === undefined) return;
    const gapMs = displayMs - prev;
    if (gapMs <= 0) return;
    if (this.#gapsMs.length >= 5) {
      const meanMs = this.#gapSumMs / this.#gapsMs.length;
      if (gapMs >= Math.max(3 * meanMs, meanMs + 150)) {
        const t = this.#totals;
        t.freezeCount++;
        t.freezeSumMs += gapMs;
        t.freezeMaxMs = Math.max(t.freezeMaxMs, gapMs);
        return; // A freeze does not raise the frame interval the next one is judged by.
      }
    }
    this.#gapsMs.push(gapMs);
    this.#gapSumMs += gapMs;
    if (this.#gapsMs.length > GAP_WINDOW) this.#gapSumMs -= this.#gapsMs.shift()!;
  }
}
