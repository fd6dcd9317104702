// The measurement model, k6-like: one Sample per participant per tick (a line of samples.jsonl),
// flattened into Points (one number, its time and its tags) that aggregation and thresholds use.
//
// Where values live follows each metric's scope in the catalogue, exactly once:
// - `Sample.values` holds participant-scope metrics: totals over streams (send_bitrate_kbps, the
//   sum of every outbound stream), the worst connection (rtt_ms, the highest of its connections),
//   and connection facts (connected, peer_connections, time_to_connected_ms).
// - `Sample.streams[].values` holds stream-scope metrics, one entry per RTP stream.
// There are no "worst stream" copies of stream metrics at the participant level: a quantile over
// a participant's stream points answers that without counting a stream twice.
import type { BrowserName } from './browsers.ts';
import { METRICS, isMetricName, type MetricName } from './catalogue.ts';
import type { MediaKind, RawCallEvent } from './raw.ts';

export type { MediaKind } from './raw.ts';
export type Direction = 'in' | 'out';
export type MetricValues = Partial<Record<MetricName, number>>;

export interface StreamSample {
  /**
   * Stable within a page: `<pc>/<in|out>/<kind>/<mid>[/<rid>]`, e.g. 'pc1/in/video/1',
   * 'pc0/out/video/0/h'; `s<ssrc>` stands in for a missing mid.
   */
  id: string;
  kind: MediaKind;
  direction: Direction;
  rid?: string;
  /**
   * Inbound stamped video: the participant whose frames it carries ('presenter[0]'), the sender
   * number read from them mapped through the run's numbering; absent when unknown.
   */
  from?: string;
  values: MetricValues;
  /** What the browser said about the stream, for reports: not aggregated. */
  meta?: StreamMeta;
}

export interface StreamMeta {
  ssrc: number;
  mid?: string;
  trackIdentifier?: string;
  decoderImplementation?: string;
  encoderImplementation?: string;
  /** 'none' | 'cpu' | 'bandwidth' | 'other' at the time of the sample. */
  qualityLimitationReason?: string;
  scalabilityMode?: string;
  /** false for a simulcast layer the sender switched off. */
  active?: boolean;
  /** The call page's consumer feeding this inbound stream (simulcast/SVC video only; see layers.ts). */
  consumerId?: string;
  /** Spatial layers the producer offers this stream (simulcast encodings or SVC layers). */
  offeredSpatialLayers?: number;
  /** The highest spatial layer the viewer asked for (a timeline 'layers' action); absent: never asked. */
  preferredSpatialLayer?: number;
  /** The sender number read from a stamped stream's frames (the run maps it to a participant). */
  stampSender?: number;
  /** 'replay': an outbound stream whose frames are the replay camera's pre-encoded clip (its encoder figures are not measured). */
  send?: 'replay';
}

/** The selected ICE candidate pair of one peer connection. */
export interface PairInfo {
  pc: string;
  /** 'host' | 'srflx' | 'prflx' | 'relay' */
  localType?: string;
  remoteType?: string;
  /** Transport of the local candidate: 'udp' | 'tcp'. */
  protocol?: string;
  /** How a relay candidate reaches its TURN server: 'udp' | 'tcp' | 'tls'. */
  relayProtocol?: string;
  /** 'address:port' */
  localAddress?: string;
  remoteAddress?: string;
  /** Bytes the pair carried so far (its own counters: they start again on a new pair). */
  bytesSent?: number;
  bytesReceived?: number;
}

/** An ICE server that refused or could not be reached (the page's `icecandidateerror`). */
export interface SampleCandidateError {
  /** Unix ms. */
  t: number;
  pc: string;
  url: string;
  /** STUN error code (401, 486...) or 700-799 (the server could not be reached). */
  errorCode: number;
  errorText: string;
}

export interface SampleEvent {
  /** Unix ms. */
  t: number;
  pc: string;
  /** As RawStateEvent: a connection or ICE state change, or an ICE restart 'started' / 'completed'. */
  type: 'connection' | 'ice' | 'iceRestart';
  state: string;
}

/** A call event of the page (a consumer added, its first frame...), as RawCallEvent with `t` for its time. */
export type SampleCallEvent = Omit<RawCallEvent, 'tMs'> & {
  /** Unix ms (the page's Date.now()). */
  t: number;
};

export interface Sample {
  /** When the page took the snapshot, unix ms. */
  t: number;
  /** 'viewers[0]' */
  participant: string;
  group: string;
  /** The browser it ran in; absent for Chromium in samples of older runs. Becomes the points' `browser` tag. */
  browser?: BrowserName;
  /** Time since the previous snapshot, ms; absent on the first sample (no rates yet). */
  intervalMs?: number;
  values: MetricValues;
  streams: StreamSample[];
  /** One per open peer connection that has a selected candidate pair. */
  pairs?: PairInfo[];
  /** Connection and ICE state changes since the previous sample. */
  events?: SampleEvent[];
  /** ICE candidate errors (TURN/STUN servers refusing or unreachable) since the previous sample. */
  candidateErrors?: SampleCandidateError[];
  /**
   * Whether inbound media is flowing (interruption.ts); absent while the participant receives
   * nothing. Carried from sample to sample, since a gap can span several intervals.
   */
  inboundMedia?: InboundMediaState;
  /** Spatial layer changes the SFU made since the previous sample (layers.ts), oldest first. */
  layerChanges?: LayerChange[];
  /** The call page's events since the previous sample (consumers added, first frames...), oldest first. */
  callEvents?: SampleCallEvent[];
}

/** The SFU switched a consumer to another spatial layer (from/to null: no layer forwarded). */
export interface LayerChange {
  /** Unix ms. */
  t: number;
  consumerId: string;
  /** The inbound stream it feeds, when the page already has stats for it. */
  stream?: string;
  from: number | null;
  to: number | null;
  /** The temporal layer after the change. */
  temporal: number | null;
}

export interface InboundMediaState {
  /** When the latest inbound RTP packet arrived (any stream), unix ms. */
  lastPacketMs: number;
  /** When the gap in progress began (its last packet before it), unix ms; absent while media flows. */
  interruptedSinceMs?: number;
}

export interface PointTags {
  group: string;
  participant: string;
  /** 'chromium' or 'firefox' (thresholds may select `{browser:firefox}`); absent in samples of older runs. */
  browser?: BrowserName;
  stream?: string;
  kind?: MediaKind;
  direction?: Direction;
  rid?: string;
  /** The sender of an inbound stamped video stream (StreamSample.from). */
  from?: string;
}

export interface Point {
  metric: MetricName;
  value: number;
  /** Unix ms. */
  t: number;
  tags: PointTags;
}

/**
 * Flattens a sample into points: participant values, then each stream's values. A value under a
 * name the catalogue does not know, or at a scope other than its metric's, is skipped (samples
 * read back from an older samples.jsonl may carry such names).
 */
export function samplePoints(sample: Sample): Point[] {
  const points: Point[] = [];
  const base: PointTags = { group: sample.group, participant: sample.participant };
  if (sample.browser !== undefined) base.browser = sample.browser;
  for (const [metric, value] of Object.entries(sample.values)) {
    if (!isUsable(metric, value, 'participant')) continue;
    points.push({ metric, value, t: sample.t, tags: base });
  }
  for (const s of sample.streams) {
    const tags: PointTags = { ...base, stream: s.id, kind: s.kind, direction: s.direction };
    if (s.rid !== undefined) tags.rid = s.rid;
    if (s.from !== undefined) tags.from = s.from;
    for (const [metric, value] of Object.entries(s.values)) {
      if (!isUsable(metric, value, 'stream')) continue;
      points.push({ metric, value, t: sample.t, tags });
    }
  }
  return points;
}

function isUsable(metric: string, value: unknown, scope: 'participant' | 'stream'): metric is MetricName {
  return isMetricName(metric) && METRICS[metric].scope === scope && typeof value === 'number' && Number.isFinite(value);
}
