// The signaling protocol between the SFU and a call page, as one set of types shared by both sides.
// Transport: JSON text frames over one WebSocket per peer.
//
//   page -> sfu   { kind: 'request', id, method, data }
//   sfu  -> page  { kind: 'response', id, ok: true, data } | { kind: 'response', id, ok: false, error }
//   sfu  -> page  { kind: 'notification', method, data }
//
// The order a page follows: join -> createTransport (send, recv) -> ready -> produce... The SFU
// creates consumers only after `ready` (it then knows the page's RTP capabilities); each consumer
// is created paused and announced with `newConsumer`; the page resumes it with `resumeConsumer`
// once its track is set up, so no key frame is lost before the page can decode it.
//
// mediasoup's own parameter types (RtpParameters, DtlsParameters...) travel as opaque JSON here:
// the SFU validates their shape when mediasoup parses them.

/** Limits the server enforces on every inbound frame. */
export const PROTOCOL_LIMITS = {
  /** Largest accepted text frame, bytes. An SDP-derived RtpParameters is ~3 KB; 64 KiB leaves room. */
  maxFrameBytes: 64 * 1024,
  /** Longest id accepted for rooms, peers and display names, characters. */
  maxIdLength: 128,
} as const;

export type MediaKind = 'audio' | 'video';

/** What a producer carries, so that viewers can tell a camera from a screen share. */
export type ProducerSource = 'mic' | 'camera' | 'screen';

export type TransportDirection = 'send' | 'recv';

/** Opaque mediasoup structures (validated by mediasoup itself). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type RtpCapabilities = { [key: string]: Json };
export type RtpParameters = { [key: string]: Json };
export type DtlsParameters = { [key: string]: Json };
export type IceParameters = { [key: string]: Json };
export type IceCandidate = { [key: string]: Json };

/** An ICE server as RTCPeerConnection takes it (TURN credentials issued per peer by the SFU). */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface PeerInfo {
  peerId: string;
  displayName: string;
}

export interface TransportInfo {
  transportId: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

// ---------------------------------------------------------------------------------------------
// Requests: method -> { request data, response data }

export interface RequestMap {
  /** Enter a room (created on first join). Must be the first request on a socket. */
  join: {
    request: {
      roomId: string;
      /** Chosen by the server when absent; rejected if already present in the room. */
      peerId?: string;
      displayName?: string;
      /** Required when the SFU runs with a token secret: see sfu/src/tokens.ts. */
      token?: string;
    };
    response: {
      peerId: string;
      routerRtpCapabilities: RtpCapabilities;
      /** TURN servers with short-lived credentials, empty when the SFU has no TURN configured. */
      iceServers: IceServer[];
      peers: PeerInfo[];
    };
  };
  createTransport: {
    request: { direction: TransportDirection };
    response: TransportInfo;
  };
  connectTransport: {
    request: { transportId: string; dtlsParameters: DtlsParameters };
    response: Record<string, never>;
  };
  /** The page's device is loaded: the SFU starts consuming every producer in the room for it. */
  ready: {
    request: { rtpCapabilities: RtpCapabilities };
    response: Record<string, never>;
  };
  produce: {
    request: {
      transportId: string;
      kind: MediaKind;
      rtpParameters: RtpParameters;
      source: ProducerSource;
      /** Start paused (muted). Default false. */
      paused?: boolean;
    };
    response: { producerId: string };
  };
  closeProducer: { request: { producerId: string }; response: Record<string, never> };
  pauseProducer: { request: { producerId: string }; response: Record<string, never> };
  resumeProducer: { request: { producerId: string }; response: Record<string, never> };
  /** The page's ack that the consumer's track is ready: the SFU resumes it. */
  resumeConsumer: { request: { consumerId: string }; response: Record<string, never> };
  pauseConsumer: { request: { consumerId: string }; response: Record<string, never> };
  setConsumerPreferredLayers: {
    request: { consumerId: string; spatialLayer: number; temporalLayer?: number };
    response: Record<string, never>;
  };
  restartIce: {
    request: { transportId: string };
    response: { iceParameters: IceParameters };
  };
  /** The SFU's view of the peer's consumers, used by tests and the harness to check layers. */
  getConsumerState: {
    request: Record<string, never>;
    response: { consumers: ConsumerState[] };
  };
  /** Leave the room; the socket stays open and may join again. */
  leave: { request: Record<string, never>; response: Record<string, never> };
}

export interface ConsumerState {
  consumerId: string;
  producerId: string;
  producerPeerId: string;
  kind: MediaKind;
  source: ProducerSource;
  paused: boolean;
  producerPaused: boolean;
  /** 'simulcast' | 'svc' | 'simple' | 'pipe' */
  type: string;
  /** Current layers sent to this consumer (simulcast/SVC only), null when none is sent. */
  currentLayers: { spatialLayer: number; temporalLayer?: number } | null;
  preferredLayers: { spatialLayer: number; temporalLayer?: number } | null;
  /** mediasoup's score of the consumer's stream, 0-10. */
  score: number;
}

export type RequestMethod = keyof RequestMap;
export type RequestData<M extends RequestMethod> = RequestMap[M]['request'];
export type ResponseData<M extends RequestMethod> = RequestMap[M]['response'];

export type Request = {
  [M in RequestMethod]: { kind: 'request'; id: number; method: M; data: RequestData<M> };
}[RequestMethod];

/** Error codes a response can carry; `message` says what was wrong in words. */
export type ErrorCode =
  | 'bad_json'
  | 'frame_too_large'
  | 'bad_message'
  | 'unknown_method'
  | 'bad_request'
  | 'not_joined'
  | 'already_joined'
  | 'not_ready'
  | 'not_found'
  | 'forbidden'
  | 'conflict'
  /** A cap of the SFU's (connections, rooms, peers per room) is reached; the message names it. */
  | 'limit_exceeded'
  /** The socket sent more messages than its rate allows; the SFU closes it after this reply. */
  | 'rate_limited'
  /** The socket did not join a room in time; the SFU closes it after this reply. */
  | 'join_timeout'
  | 'internal';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export type Response =
  | { kind: 'response'; id: number; ok: true; data: unknown }
  /** `id` is null when the request's id itself could not be read (bad JSON, no id). */
  | { kind: 'response'; id: number | null; ok: false; error: ErrorInfo };

// ---------------------------------------------------------------------------------------------
// Notifications: sfu -> page

export interface NotificationMap {
  peerJoined: PeerInfo;
  peerLeft: { peerId: string };
  /** A paused consumer for a producer in the room; resume it with `resumeConsumer`. */
  newConsumer: {
    consumerId: string;
    producerId: string;
    producerPeerId: string;
    kind: MediaKind;
    source: ProducerSource;
    rtpParameters: RtpParameters;
    /** 'simulcast' | 'svc' | 'simple' */
    type: string;
    producerPaused: boolean;
  };
  consumerClosed: { consumerId: string };
  consumerPaused: { consumerId: string };
  consumerResumed: { consumerId: string };
  consumerLayersChanged: { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
  consumerScore: { consumerId: string; score: number; producerScore: number };
  /** The loudest peer in the room changed (mediasoup ActiveSpeakerObserver). */
  activeSpeaker: { peerId: string | null };
}

export type NotificationMethod = keyof NotificationMap;

export type Notification = {
  [M in NotificationMethod]: { kind: 'notification'; method: M; data: NotificationMap[M] };
}[NotificationMethod];

export type ServerMessage = Response | Notification;
