// Reduces one RTCStatsReport (its values, as plain objects) to the compact fields of
// RawPeerConnection. Runs in the page once per connection per collect, so it is one pass over the
// report and a few lookups: no sorting, no allocation beyond the result. Pure: unit-tested in Node.
import type {
  MediaKind,
  RawCandidate,
  RawCandidatePair,
  RawInboundRtp,
  RawOutboundRtp,
  RawRemoteInboundRtp,
} from '../stats/raw.ts';

/** One entry of an RTCStatsReport. */
export type StatsEntry = { id: string; type: string; timestamp?: number; [field: string]: unknown };

export interface ReducedStats {
  /** Timestamp of the report's local entries, unix ms (undefined for an empty report). */
  statsMs: number | undefined;
  inbound: RawInboundRtp[];
  outbound: RawOutboundRtp[];
  remoteInbound: RawRemoteInboundRtp[];
  pair: RawCandidatePair | undefined;
}

function num(s: StatsEntry, field: string): number | undefined {
  const v = s[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(s: StatsEntry, field: string): string | undefined {
  const v = s[field];
  return typeof v === 'string' ? v : undefined;
}

function kindOf(s: StatsEntry): MediaKind | undefined {
  const k = s.kind ?? s.mediaType;
  return k === 'audio' || k === 'video' ? k : undefined;
}

function inbound(s: StatsEntry, kind: MediaKind, ssrc: number): RawInboundRtp {
  const r: RawInboundRtp = {
    kind,
    ssrc,
    mid: str(s, 'mid'),
    trackIdentifier: str(s, 'trackIdentifier'),
    bytesReceived: num(s, 'bytesReceived'),
    packetsReceived: num(s, 'packetsReceived'),
    packetsLost: num(s, 'packetsLost'),
    lastPacketReceivedTimestamp: num(s, 'lastPacketReceivedTimestamp'),
    jitter: num(s, 'jitter'),
    jitterBufferDelay: num(s, 'jitterBufferDelay'),
    jitterBufferEmittedCount: num(s, 'jitterBufferEmittedCount'),
    nackCount: num(s, 'nackCount'),
  };
  if (kind === 'video') {
    r.framesDecoded = num(s, 'framesDecoded');
    r.framesReceived = num(s, 'framesReceived');
    r.framesDropped = num(s, 'framesDropped');
    r.frameWidth = num(s, 'frameWidth');
    r.frameHeight = num(s, 'frameHeight');
    r.freezeCount = num(s, 'freezeCount');
    r.totalFreezesDuration = num(s, 'totalFreezesDuration');
    r.totalFramesDuration = num(s, 'totalFramesDuration');
    r.pliCount = num(s, 'pliCount');
    r.firCount = num(s, 'firCount');
    r.qpSum = num(s, 'qpSum');
    r.decoderImplementation = str(s, 'decoderImplementation');
    // totalInterFrameDelay spans first to last decoded frame, so the first frame was that long
    // before the report (give or take one frame): no per-frame callback needed to time it.
    const ts = num(s, 'timestamp');
    const interFrame = num(s, 'totalInterFrameDelay');
    if ((r.framesDecoded ?? 0) > 0 && ts !== undefined) r.firstFrameMs = ts - (interFrame ?? 0) * 1000;
  } else {
    r.concealedSamples = num(s, 'concealedSamples');
    r.totalSamplesReceived = num(s, 'totalSamplesReceived');
  }
  return r;
}

function outbound(s: StatsEntry, kind: MediaKind, ssrc: number): RawOutboundRtp {
  const r: RawOutboundRtp = {
    kind,
    ssrc,
    rid: str(s, 'rid'),
    mid: str(s, 'mid'),
    bytesSent: num(s, 'bytesSent'),
    packetsSent: num(s, 'packetsSent'),
    retransmittedBytesSent: num(s, 'retransmittedBytesSent'),
    nackCount: num(s, 'nackCount'),
    targetBitrate: num(s, 'targetBitrate'),
    active: typeof s.active === 'boolean' ? s.active : undefined,
  };
  if (kind === 'video') {
    r.framesEncoded = num(s, 'framesEncoded');
    r.framesSent = num(s, 'framesSent');
    r.frameWidth = num(s, 'frameWidth');
    r.frameHeight = num(s, 'frameHeight');
    r.qualityLimitationReason = str(s, 'qualityLimitationReason');
    const d = s.qualityLimitationDurations;
    if (d && typeof d === 'object') r.qualityLimitationDurations = { ...(d as Record<string, number>) };
    r.pliCount = num(s, 'pliCount');
    r.firCount = num(s, 'firCount');
    r.encoderImplementation = str(s, 'encoderImplementation');
    r.scalabilityMode = str(s, 'scalabilityMode');
  }
  return r;
}

function candidate(s: StatsEntry | undefined): RawCandidate {
  if (!s) return {};
  return {
    type: str(s, 'candidateType'),
    protocol: str(s, 'protocol'),
    relayProtocol: str(s, 'relayProtocol'),
    address: str(s, 'address') ?? str(s, 'ip'),
    port: num(s, 'port'),
  };
}

/** The mid mediasoup-client gives its probator m-line (see its RemoteSdp / handler code). */
export const MEDIASOUP_PROBATOR_MID = 'probator';

/** Reduces the values of one RTCStatsReport. */
export function reduceStats(entries: Iterable<StatsEntry>): ReducedStats {
  const out: ReducedStats = { statsMs: undefined, inbound: [], outbound: [], remoteInbound: [], pair: undefined };
  // Only ICE entries are looked up by id; the RTP entries are reduced as they come.
  const ice = new Map<string, StatsEntry>();
  let selectedPairId: string | undefined;
  let fallbackPair: StatsEntry | undefined;
  for (const s of entries) {
    switch (s.type) {
      case 'inbound-rtp':
      case 'outbound-rtp':
      case 'remote-inbound-rtp': {
        const kind = kindOf(s);
        const ssrc = num(s, 'ssrc');
        if (!kind || ssrc === undefined) break;
        if (s.type === 'inbound-rtp') {
          // mediasoup-client's bandwidth probator: a receive-only m-line the SFU fills with padding
          // to probe bandwidth. It never carries a frame, so counting it would add a 0 fps stream.
          if (s.mid === MEDIASOUP_PROBATOR_MID) break;
          out.inbound.push(inbound(s, kind, ssrc));
        }
        else if (s.type === 'outbound-rtp') out.outbound.push(outbound(s, kind, ssrc));
        else {
          out.remoteInbound.push({
            kind,
            ssrc,
            roundTripTime: num(s, 'roundTripTime'),
            fractionLost: num(s, 'fractionLost'),
            packetsLost: num(s, 'packetsLost'),
          });
        }
        break;
      }
      case 'transport':
        selectedPairId ??= str(s, 'selectedCandidatePairId');
        break;
      case 'candidate-pair':
        ice.set(s.id, s);
        // Browsers without transport.selectedCandidatePairId flag the pair itself.
        if (s.selected === true || (s.nominated === true && s.state === 'succeeded' && !fallbackPair)) {
          fallbackPair = s;
        }
        break;
      case 'local-candidate':
      case 'remote-candidate':
        ice.set(s.id, s);
        break;
      default:
        break;
    }
    // Remote entries carry the time of the remote's RTCP report; the local ones share the report time.
    if (out.statsMs === undefined && s.type !== 'remote-inbound-rtp' && s.type !== 'remote-outbound-rtp') {
      out.statsMs = num(s, 'timestamp');
    }
  }
  const pair = (selectedPairId !== undefined ? ice.get(selectedPairId) : undefined) ?? fallbackPair;
  if (pair) {
    out.pair = {
      currentRoundTripTime: num(pair, 'currentRoundTripTime'),
      availableOutgoingBitrate: num(pair, 'availableOutgoingBitrate'),
      bytesSent: num(pair, 'bytesSent'),
      bytesReceived: num(pair, 'bytesReceived'),
      local: candidate(ice.get(str(pair, 'localCandidateId') ?? '')),
      remote: candidate(ice.get(str(pair, 'remoteCandidateId') ?? '')),
    };
  }
  return out;
}
