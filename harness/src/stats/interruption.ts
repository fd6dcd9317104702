// Gaps in a participant's inbound media, found in the counters of its inbound RTP streams. Pure.
//
// A participant that has received a packet is "receiving". A gap is open at a sample when no
// inbound packet, on any stream of any open connection, has arrived for MIN_GAP_MS: that sample
// says media_interrupted 1. The first sample whose interval has packets again closes it and
// emits one media_interruption_seconds, from the last packet before the gap to the first after.
// Whatever stops the media counts (a network outage, an ICE restart, the only sender muting);
// a gap still open when the run ends emits nothing, media_interrupted shows it.
//
// Timing and its errors:
// - Start: the latest lastPacketReceivedTimestamp of the streams, exact. A browser that does not
//   report it gives the report time of the last interval with packets: up to one interval late.
// - End: no stat gives the first packet after a gap, so it is estimated from the audio packet
//   count. Opus sends a packet every OPUS_PACKET_MS, so n packets up to the last one put the
//   first (n − 1)·20 ms before it. Error: arrival jitter, and each packet lost after the gap
//   makes it read 20 ms longer (5% loss: ~+40 ms over a 1 s interval). Opus DTX (fewer packets
//   in silence) makes it read longer, a burst delivered at once (TCP holding packets through an
//   outage) shorter. With no audio the end is the start of the interval (up to one interval
//   short). The end is never put before the previous report, which saw no packet yet.
// - Detection: a sample must fall MIN_GAP_MS or more into the gap, so every gap longer than
//   MIN_GAP_MS plus one stats interval is seen, shorter ones only when a sample falls late
//   enough into them. Loss alone cannot open one: that takes MIN_GAP_MS without a single packet.
import type { RawPeerConnection, RawSnapshot } from './raw.ts';
import type { InboundMediaState } from './types.ts';

/** The shortest silence of all inbound media that counts as an interruption, ms. */
export const MIN_GAP_MS = 500;
/** Opus's packet time in WebRTC (Chromium and mediasoup-client default ptime), ms. */
export const OPUS_PACKET_MS = 20;

export interface InboundMediaResult {
  /** The state to carry to the next sample; undefined while the participant receives nothing. */
  state: InboundMediaState | undefined;
  /** 1 while a gap is open, 0 while media flows; undefined while the participant receives nothing. */
  interrupted?: 0 | 1;
  /** Length of the gap that ended in this interval, seconds. */
  endedSeconds?: number;
}

function isOpen(pc: RawPeerConnection): boolean {
  return pc.closedMs === undefined && pc.connectionState !== 'closed';
}

const max = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.max(a, b));
const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/**
 * `prev`: the previous snapshot of the same document (undefined for the first one);
 * `previous`: the state the previous sample carried.
 */
export function trackInboundMedia(
  prev: RawSnapshot | undefined,
  cur: RawSnapshot,
  previous: InboundMediaState | undefined,
): InboundMediaResult {
  const prevPcs = new Map((prev?.pcs ?? []).map((pc) => [pc.id, pc]));
  let streams = 0;
  let packets = 0;
  let lastMs = prev ? previous?.lastPacketMs : undefined;
  /** Estimated arrival of the first packet of the interval, per audio stream: the earliest. */
  let firstAudioMs: number | undefined;
  /** The earliest previous report among connections with new packets: where the interval began. */
  let intervalStartMs: number | undefined;

  for (const pc of cur.pcs) {
    if (!isOpen(pc)) continue;
    const ppc = prevPcs.get(pc.id);
    const before = new Map((ppc?.inbound ?? []).map((s) => [s.ssrc, s.packetsReceived]));
    for (const s of pc.inbound) {
      streams++;
      const total = s.packetsReceived;
      if (total === undefined || total === 0) continue;
      // A stream new since the previous snapshot, or restarted, received all its packets since.
      const was = before.get(s.ssrc);
      const n = prev === undefined ? 0 : was === undefined || total < was ? total : total - was;
      lastMs = max(lastMs, s.lastPacketReceivedTimestamp ?? (n > 0 || prev === undefined ? pc.statsMs : undefined));
      if (n === 0) continue;
      packets += n;
      const startMs = ppc?.statsMs;
      intervalStartMs = min(intervalStartMs, startMs);
      if (s.kind === 'audio') {
        const estimate = (s.lastPacketReceivedTimestamp ?? pc.statsMs) - (n - 1) * OPUS_PACKET_MS;
        firstAudioMs = min(firstAudioMs, startMs === undefined ? estimate : Math.max(estimate, startMs));
      }
    }
  }
  if (streams === 0 || lastMs === undefined) return { state: undefined };

  const result: InboundMediaResult = { state: { lastPacketMs: lastMs } };
  let sinceMs = prev ? previous?.interruptedSinceMs : undefined;
  if (sinceMs !== undefined && packets > 0) {
    const fallbackMs = intervalStartMs ?? prev?.tMs ?? sinceMs;
    const endMs = Math.min(cur.tMs, Math.max(sinceMs, firstAudioMs ?? fallbackMs));
    result.endedSeconds = (endMs - sinceMs) / 1000;
    sinceMs = undefined;
  }
  const open = prev !== undefined && cur.tMs - lastMs >= MIN_GAP_MS;
  if (open) result.state!.interruptedSinceMs = sinceMs ?? lastMs;
  result.interrupted = open ? 1 : 0;
  return result;
}
