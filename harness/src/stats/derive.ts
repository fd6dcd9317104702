// Turns two consecutive raw snapshots of one page into a Sample of per-second figures. Pure.
//
// Rules for counters (bytes, packets, frames, NACKs...):
// - Rates divide counter deltas by the real time between the two stats reports of that peer
//   connection (a missed tick simply makes the interval longer), never by the nominal interval.
// - A stream restarts when its ssrc changes or its byte or packet counter goes down (a new stream
//   under the same mid, an ICE restart, a renegotiation): its counters count again from 0, so the
//   delta is the current value. Any other counter that goes down is treated the same way: a rate
//   is never negative. packetsLost is the exception: RTCP lets it go down when late packets
//   arrive, so its delta is clamped at 0 instead.
// - No rates on the first sample, for a stream that just appeared, or when a report did not
//   advance (Chromium caches getStats results for a few ms): gauges (resolution, jitter, RTT) and
//   running totals are still given.
// - A stream that disappeared is simply absent: nothing is extrapolated.
// - Running totals (`_total`) add the interval's delta to the previous sample's total, so they
//   keep growing across counter restarts.
import type { MetricName } from './catalogue.ts';
import {
  RAW_SNAPSHOT_VERSION,
  type RawInboundRtp,
  type RawOutboundRtp,
  type RawPeerConnection,
  type RawRemoteInboundRtp,
  type RawSnapshot,
} from './raw.ts';
import { iceValues } from './ice.ts';
import { unavailableMetrics, type BrowserName } from './browsers.ts';
import { trackInboundMedia } from './interruption.ts';
import { activeSendLayers, deriveLayers } from './layers.ts';
import { stampedAudioValues, stampedValues } from './stamped.ts';
import type { Direction, MetricValues, PairInfo, Sample, StreamSample } from './types.ts';

export interface DeriveContext {
  participant: string;
  group: string;
  /** The browser that took the snapshot: the metrics its stats cannot give are never in its samples. Default: none named. */
  browser?: BrowserName;
  /** The sample derived from the previous snapshot: running totals continue from it. */
  previous?: Sample;
  /** The run's stamped senders, number -> participant id, to name the sender of stamped streams. */
  stampSenders?: ReadonlyMap<number, string>;
}

/** Time between two reports of one connection, ms; undefined when rates cannot be computed. */
type IntervalMs = number | undefined;

function set(values: MetricValues, metric: MetricName, value: number | undefined): void {
  if (value !== undefined && Number.isFinite(value)) values[metric] = value;
}

/** Delta of a counter that restarts from 0 when it goes down. */
function delta(cur: number | undefined, prev: number | undefined, restarted: boolean): number | undefined {
  if (cur === undefined) return undefined;
  if (restarted || prev === undefined || cur < prev) return cur;
  return cur - prev;
}

function perSecond(d: number | undefined, dtMs: number): number | undefined {
  return d === undefined ? undefined : (d * 1000) / dtMs;
}

/** Bytes over ms is kilobytes per second; times 8 is kilobits per second. */
function kbps(bytes: number | undefined, dtMs: number): number | undefined {
  return bytes === undefined ? undefined : (bytes * 8) / dtMs;
}

function clampPercent(x: number): number {
  return Math.min(100, Math.max(0, x));
}

/** cur - prev when both are known and it did not go down. */
function d0(cur: number | undefined, prev: number | undefined): number | undefined {
  return cur === undefined || prev === undefined || cur < prev ? undefined : cur - prev;
}

function wentDown(cur: number | undefined, prev: number | undefined): boolean {
  return cur !== undefined && prev !== undefined && cur < prev;
}

/** Stream ids for one connection and direction; a duplicate (legacy simulcast: no rid) gets its ssrc. */
function streamIds(pc: string, dir: Direction, list: ReadonlyArray<RawInboundRtp | RawOutboundRtp>): string[] {
  const ids = list.map((s) => {
    const rid = 'rid' in s && s.rid ? `/${s.rid}` : '';
    return `${pc}/${dir}/${s.kind}/${s.mid ?? `s${s.ssrc}`}${rid}`;
  });
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return ids.map((id, i) => ((seen.get(id) ?? 0) > 1 ? `${id}/s${list[i]?.ssrc}` : id));
}

function byId<T extends RawInboundRtp | RawOutboundRtp>(pc: string, dir: Direction, list: T[] | undefined): Map<string, T> {
  const map = new Map<string, T>();
  if (!list) return map;
  const ids = streamIds(pc, dir, list);
  list.forEach((s, i) => map.set(ids[i] as string, s));
  return map;
}

/** Adds the interval's delta to the previous total; a stream seen for the first time starts at its counter. */
function total(
  cur: number | undefined,
  prev: number | undefined,
  restarted: boolean,
  hasPrev: boolean,
  prevTotal: number | undefined,
): number | undefined {
  if (cur === undefined) return prevTotal;
  if (!hasPrev) return cur;
  return (prevTotal ?? prev ?? 0) + (delta(cur, prev, restarted) ?? 0);
}

/**
 * What a stream's first frame is timed from. A stream offered while the participant was still
 * connecting counts from its join (the wait for signaling and ICE is part of the experience); one
 * offered after it had connected (someone joined or published later) counts from its arrival,
 * so that an early joiner's figure does not include the time until the others came.
 */
export function firstFrameBaseMs(
  s: Pick<RawInboundRtp, 'trackMs'>,
  joinBaseMs: number | undefined,
  firstConnectedMs: number | undefined,
): number | undefined {
  if (s.trackMs !== undefined && firstConnectedMs !== undefined && s.trackMs > firstConnectedMs) return s.trackMs;
  return joinBaseMs;
}

function inboundValues(
  s: RawInboundRtp,
  p: RawInboundRtp | undefined,
  dtMs: IntervalMs,
  prevValues: MetricValues | undefined,
  joinBaseMs: number | undefined,
): MetricValues {
  const v: MetricValues = {};
  const restarted = p !== undefined && (p.ssrc !== s.ssrc || wentDown(s.bytesReceived, p.bytesReceived) || wentDown(s.packetsReceived, p.packetsReceived));
  const video = s.kind === 'video';
  set(v, 'recv_jitter_ms', s.jitter === undefined ? undefined : s.jitter * 1000);
  if (video) {
    set(v, 'video_recv_width_px', s.frameWidth);
    set(v, 'video_recv_height_px', s.frameHeight);
    const hasPrev = p !== undefined;
    set(v, 'video_freeze_count_total', total(s.freezeCount, p?.freezeCount, restarted, hasPrev, prevValues?.video_freeze_count_total));
    set(v, 'video_freeze_seconds_total', total(s.totalFreezesDuration, p?.totalFreezesDuration, restarted, hasPrev, prevValues?.video_freeze_seconds_total));
    // A freeze's length is added when it ends, so each new freeze's length is in this interval's delta.
    const base = p && !restarted ? p : undefined; // counters start from 0 on a new stream
    const freezes = base ? d0(s.freezeCount, base.freezeCount) : s.freezeCount;
    const frozenSeconds = base ? d0(s.totalFreezesDuration, base.totalFreezesDuration) : s.totalFreezesDuration;
    const longestMs = freezes !== undefined && freezes > 0 && frozenSeconds !== undefined ? (frozenSeconds / freezes) * 1000 : 0;
    if (s.freezeCount !== undefined) v.video_freeze_max_ms = Math.max(prevValues?.video_freeze_max_ms ?? 0, longestMs);
    if (s.firstFrameMs !== undefined && p?.firstFrameMs === undefined && joinBaseMs !== undefined) {
      const ms = s.firstFrameMs - joinBaseMs;
      if (ms >= 0) v.join_to_first_frame_ms = ms; // A join mark after the frame would be a page bug.
    }
    if (s.stamped) Object.assign(v, stampedValues(s.stamped, p?.stamped, prevValues));
  } else if (s.stampedAudio) {
    Object.assign(v, stampedAudioValues(s.stampedAudio, p?.stampedAudio));
  }
  if (!p || dtMs === undefined) return v;

  const d = (cur: number | undefined, prev: number | undefined): number | undefined => delta(cur, prev, restarted);
  set(v, video ? 'video_recv_bitrate_kbps' : 'audio_recv_bitrate_kbps', kbps(d(s.bytesReceived, p.bytesReceived), dtMs));
  const received = d(s.packetsReceived, p.packetsReceived);
  const lost =
    s.packetsLost === undefined ? undefined : Math.max(0, restarted ? s.packetsLost : s.packetsLost - (p.packetsLost ?? 0));
  if (received !== undefined && lost !== undefined && received + lost > 0) {
    v.recv_loss_percent = (lost / (received + lost)) * 100;
  }
  const emitted = d(s.jitterBufferEmittedCount, p.jitterBufferEmittedCount);
  const jbDelay = d(s.jitterBufferDelay, p.jitterBufferDelay);
  if (emitted !== undefined && emitted > 0 && jbDelay !== undefined) {
    v.recv_jitter_buffer_delay_ms = (jbDelay / emitted) * 1000;
  }
  if (video) {
    set(v, 'video_recv_fps', perSecond(d(s.framesDecoded, p.framesDecoded), dtMs));
    set(v, 'video_recv_frames_dropped_per_second', perSecond(d(s.framesDropped, p.framesDropped), dtMs));
    set(v, 'video_recv_nacks_per_second', perSecond(d(s.nackCount, p.nackCount), dtMs));
    set(v, 'video_recv_plis_per_second', perSecond(d(s.pliCount, p.pliCount), dtMs));
    set(v, 'video_recv_firs_per_second', perSecond(d(s.firCount, p.firCount), dtMs));
  } else {
    const samples = d(s.totalSamplesReceived, p.totalSamplesReceived);
    const concealed = d(s.concealedSamples, p.concealedSamples);
    if (samples !== undefined && samples > 0 && concealed !== undefined) {
      v.audio_concealment_percent = clampPercent((concealed / samples) * 100);
    }
  }
  return v;
}

const LIMITATIONS = [
  ['bandwidth', 'video_send_quality_limited_bandwidth_percent'],
  ['cpu', 'video_send_quality_limited_cpu_percent'],
  ['other', 'video_send_quality_limited_other_percent'],
] as const;

function outboundValues(
  s: RawOutboundRtp,
  p: RawOutboundRtp | undefined,
  dtMs: IntervalMs,
  remote: RawRemoteInboundRtp | undefined,
): MetricValues {
  const v: MetricValues = {};
  const restarted = p !== undefined && (p.ssrc !== s.ssrc || wentDown(s.bytesSent, p.bytesSent) || wentDown(s.packetsSent, p.packetsSent));
  const video = s.kind === 'video';
  if (video) {
    set(v, 'video_send_width_px', s.frameWidth);
    set(v, 'video_send_height_px', s.frameHeight);
    set(v, 'video_send_target_bitrate_kbps', s.targetBitrate === undefined ? undefined : s.targetBitrate / 1000);
  }
  if (remote) {
    set(v, 'rtcp_rtt_ms', remote.roundTripTime === undefined ? undefined : remote.roundTripTime * 1000);
    set(v, 'send_loss_percent', remote.fractionLost === undefined ? undefined : remote.fractionLost * 100);
  }
  if (!p || dtMs === undefined) return v;

  const d = (cur: number | undefined, prev: number | undefined): number | undefined => delta(cur, prev, restarted);
  set(v, video ? 'video_send_bitrate_kbps' : 'audio_send_bitrate_kbps', kbps(d(s.bytesSent, p.bytesSent), dtMs));
  if (!video) return v;
  const frames = s.framesSent !== undefined ? d(s.framesSent, p.framesSent) : d(s.framesEncoded, p.framesEncoded);
  set(v, 'video_send_fps', perSecond(frames, dtMs));
  set(v, 'video_send_retransmit_bitrate_kbps', kbps(d(s.retransmittedBytesSent, p.retransmittedBytesSent), dtMs));
  set(v, 'video_send_nacks_per_second', perSecond(d(s.nackCount, p.nackCount), dtMs));
  set(v, 'video_send_plis_per_second', perSecond(d(s.pliCount, p.pliCount), dtMs));
  set(v, 'video_send_firs_per_second', perSecond(d(s.firCount, p.firCount), dtMs));
  const cur = s.qualityLimitationDurations;
  if (cur) {
    for (const [reason, metric] of LIMITATIONS) {
      const secs = d(cur[reason], p.qualityLimitationDurations?.[reason]);
      if (secs !== undefined) v[metric] = clampPercent((secs * 100_000) / dtMs);
    }
  }
  return v;
}

function isOpen(pc: RawPeerConnection): boolean {
  return pc.closedMs === undefined && pc.connectionState !== 'closed';
}

function pairInfo(pc: RawPeerConnection): PairInfo | undefined {
  const pair = pc.pair;
  if (!pair) return undefined;
  const addr = (c: { address?: string; port?: number }): string | undefined =>
    c.address === undefined ? undefined : c.port === undefined ? c.address : `${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}`;
  const info: PairInfo = { pc: pc.id };
  if (pair.local.type) info.localType = pair.local.type;
  if (pair.remote.type) info.remoteType = pair.remote.type;
  if (pair.local.protocol) info.protocol = pair.local.protocol;
  if (pair.local.relayProtocol) info.relayProtocol = pair.local.relayProtocol;
  const local = addr(pair.local);
  const remote = addr(pair.remote);
  if (local) info.localAddress = local;
  if (remote) info.remoteAddress = remote;
  if (pair.bytesSent !== undefined) info.bytesSent = pair.bytesSent;
  if (pair.bytesReceived !== undefined) info.bytesReceived = pair.bytesReceived;
  return info;
}

function earliest(values: Array<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const x of values) if (x !== undefined) min = Math.min(min ?? x, x);
  return min;
}

function sum(values: Array<number | undefined>): number | undefined {
  let acc: number | undefined;
  for (const x of values) if (x !== undefined) acc = (acc ?? 0) + x;
  return acc;
}

/** Derives the sample of `cur`; `prev` is the snapshot before it from the same page, if any. */
export function deriveSample(prev: RawSnapshot | undefined, cur: RawSnapshot, ctx: DeriveContext): Sample {
  if (cur.v !== RAW_SNAPSHOT_VERSION) {
    throw new Error(
      `stats snapshot version ${String(cur.v)} from the page, expected ${RAW_SNAPSHOT_VERSION}: install the agent of this harness (buildAgentScript()) in the page`,
    );
  }
  // A new document (navigation, reload) has a new agent: nothing carries over from the old one.
  const sameAgent = prev !== undefined && prev.agentId === cur.agentId;
  const before = sameAgent ? prev : undefined;
  const previous = sameAgent ? ctx.previous : undefined;
  const prevPcs = new Map((before?.pcs ?? []).map((pc) => [pc.id, pc]));
  const prevStreamValues = new Map((previous?.streams ?? []).map((s) => [s.id, s.values]));
  const joinBaseMs = cur.marks.join ?? cur.firstPcCreatedMs;
  // After a leave and a new join on the same page, the new connections' first frames count from
  // the latest join, and their "connected" is their own.
  const rejoinMs = cur.latestMarks?.join;
  const rejoinConnectedMs =
    rejoinMs === undefined ? undefined : earliest(cur.pcs.filter((pc) => pc.createdMs >= rejoinMs).map((pc) => pc.connectedMs));

  const streams: StreamSample[] = [];
  const pairs: PairInfo[] = [];
  let open = 0;
  let connectedOpen = 0;
  let broken = 0;
  let rttMs: number | undefined;
  let availableBps: number | undefined;
  let transceivers: number | undefined;
  let mlines: number | undefined;
  for (const pc of cur.pcs) {
    const ppc = prevPcs.get(pc.id);
    const dt = ppc ? pc.statsMs - ppc.statsMs : 0;
    const dtMs: IntervalMs = dt > 0 ? dt : undefined;

    const prevIn = byId(pc.id, 'in', ppc?.inbound);
    const rejoined = rejoinMs !== undefined && pc.createdMs >= rejoinMs;
    byId(pc.id, 'in', pc.inbound).forEach((s, id) => {
      const base = rejoined ? firstFrameBaseMs(s, rejoinMs, rejoinConnectedMs) : firstFrameBaseMs(s, joinBaseMs, cur.firstConnectedMs);
      const values = inboundValues(s, prevIn.get(id), dtMs, prevStreamValues.get(id), base);
      if (rejoined && base === rejoinMs && values.join_to_first_frame_ms !== undefined) {
        values.rejoin_to_first_frame_ms = values.join_to_first_frame_ms;
        delete values.join_to_first_frame_ms;
      }
      const meta = { ssrc: s.ssrc, mid: s.mid, trackIdentifier: s.trackIdentifier, decoderImplementation: s.decoderImplementation, stampSender: s.stamped?.sender ?? s.stampedAudio?.sender };
      const stream: StreamSample = { id, kind: s.kind, direction: 'in', values, meta: compact(meta) };
      const sender = s.stamped?.sender ?? s.stampedAudio?.sender;
      const from = sender === undefined ? undefined : ctx.stampSenders?.get(sender);
      if (from !== undefined) stream.from = from;
      streams.push(stream);
    });
    const prevOut = byId(pc.id, 'out', ppc?.outbound);
    const remote = new Map(pc.remoteInbound.map((r) => [r.ssrc, r]));
    byId(pc.id, 'out', pc.outbound).forEach((s, id) => {
      const values = outboundValues(s, prevOut.get(id), dtMs, remote.get(s.ssrc));
      const meta = {
        ssrc: s.ssrc,
        mid: s.mid,
        encoderImplementation: s.encoderImplementation,
        qualityLimitationReason: s.qualityLimitationReason,
        scalabilityMode: s.scalabilityMode,
        active: s.active,
        send: s.send,
      };
      const stream: StreamSample = { id, kind: s.kind, direction: 'out', values, meta: compact(meta) };
      if (s.rid) stream.rid = s.rid;
      streams.push(stream);
    });

    if (!isOpen(pc)) continue;
    open++;
    if (pc.connectionState === 'connected') connectedOpen++;
    if (pc.connectionState === 'failed' || pc.connectionState === 'disconnected') broken++;
    if (pc.transceivers !== undefined) transceivers = Math.max(transceivers ?? 0, pc.transceivers);
    if (pc.mlines !== undefined) mlines = Math.max(mlines ?? 0, pc.mlines);
    const info = pairInfo(pc);
    if (info) pairs.push(info);
    const rtt = pc.pair?.currentRoundTripTime;
    if (rtt !== undefined) rttMs = Math.max(rttMs ?? 0, rtt * 1000);
    const aob = pc.pair?.availableOutgoingBitrate;
    if (aob !== undefined && pc.outbound.length > 0) availableBps = (availableBps ?? 0) + aob;
  }

  const layerChanges = deriveLayers(cur.call, streams, previous, cur.tMs);
  const values: MetricValues = {};
  set(values, 'video_send_active_layer_count', activeSendLayers(streams));
  const of = (dir: Direction, a: MetricName, b: MetricName) =>
    streams.filter((s) => s.direction === dir).map((s) => s.values[a] ?? s.values[b]);
  set(values, 'send_bitrate_kbps', sum(of('out', 'video_send_bitrate_kbps', 'audio_send_bitrate_kbps')));
  set(values, 'recv_bitrate_kbps', sum(of('in', 'video_recv_bitrate_kbps', 'audio_recv_bitrate_kbps')));
  set(values, 'rtt_ms', rttMs);
  set(values, 'available_outgoing_bitrate_kbps', availableBps === undefined ? undefined : availableBps / 1000);
  values.peer_connections = open;
  set(values, 'pc_transceiver_count', transceivers);
  set(values, 'sdp_mline_count', mlines);
  // A connection still 'new' does not count against it: mediasoup-client's receive transport
  // stays 'new' until there is something to receive.
  values.connected = connectedOpen > 0 && broken === 0 ? 1 : 0;
  if (cur.firstConnectedMs !== undefined && before?.firstConnectedMs === undefined && joinBaseMs !== undefined) {
    const ms = cur.firstConnectedMs - joinBaseMs;
    if (ms >= 0) values.time_to_connected_ms = ms;
  }
  const media = trackInboundMedia(before, cur, previous?.inboundMedia);
  set(values, 'media_interrupted', media.interrupted);
  set(values, 'media_interruption_seconds', media.endedSeconds);
  Object.assign(values, iceValues(pairs, cur, previous?.values));

  const sample: Sample = { t: cur.tMs, participant: ctx.participant, group: ctx.group, values, streams };
  if (ctx.browser) {
    sample.browser = ctx.browser;
    dropUnavailable(sample, ctx.browser);
  }
  if (before) sample.intervalMs = cur.tMs - before.tMs;
  if (pairs.length > 0) sample.pairs = pairs;
  if (layerChanges.length > 0) sample.layerChanges = layerChanges;
  if (media.state) sample.inboundMedia = media.state;
  if (cur.events.length > 0) {
    sample.events = cur.events.map((e) => ({ t: e.tMs, pc: e.pc, type: e.type, state: e.state }));
  }
  if (cur.call?.events?.length) {
    sample.callEvents = cur.call.events.map(({ tMs, ...rest }) => ({ t: tMs, ...rest }));
  }
  if (cur.candidateErrors?.length) {
    sample.candidateErrors = cur.candidateErrors.map((e) => ({ t: e.tMs, pc: e.pc, url: e.url, errorCode: e.errorCode, errorText: e.errorText }));
  }
  return sample;
}

/**
 * Removes what `browser` cannot measure, should a browser ever report such a field as a
 * placeholder: a metric it cannot give is absent, never a made-up figure.
 */
function dropUnavailable(sample: Sample, browser: BrowserName): void {
  for (const metric of unavailableMetrics(browser)) {
    delete sample.values[metric];
    for (const s of sample.streams) delete s.values[metric];
  }
}

/** Drops undefined fields so samples.jsonl lines stay short. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
