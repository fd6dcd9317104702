// What the in-page agent returns from `window.__rtcHarnessAgent.collect()`: getStats() of every peer
// connection, reduced to the fields the harness derives metrics from. Shared by the page
// (harness/src/browser/agent.ts) and Node (derive.ts), so it holds no DOM types: plain JSON only.
//
// Units are the W3C webrtc-stats ones, unconverted (seconds for RTT, jitter and durations, bits
// per second for bitrates), so the page does no arithmetic; derive.ts converts once. Times are
// unix epoch milliseconds (`performance.timeOrigin + performance.now()` in the page, the same
// clock as stats' `timestamp`). A field the browser did not report is absent, never 0.

/** Bumped when a field changes meaning; derive.ts refuses snapshots of another version. */
export const RAW_SNAPSHOT_VERSION = 1;

export interface RawSnapshot {
  v: typeof RAW_SNAPSHOT_VERSION;
  /** Random id of the agent instance: a new document (navigation, reload) gets a new one. */
  agentId: string;
  /** When the snapshot was taken (after every getStats() resolved), unix ms. */
  tMs: number;
  /** When the first RTCPeerConnection of this document was created, unix ms. */
  firstPcCreatedMs?: number;
  /** When a peer connection of this document first reached connectionState 'connected', unix ms. */
  firstConnectedMs?: number;
  /**
   * Named moments the page or the harness marked with `__rtcHarnessAgent.mark(name)`, unix ms; the
   * first mark of a name wins. `join` is the one derive.ts uses (time to first frame).
   */
  marks: Record<string, number>;
  /**
   * The latest time of each name marked more than once, unix ms (a participant that left and
   * joined again: its latest `join`). Absent when no name was marked twice.
   */
  latestMarks?: Record<string, number>;
  pcs: RawPeerConnection[];
  /** Connection and ICE state changes since the previous collect() call, oldest first. */
  events: RawStateEvent[];
  /**
   * ICE candidate errors (`icecandidateerror`: a TURN or STUN server refused or could not be
   * reached) since the previous collect() call, oldest first; absent when there were none.
   */
  candidateErrors?: RawCandidateError[];
  /**
   * The call page's own view, read through its control surface (window.rtcHarness: state() and
   * drainEvents()); absent on a page without one, which then has no layer metrics.
   */
  call?: RawCallState;
}

export interface RawCandidateError {
  tMs: number;
  pc: string;
  /** The ICE server URL as the connection used it (after any rewrite), e.g. 'turn:127.0.0.1:3478?transport=tcp'. */
  url: string;
  /** STUN error code (401 unauthorized, 486 allocation quota reached) or 700-799 (could not reach the server). */
  errorCode: number;
  errorText: string;
}

export interface RawStateEvent {
  tMs: number;
  /** Id of the peer connection, as in RawPeerConnection.id. */
  pc: string;
  /**
   * 'connection' / 'ice': connectionState / iceConnectionState changed to `state`.
   * 'iceRestart': state 'started' when the connection's local description got new ICE
   * credentials (a new ufrag: an ICE restart, by the page or the remote side), 'completed' when
   * its transport selected a candidate pair on them.
   */
  type: 'connection' | 'ice' | 'iceRestart';
  state: string;
}

export interface RawPeerConnection {
  /** 'pc0', 'pc1'... in creation order within the document. */
  id: string;
  createdMs: number;
  /** First time connectionState was 'connected', unix ms. */
  connectedMs?: number;
  /** Set once close() was called; this snapshot then carries the final stats and is the last. */
  closedMs?: number;
  connectionState: string;
  iceConnectionState: string;
  /** TURN URLs in the connection's configuration; absent or 0 without TURN servers. */
  turnUrls?: number;
  /** getTransceivers().length: grows when a page adds tracks without ever reusing or removing them. */
  transceivers?: number;
  /** m-lines (m= sections) of the current remote description (else the pending one); absent before any. */
  mlines?: number;
  /** Timestamp of the stats report, unix ms: rates divide by differences of this. */
  statsMs: number;
  inbound: RawInboundRtp[];
  outbound: RawOutboundRtp[];
  remoteInbound: RawRemoteInboundRtp[];
  pair?: RawCandidatePair;
}

export type MediaKind = 'audio' | 'video';

export interface RawInboundRtp {
  kind: MediaKind;
  ssrc: number;
  mid?: string;
  trackIdentifier?: string;
  bytesReceived?: number;
  packetsReceived?: number;
  /** Can go down (late packets arrive after being counted lost): RTCP's cumulative loss. */
  packetsLost?: number;
  /**
   * When the latest packet of this stream arrived, unix ms (the same clock as the report's
   * timestamp in Chromium): times the last packet before a gap in inbound media exactly.
   */
  lastPacketReceivedTimestamp?: number;
  /** Seconds. */
  jitter?: number;
  framesDecoded?: number;
  framesReceived?: number;
  framesDropped?: number;
  frameWidth?: number;
  frameHeight?: number;
  freezeCount?: number;
  /** Seconds. */
  totalFreezesDuration?: number;
  /** Seconds; not implemented by every browser. */
  totalFramesDuration?: number;
  /** Seconds, summed over emitted frames (video) or samples (audio). */
  jitterBufferDelay?: number;
  jitterBufferEmittedCount?: number;
  concealedSamples?: number;
  totalSamplesReceived?: number;
  nackCount?: number;
  pliCount?: number;
  firCount?: number;
  qpSum?: number;
  decoderImplementation?: string;
  /**
   * 'count': the receiver's frames reached the decoder as stand-ins (browser/stand-in-worker.ts):
   * frame counts, freezes and keyframe requests are real, and the decoded size, QP and decoder
   * are not measured (absent). Absent: decoded as sent.
   */
  receive?: 'count';
  /**
   * Estimated time of the first decoded frame (video), unix ms, recorded by the agent the first
   * time it saw framesDecoded > 0: the report time minus totalInterFrameDelay, so its error is
   * about one frame interval, not one collect interval.
   */
  firstFrameMs?: number;
  /**
   * When the page was given this stream's track (the connection's `track` event for its mid), unix
   * ms: the earliest its first frame could be decoded.
   */
  trackMs?: number;
  /**
   * What the agent read off the stream's rendered frames when their sender is a stamped source
   * (browser/stamp-reader.ts); absent when it does not read this stream, or gave up on it (its
   * frames carry no code).
   */
  stamped?: RawStampedFrames;
  /**
   * What the agent heard of the stream's coded tone bursts when its sender is a stamped
   * microphone (browser/tone-reader.ts); absent when it does not listen to this stream, or heard
   * no burst.
   */
  stampedAudio?: RawStampedAudio;
}

/**
 * Running totals over the coded tone bursts (browser/tone-code.ts) heard on one remote audio
 * track. Delays are on the run's reference clock, as the video's are.
 */
export interface RawStampedAudio {
  /** The sender's number in the run, from the latest burst read. */
  sender?: number;
  /** Bursts whose onset was heard and whose tones were read. */
  bursts: number;
  /** Onsets heard whose tones could not be read. */
  unreadable: number;
  /** Sum over bursts read of onset minus the whole second it was sent on, ms. */
  delaySumMs: number;
  /** The longest delay of a burst read since the previous collect, ms; absent when none was. */
  delayMaxMs?: number;
}

/**
 * Running totals over the frames of one remote video track that the page rendered, as read from
 * their block code (browser/stamp-code.ts). Times are on the run's reference clock (the page's
 * unix ms plus its machine's offset), so sender and receiver agree across machines.
 */
export interface RawStampedFrames {
  /** The sender's number in the run, from the latest frame read. */
  sender?: number;
  /** Frames rendered (requestVideoFrameCallback calls). */
  framesRendered: number;
  /** Frames whose code was read (the others were damaged or had none). */
  framesRead: number;
  /** Sum over frames read of expected display time minus capture time, ms. */
  latencySumMs: number;
  /** The longest latency of a frame read since the previous collect, ms; absent when none was read. */
  latencyMaxMs?: number;
  /** Frames the sender captured that were never rendered (gaps in frame numbers between frames read). */
  framesSkipped: number;
  /** Frames read again with the same frame number as the one before. */
  framesRepeated: number;
  /**
   * Gaps between rendered frames of at least max(3x, +150 ms) the recent mean frame interval (the
   * freeze rule of libwebrtc, applied to frames actually shown).
   */
  freezeCount: number;
  /** Sum of those gaps, ms. */
  freezeSumMs: number;
  /** The longest of them, ms; 0 before the first. */
  freezeMaxMs: number;
  /**
   * The same latency computed from the browser's own capture time of each frame (the
   * requestVideoFrameCallback `captureTime`: abs-capture-time or RTCP sender reports), over the
   * frames read that had one: sum and count. Absent when the browser gave none.
   */
  captureTimeLatencySumMs?: number;
  captureTimeLatencyCount?: number;
  /**
   * Peak signal-to-noise ratio of a known region of the picture against the frame the sender drew,
   * dB, summed over the frames it was measured on, and their count; absent when not measured.
   */
  psnrSumDb?: number;
  psnrCount?: number;
}

export interface RawOutboundRtp {
  kind: MediaKind;
  ssrc: number;
  rid?: string;
  mid?: string;
  bytesSent?: number;
  packetsSent?: number;
  retransmittedBytesSent?: number;
  framesEncoded?: number;
  framesSent?: number;
  frameWidth?: number;
  frameHeight?: number;
  qualityLimitationReason?: string;
  /** Seconds spent in each reason since the stream started: { none, cpu, bandwidth, other }. */
  qualityLimitationDurations?: Record<string, number>;
  nackCount?: number;
  pliCount?: number;
  firCount?: number;
  /** Bits per second. */
  targetBitrate?: number;
  encoderImplementation?: string;
  active?: boolean;
  scalabilityMode?: string;
  /**
   * 'replay': the stream's frames are a pre-encoded clip put in place of the encoder's output
   * (browser/replay.ts); the encoder's own figures (frame size, encoder, quality limitation,
   * target bitrate) are the stand-in's and are absent. Absent: encoded as captured.
   */
  send?: 'replay';
}

/** The remote receiver's RTCP report about one of our outbound streams (same ssrc). */
export interface RawRemoteInboundRtp {
  kind: MediaKind;
  ssrc: number;
  /** Seconds. */
  roundTripTime?: number;
  /** 0..1, over the remote's last report interval. */
  fractionLost?: number;
  packetsLost?: number;
}

export interface RawCandidate {
  /** 'host' | 'srflx' | 'prflx' | 'relay' */
  type?: string;
  /** 'udp' | 'tcp' */
  protocol?: string;
  /** Local relay candidates only: how we reach the TURN server, 'udp' | 'tcp' | 'tls'. */
  relayProtocol?: string;
  address?: string;
  port?: number;
}

/** The selected ICE candidate pair of the connection's transport. */
export interface RawCandidatePair {
  /** Seconds (STUN consent checks). */
  currentRoundTripTime?: number;
  /** Bits per second: the sender's bandwidth estimate. */
  availableOutgoingBitrate?: number;
  bytesSent?: number;
  bytesReceived?: number;
  local: RawCandidate;
  remote: RawCandidate;
}

/** What the call page says about its consumers (browser/call.ts reads it). */
export interface RawCallState {
  consumers: RawConsumer[];
  /** The SFU's layer changes since the previous collect, oldest first (the page's layersChanged events). */
  layerEvents: RawLayerEvent[];
  /**
   * The page's call events since the previous collect that time what the others' actions did here
   * (a consumer added, its first frame, removed, paused, resized; peers joining and leaving) and
   * what this page did (joined, left), oldest first. Absent when there were none.
   */
  events?: RawCallEvent[];
}

/** The call events forwarded to the harness (see sfu/client/src/api.ts CallEvent). */
export type RawCallEventType =
  | 'joined'
  | 'left'
  | 'peerJoined'
  | 'peerLeft'
  | 'consumerAdded'
  | 'consumerRemoved'
  | 'consumerPaused'
  | 'consumerResumed'
  | 'firstFrame'
  | 'videoResized'
  | 'produced'
  | 'producerClosed'
  | 'trackReplaced';

/** One call event, the fields its type has; times are the page's Date.now(). */
export interface RawCallEvent {
  tMs: number;
  type: RawCallEventType;
  /** The page's own peer id (joined), or the peer that joined or left (peerJoined, peerLeft). */
  peerId?: string;
  consumerId?: string;
  /** The peer whose producer a consumer carries. */
  producerPeerId?: string;
  producerId?: string;
  /** 'mic' | 'camera' | 'screen' */
  source?: string;
  kind?: MediaKind;
  width?: number;
  height?: number;
}

/** One video consumer with simulcast or SVC layers. */
export interface RawConsumer {
  id: string;
  /** Id of its track: the `trackIdentifier` of its inbound-rtp stats. Absent if the page does not say. */
  trackId?: string;
  producerPeerId?: string;
  /** Layers the SFU forwards now; null: none (paused, or nothing reported yet). */
  spatialLayer: number | null;
  temporalLayer: number | null;
  /** Spatial layers the producer offers (simulcast encodings or SVC layers); absent if unknown. */
  offeredSpatialLayers?: number;
  /** The highest spatial layer the page asked for (setPreferredLayers); absent: never asked. */
  preferredSpatialLayer?: number;
}

export interface RawLayerEvent {
  /** Unix ms (the page's Date.now()). */
  tMs: number;
  consumerId: string;
  spatialLayer: number | null;
  temporalLayer: number | null;
}
