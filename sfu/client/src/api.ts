// The control surface the call page installs as `window.rtcHarness`. The harness drives the
// page through it (page.evaluate) and imports these types with `import type`; nothing here runs.
//
// Every method returns a Promise and rejects with an Error whose message names the call and what
// failed, e.g. "unpublish('screen'): no screen producer". Every value crossing it is plain JSON.
import type { ConsumerState, MediaKind, PeerInfo, ProducerSource } from '../../src/protocol.ts';

export type { ConsumerState, MediaKind, PeerInfo, ProducerSource };

export interface JoinOptions {
  /** The room to enter (created on first join). */
  room: string;
  /** Display name shown to the others. Default: the peer id the SFU picks. */
  name?: string;
  /** Ask for this peer id instead of letting the SFU choose one. Default: chosen by the SFU. */
  peerId?: string;
  /** Join token, required when the SFU runs with a token secret. Default: none. */
  token?: string;
}

/** One simulcast layer, lowest resolution first. */
export interface EncodingOptions {
  /** The layer's bitrate cap, kbit/s. */
  maxBitrateKbps: number;
  /** Divides the source's width and height, >= 1 (4 = quarter resolution). */
  scaleResolutionDownBy: number;
}

export interface VideoPublishOptions {
  /** Send simulcast layers (rid r0, r1, r2...). Default false (one encoding). */
  simulcast?: boolean;
  /** Camera width, px. Default 640. */
  width?: number;
  /** Camera height, px. Default 360. */
  height?: number;
  /** Camera frame rate, frames/s. Default 30. */
  fps?: number;
  /**
   * The layers when `simulcast` is true, lowest first. Default: scale 4/2/1 at 150/500/1500 kbit/s.
   * Without simulcast, only the first entry's maxBitrateKbps applies (default: no cap).
   */
  encodings?: EncodingOptions[];
  /**
   * The video codec. Default: the first one the browser and the SFU share (VP8 on the bundled SFU).
   * Publishing fails, naming the codecs available, when the browser or the SFU lacks it.
   */
  codec?: VideoCodecName;
  /**
   * With simulcast: the temporal layers of every layer, 'L1T1', 'L1T2' or 'L1T3'. Default 'L1T3'.
   * Without simulcast: the one encoding's mode, e.g. 'L3T3_KEY' for VP9 SVC (3 spatial and 3
   * temporal layers in one stream; spatial layers need codec 'vp9'). Default: none (no layers).
   */
  scalabilityMode?: string;
}

export type VideoCodecName = 'vp8' | 'vp9' | 'h264';

/** A new camera capture for switchCamera(); every field defaults to the current capture's. */
export interface CameraOptions {
  /** Capture width, px. Default: the current camera's. */
  width?: number;
  /** Capture height, px. Default: the current camera's. */
  height?: number;
  /** Capture frame rate, frames/s. Default: the current camera's. */
  fps?: number;
}

export interface PublishOptions {
  /** Publish the microphone. Default false. */
  audio?: boolean;
  /** Publish the camera: true for the defaults of VideoPublishOptions. Default false. */
  video?: boolean | VideoPublishOptions;
}

export interface ScreenShareOptions {
  /** Width of the synthetic screen, px. Default 1280. */
  width?: number;
  /** Height of the synthetic screen, px. Default 720. */
  height?: number;
  /** Frames drawn per second. Default 10 (screen content changes slowly). */
  fps?: number;
}

export interface PreferredLayersOptions {
  /** Only the consumers of this peer's producers. Default: every simulcast or SVC video consumer. */
  producerPeerId?: string;
  /** Highest spatial layer wanted, 0 = lowest resolution. */
  spatialLayer: number;
  /** Highest temporal layer wanted. Default: the highest available. */
  temporalLayer?: number;
}

export interface EncodingSnapshot {
  rid?: string;
  maxBitrate?: number;
  scaleResolutionDownBy?: number;
  scalabilityMode?: string;
}

export interface ProducerSnapshot {
  id: string;
  source: ProducerSource;
  kind: MediaKind;
  /** Muted: paused on the page and on the SFU. */
  paused: boolean;
  /** The encodings the page sends (rid r0.. lowest first); one entry without rid when not simulcast. */
  encodings: EncodingSnapshot[];
  /** The capture's actual settings (video only). */
  track: { width?: number; height?: number; frameRate?: number } | null;
}

export interface LayersSnapshot {
  spatialLayer: number | null;
  temporalLayer: number | null;
}

export interface ConsumerSnapshot {
  id: string;
  producerId: string;
  producerPeerId: string;
  source: ProducerSource;
  kind: MediaKind;
  /** 'simulcast' | 'svc' | 'simple', as the SFU reported it. */
  type: string;
  /** No media flows: the producer is paused (muted) or the SFU paused this consumer. */
  paused: boolean;
  /** Layers the SFU currently forwards (from consumerLayersChanged); null before the first report. */
  layers: LayersSnapshot | null;
  /** Id of the consumer's MediaStreamTrack: the `trackIdentifier` of its inbound-rtp stats. */
  trackId: string;
  /**
   * Spatial and temporal layers the producer offers (simulcast encodings, or SVC layers), from
   * the consumer's scalability mode; 1 and 1 for a stream without layers.
   */
  offeredLayers: { spatial: number; temporal: number };
  /** The layers last asked for with setPreferredLayers; null: never asked (the SFU's default, the highest). */
  preferredLayers: LayersSnapshot | null;
  /** The SFU's score of this stream 0-10 (from consumerScore); null before the first report. */
  score: number | null;
  /** Epoch ms when the first frame was rendered (video) or the element started playing (audio). */
  firstFrameAtMs: number | null;
}

export type ConnectionState = 'new' | 'connecting' | 'connected' | 'failed' | 'disconnected' | 'closed';

export interface CallState {
  joined: boolean;
  peerId: string | null;
  room: string | null;
  displayName: string | null;
  /** mediasoup-client's handler, e.g. 'Chrome111'; null before the first join. */
  handlerName: string | null;
  producers: ProducerSnapshot[];
  consumers: ConsumerSnapshot[];
  /** The transports' connection states; null when not created. */
  transports: { send: ConnectionState | null; recv: ConnectionState | null };
  /** The other peers in the room. */
  peers: PeerInfo[];
  activeSpeakerPeerId: string | null;
  lastError: { message: string; atMs: number } | null;
  /** Events dropped from the bounded log because nobody drained it in time. */
  droppedEvents: number;
}

/** Fields every event carries. `atMs` is Unix epoch ms (Date.now()) so the harness can align clocks. */
interface EventBase {
  atMs: number;
}

export type CallEvent = EventBase &
  (
    | { type: 'joined'; peerId: string; room: string; joinMs: number }
    | { type: 'left'; reason: string }
    | { type: 'peerJoined'; peerId: string; displayName: string }
    | { type: 'peerLeft'; peerId: string }
    | { type: 'produced'; producerId: string; source: ProducerSource; kind: MediaKind }
    | { type: 'producerClosed'; producerId: string; source: ProducerSource; reason: string }
    | { type: 'producerPaused' | 'producerResumed'; producerId: string; source: ProducerSource }
    | { type: 'trackReplaced'; producerId: string; source: ProducerSource; width?: number; height?: number }
    | { type: 'consumerAdded'; consumerId: string; producerPeerId: string; source: ProducerSource; kind: MediaKind }
    | { type: 'consumerRemoved'; consumerId: string; producerPeerId: string; reason: string }
    | { type: 'consumerPaused' | 'consumerResumed'; consumerId: string }
    | { type: 'firstFrame'; consumerId: string; producerPeerId: string; kind: MediaKind; width?: number; height?: number }
    /** A remote video's decoded size changed after its first frame (the sender switched camera or resolution). */
    | { type: 'videoResized'; consumerId: string; producerPeerId: string; width: number; height: number }
    | { type: 'layersChanged'; consumerId: string; spatialLayer: number | null; temporalLayer: number | null }
    | { type: 'connectionStateChanged'; direction: 'send' | 'recv'; state: ConnectionState }
    | { type: 'activeSpeaker'; peerId: string | null }
    | { type: 'error'; message: string }
  );

export type CallEventType = CallEvent['type'];

/** RTCStats entries as plain objects (an RTCStatsReport does not survive page.evaluate). */
export type StatsEntry = { id: string; type: string; timestamp: number } & Record<string, unknown>;

export interface RtcHarnessApi {
  /** Connects the signaling socket on first use, joins, creates both transports. */
  join(options: JoinOptions): Promise<{ peerId: string }>;
  /** Leaves the room and closes every producer, consumer and transport; the socket stays open. */
  leave(): Promise<void>;
  /** Captures (fake) camera and/or microphone and produces them. */
  publish(options: PublishOptions): Promise<ProducerSnapshot[]>;
  /** Closes the source's producer and stops its capture. */
  unpublish(source: ProducerSource): Promise<void>;
  /** Produces a synthetic screen (a canvas animation) as source 'screen'. */
  startScreenShare(options?: ScreenShareOptions): Promise<ProducerSnapshot>;
  stopScreenShare(): Promise<void>;
  /**
   * Captures the camera again (another device, resolution or frame rate) and swaps the camera
   * producer's track for it (replaceTrack: no renegotiation, the viewers keep their consumer).
   */
  switchCamera(options?: CameraOptions): Promise<ProducerSnapshot>;
  /** Pauses the source's producer on the page and on the SFU. */
  mute(source: ProducerSource): Promise<void>;
  unmute(source: ProducerSource): Promise<void>;
  /**
   * Asks the SFU for these layers on every matching simulcast/SVC video consumer (single-encoding
   * ones, such as screen shares, have no layers and are skipped); resolves with how many.
   */
  setPreferredLayers(options: PreferredLayersOptions): Promise<{ consumers: number }>;
  /** Restarts ICE on both transports (new ICE credentials from the SFU). */
  restartIce(): Promise<void>;
  /** A plain JSON snapshot of the call. */
  state(): Promise<CallState>;
  /** The bounded event log, oldest first (a copy; see drainEvents). */
  readonly events: readonly CallEvent[];
  /** Returns the logged events, oldest first, and empties the log. */
  drainEvents(): Promise<CallEvent[]>;
  /** The SFU's own view of this peer's consumers (type, current/preferred layers, score). */
  getConsumerState(): Promise<ConsumerState[]>;
  /** getStats() of both transports' peer connections, for debugging. */
  getStats(): Promise<{ send: StatsEntry[]; recv: StatsEntry[] }>;
}

declare global {
  interface Window {
    rtcHarness?: RtcHarnessApi;
  }
}
