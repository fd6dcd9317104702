// The one metric catalogue: every figure the harness measures is declared here once, with its
// unit, kind and help text. Aggregation, thresholds, reporters, Prometheus and the dashboards
// all take names from this table; a name that is not here does not exist.

export type MetricUnit =
  | 'kbps'
  | 'fps'
  | 'px'
  | 'ms'
  | 'seconds'
  | 'percent'
  | 'count'
  | 'per_second'
  | 'ratio'
  | 'bool';

/**
 * - `gauge`: a value sampled every interval (fps, bitrate, RTT); aggregates describe its spread.
 * - `counter`: a running total per stream or participant (freeze seconds so far); `max` and `last`
 *   are what matter.
 * - `event`: one value per occurrence (time to first frame, time to connect).
 */
export type MetricKind = 'gauge' | 'counter' | 'event';

/** Which way is better, for baselines and for colouring reports. */
export type MetricBetter = 'higher' | 'lower' | 'none';

export interface MetricDef {
  unit: MetricUnit;
  kind: MetricKind;
  better: MetricBetter;
  help: string;
}

export const METRICS = {
  // Sending side, per outbound stream.
  video_send_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'higher', help: 'Video bitrate sent, per outbound stream (simulcast layer)' },
  audio_send_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', help: 'Audio bitrate sent' },
  video_send_fps: { unit: 'fps', kind: 'gauge', better: 'higher', help: 'Video frames encoded and sent per second, per outbound stream' },
  video_send_height_px: { unit: 'px', kind: 'gauge', better: 'higher', help: 'Height of the video frames sent, per outbound stream' },
  video_send_width_px: { unit: 'px', kind: 'gauge', better: 'higher', help: 'Width of the video frames sent, per outbound stream' },

  // Receiving side, per inbound stream.
  video_recv_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'higher', help: 'Video bitrate received, per inbound stream' },
  audio_recv_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', help: 'Audio bitrate received, per inbound stream' },
  video_recv_fps: { unit: 'fps', kind: 'gauge', better: 'higher', help: 'Video frames decoded per second, per inbound stream' },
  video_recv_height_px: { unit: 'px', kind: 'gauge', better: 'higher', help: 'Height of the video frames decoded, per inbound stream' },
  video_recv_width_px: { unit: 'px', kind: 'gauge', better: 'higher', help: 'Width of the video frames decoded, per inbound stream' },
  video_freeze_count_total: { unit: 'count', kind: 'counter', better: 'lower', help: 'Video freezes so far (libwebrtc: an inter-frame gap > max(150 ms, 3x the average))' },
  video_freeze_seconds_total: { unit: 'seconds', kind: 'counter', better: 'lower', help: 'Total duration of video freezes so far, per inbound stream' },
  join_to_first_frame_ms: { unit: 'ms', kind: 'event', better: 'lower', help: 'Time from joining to the first decoded video frame of a remote stream' },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}
