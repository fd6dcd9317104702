// The caps that keep one client, or many, from growing the SFU without bound: what a caller may
// set (SignalingLimits, all optional) and the defaults. Every cap is enforced where the resource
// is taken (signaling.ts: sockets; session.ts: messages, joins; rooms.ts: rooms; room.ts: peers;
// validate.ts: what a message may carry), and its refusal is a protocol error naming the cap.

export interface SignalingLimits {
  /** Open signaling sockets, all addresses together. Default 2000. */
  maxConnections?: number;
  /** Open signaling sockets from one remote address (a harness machine runs many pages). Default 200. */
  maxConnectionsPerAddress?: number;
  /** Open rooms (each is a mediasoup router). Default 500. */
  maxRooms?: number;
  /** Peers in one room, WebSocket and WHIP/WHEP together. Default 100. */
  maxPeersPerRoom?: number;
  /** How long a socket may stay open without being in a room (after connecting or leaving), ms. Default 10_000. */
  joinTimeoutMs?: number;
  /** Sustained messages per second one socket may send. Default 100. */
  messagesPerSecond?: number;
  /**
   * Messages one socket may send at once above the sustained rate. A page joining a full room
   * acks every consumer at once: ~2 per other peer (audio, video), ~200 at maxPeersPerRoom's
   * default; twice that leaves room for the rest. Default 400.
   */
  messageBurst?: number;
  /**
   * Unsent outbound bytes after which a socket whose client does not read is terminated (its
   * buffers freed at once, not after a close handshake it would never answer). Default 1_048_576.
   */
  maxBufferedBytes?: number;
  /** Longest error message sent back, characters; user input quoted in it is cut to fit. Default 300. */
  maxErrorMessageChars?: number;
  /** Deepest nesting of objects and arrays in a request, counting `data` as 1. Default 16. */
  maxJsonDepth?: number;
  /** Most object keys and array items in one request, all levels together. Default 2000. */
  maxJsonNodes?: number;
}

export type ResolvedSignalingLimits = Required<SignalingLimits>;

export const DEFAULT_SIGNALING_LIMITS: ResolvedSignalingLimits = {
  maxConnections: 2000,
  maxConnectionsPerAddress: 200,
  maxRooms: 500,
  maxPeersPerRoom: 100,
  joinTimeoutMs: 10_000,
  messagesPerSecond: 100,
  messageBurst: 400,
  maxBufferedBytes: 1024 * 1024,
  maxErrorMessageChars: 300,
  maxJsonDepth: 16,
  maxJsonNodes: 2000,
};

/** Ranges each limit must fall in: below, the SFU could not serve a normal call; above, the cap is no cap. */
export const SIGNALING_LIMIT_RANGES: Record<keyof SignalingLimits, readonly [min: number, max: number]> = {
  maxConnections: [1, 1_000_000],
  maxConnectionsPerAddress: [1, 1_000_000],
  maxRooms: [1, 100_000],
  maxPeersPerRoom: [2, 10_000],
  joinTimeoutMs: [100, 3_600_000],
  messagesPerSecond: [1, 100_000],
  messageBurst: [1, 1_000_000],
  maxBufferedBytes: [64 * 1024, 1024 * 1024 * 1024],
  maxErrorMessageChars: [80, 100_000],
  maxJsonDepth: [8, 1000],
  maxJsonNodes: [100, 1_000_000],
};

/** Cuts `text` to `maxChars`, saying how much was cut, so a reply never carries unbounded input. */
export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const note = ` … (${text.length - maxChars} more characters)`;
  return text.slice(0, Math.max(0, maxChars - note.length)) + note;
}
