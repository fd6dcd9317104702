// Interval metrics from a stamped stream's running totals.
import { describe, expect, it } from 'vitest';
import type { RawStampedFrames } from './raw.ts';
import { stampedAudioValues, stampedValues } from './stamped.ts';

const base: RawStampedFrames = {
  framesRendered: 30,
  framesRead: 30,
  latencySumMs: 1500,
  framesSkipped: 0,
  framesRepeated: 0,
  freezeCount: 0,
  freezeSumMs: 0,
  freezeMaxMs: 0,
};

describe('stampedValues', () => {
  it("takes the PSNR's mean over the frames scored in the interval, and none without any", () => {
    const prev = { ...base, psnrSumDb: 350, psnrCount: 10 };
    const v = stampedValues({ ...prev, framesRendered: 60, framesRead: 60, latencySumMs: 3000, psnrSumDb: 350 + 4 * 30 + 2 * 31, psnrCount: 16 }, prev, undefined);
    expect(v.video_stamp_psnr_db).toBeCloseTo(182 / 6, 6);
    expect(stampedValues({ ...prev, framesRendered: 60 }, prev, undefined)).not.toHaveProperty('video_stamp_psnr_db');
    expect(stampedValues(base, undefined, undefined)).not.toHaveProperty('video_stamp_psnr_db');
  });

  it('gives the mean latency of the frames read in the interval, and the share unreadable', () => {
    const cur = { ...base, framesRendered: 60, framesRead: 58, latencySumMs: 1500 + 28 * 70, latencyMaxMs: 90 };
    const v = stampedValues(cur, base, undefined);
    expect(v.video_e2e_latency_ms).toBeCloseTo(70, 6);
    expect(v.video_e2e_latency_max_ms).toBe(90);
    expect(v.video_stamp_unreadable_percent).toBeCloseTo(100 * (2 / 30), 6);
  });

  it('has no latency for an interval without a frame read: not measured, never 0', () => {
    const v = stampedValues({ ...base, framesRendered: 31 }, base, undefined);
    expect(v.video_e2e_latency_ms).toBeUndefined();
    expect(v.video_stamp_unreadable_percent).toBe(100);
    expect(stampedValues(base, base, undefined).video_stamp_unreadable_percent).toBeUndefined();
  });

  it('keeps running totals across a new tally (a new track under the same stream)', () => {
    const prev = { ...base, framesSkipped: 10, freezeCount: 1, freezeSumMs: 2000, freezeMaxMs: 2000 };
    const first = stampedValues(prev, undefined, undefined);
    expect(first).toMatchObject({ video_skipped_frame_count_total: 10, video_rendered_freeze_count_total: 1, video_rendered_freeze_seconds_total: 2, video_rendered_freeze_max_ms: 2000 });
    const fresh = { ...base, framesRendered: 5, framesRead: 5, latencySumMs: 250, framesSkipped: 3 };
    const v = stampedValues(fresh, prev, first);
    expect(v.video_skipped_frame_count_total).toBe(13);
    expect(v.video_e2e_latency_ms).toBe(50);
    expect(v.video_rendered_freeze_max_ms).toBe(2000);
  });

  it("compares with the browser's capture time only where it gave one", () => {
    expect(stampedValues({ ...base, framesRead: 60, framesRendered: 60, latencySumMs: 3000 }, base, undefined).video_e2e_latency_capture_time_ms).toBeUndefined();
    const cur = { ...base, captureTimeLatencySumMs: 600, captureTimeLatencyCount: 10 };
    expect(stampedValues(cur, { ...base, captureTimeLatencySumMs: 100, captureTimeLatencyCount: 5 }, undefined).video_e2e_latency_capture_time_ms).toBe(100);
  });
});

describe('stamped audio values', () => {
  it('takes the mean delay of the bursts heard in the interval, and nothing when none was', () => {
    const first = { sender: 2, bursts: 3, unreadable: 0, delaySumMs: 240, delayMaxMs: 95 };
    expect(stampedAudioValues(first, undefined)).toEqual({ audio_e2e_latency_ms: 80, audio_e2e_latency_max_ms: 95, audio_stamp_unreadable_percent: 0 });
    const second = { sender: 2, bursts: 5, unreadable: 1, delaySumMs: 240 + 2 * 130 };
    expect(stampedAudioValues(second, first)).toEqual({ audio_e2e_latency_ms: 130, audio_stamp_unreadable_percent: (100 * 1) / 3 });
    // No burst in the interval (an outage): not measured, never 0.
    expect(stampedAudioValues(second, second)).toEqual({});
    // A new track under the same stream starts its own totals.
    expect(stampedAudioValues({ bursts: 1, unreadable: 0, delaySumMs: 70 }, second)).toEqual({ audio_e2e_latency_ms: 70, audio_stamp_unreadable_percent: 0 });
  });
});
