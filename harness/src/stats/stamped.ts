// Metrics of an inbound stamped video stream (RawStampedFrames: running totals kept in the page)
// for one interval. Pure. Means are over the frames read in the interval; a stream that read no
// frame in it has no latency (not measured), never 0. A new tally (a new track under the same
// stream: its counters went down) starts its deltas from its own totals.
import type { RawStampedAudio, RawStampedFrames } from './raw.ts';
import type { MetricValues } from './types.ts';

function restarted(s: RawStampedFrames, p: RawStampedFrames | undefined): boolean {
  return p === undefined || s.framesRendered < p.framesRendered || s.framesRead < p.framesRead;
}

/** `cur - prev` of a running total, or `cur` on a new tally. */
function delta(cur: number | undefined, prev: number | undefined, fresh: boolean): number {
  return (cur ?? 0) - (fresh ? 0 : (prev ?? 0));
}

export function stampedValues(s: RawStampedFrames, p: RawStampedFrames | undefined, prevValues: MetricValues | undefined): MetricValues {
  const v: MetricValues = {};
  const fresh = restarted(s, p);
  const read = delta(s.framesRead, p?.framesRead, fresh);
  const rendered = delta(s.framesRendered, p?.framesRendered, fresh);
  if (read > 0) {
    v.video_e2e_latency_ms = delta(s.latencySumMs, p?.latencySumMs, fresh) / read;
    if (s.latencyMaxMs !== undefined) v.video_e2e_latency_max_ms = s.latencyMaxMs;
  }
  const captured = delta(s.captureTimeLatencyCount, p?.captureTimeLatencyCount, fresh);
  if (captured > 0) v.video_e2e_latency_capture_time_ms = delta(s.captureTimeLatencySumMs, p?.captureTimeLatencySumMs, fresh) / captured;
  const scored = delta(s.psnrCount, p?.psnrCount, fresh);
  if (scored > 0) v.video_stamp_psnr_db = delta(s.psnrSumDb, p?.psnrSumDb, fresh) / scored;
  if (rendered > 0) v.video_stamp_unreadable_percent = (100 * (rendered - read)) / rendered;
  const running = (name: keyof MetricValues, cur: number, prev: number | undefined, scale = 1): void => {
    v[name] = (prevValues?.[name] ?? 0) + delta(cur, prev, fresh) * scale;
  };
  running('video_skipped_frame_count_total', s.framesSkipped, p?.framesSkipped);
  running('video_repeated_frame_count_total', s.framesRepeated, p?.framesRepeated);
  running('video_rendered_freeze_count_total', s.freezeCount, p?.freezeCount);
  running('video_rendered_freeze_seconds_total', s.freezeSumMs, p?.freezeSumMs, 1 / 1000);
  v.video_rendered_freeze_max_ms = Math.max(prevValues?.video_rendered_freeze_max_ms ?? 0, s.freezeMaxMs);
  return v;
}

/** Metrics of an inbound stamped audio stream (its tone bursts' running totals) for one interval. */
export function stampedAudioValues(s: RawStampedAudio, p: RawStampedAudio | undefined): MetricValues {
  const fresh = p === undefined || s.bursts < p.bursts || s.unreadable < p.unreadable;
  const bursts = delta(s.bursts, p?.bursts, fresh);
  const unreadable = delta(s.unreadable, p?.unreadable, fresh);
  const v: MetricValues = {};
  if (bursts + unreadable > 0) v.audio_stamp_unreadable_percent = (100 * unreadable) / (bursts + unreadable);
  if (bursts <= 0) return v;
  v.audio_e2e_latency_ms = delta(s.delaySumMs, p?.delaySumMs, fresh) / bursts;
  if (s.delayMaxMs !== undefined) v.audio_e2e_latency_max_ms = s.delayMaxMs;
  return v;
}
