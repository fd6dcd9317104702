// Room tokens: a join proves it may enter a room (and, optionally, as which peer) until an expiry,
// with an HMAC-SHA256 the SFU checks against its token secret. Whoever holds the secret (the
// harness, an app server) mints tokens with createRoomToken; the SFU never stores them.
//
// Format v2: `v2.<payload>.<signature>`, where
//   payload   = base64url(JSON {"r": roomId, "p": peerId (absent: any peer), "e": expiryUnix})
//   signature = base64url(HMAC-SHA256(secret, `v2.<payload>`))
// The signature covers the exact bytes of the payload, and every field is a JSON string or number
// in its own slot, so no choice of ids can make one token read as another (v1 signed
// `room:peer:expiry`, and ids may contain ':': a token for room 'x:y' admitted room 'x').
// The verifier re-encodes the payload and refuses any other spelling of the same fields (key
// order, spaces, leading zeros, padding), so one grant has exactly one token text.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface RoomTokenOptions {
  /** The room the token admits to. */
  roomId: string;
  /** Binds the token to one peer id; a join with another peer id is refused. Default: any peer. */
  peerId?: string;
  /** Lifetime, seconds; at most the verifier's maxLifetimeSeconds. Default 3600. */
  ttlSeconds?: number;
  /** The current time, ms since the epoch, for tests. Default Date.now(). */
  nowMs?: number;
}

export type TokenCheck = { ok: true; peerId: string | undefined } | { ok: false; reason: string };

/** Longest lifetime a token may have when the verifier is not told otherwise, seconds (24 h). */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;
/** Longest token text considered at all, characters (two 128-character ids fit with room to spare). */
export const MAX_TOKEN_CHARS = 1024;

const VERSION = 'v2';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

interface Payload {
  r: string;
  p?: string;
  e: number;
}

function encodePayload(payload: Payload): string {
  // Fixed key order, so the encoding of a grant is unique (the verifier relies on it).
  const ordered = payload.p === undefined ? { r: payload.r, e: payload.e } : { r: payload.r, p: payload.p, e: payload.e };
  return Buffer.from(JSON.stringify(ordered), 'utf8').toString('base64url');
}

function sign(secret: string, payloadText: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${payloadText}`).digest();
}

/** Mints a token for `roomId` with the SFU's token secret. */
export function createRoomToken(secret: string, options: RoomTokenOptions): string {
  if (secret.length === 0) throw new Error("createRoomToken: secret must not be empty (pass the SFU's tokenSecret)");
  const ttlSeconds = options.ttlSeconds ?? 3600;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new Error(`createRoomToken: ttlSeconds must be a positive number of seconds, got ${ttlSeconds}`);
  }
  if (typeof options.roomId !== 'string' || options.roomId.length === 0) throw new Error('createRoomToken: roomId must be a non-empty string');
  const expiryUnix = Math.floor((options.nowMs ?? Date.now()) / 1000 + ttlSeconds);
  const payloadText = encodePayload({ r: options.roomId, ...(options.peerId !== undefined && { p: options.peerId }), e: expiryUnix });
  return `${VERSION}.${payloadText}.${sign(secret, payloadText).toString('base64url')}`;
}

function decodePayload(payloadText: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { r, p, e, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof r !== 'string' || (p !== undefined && typeof p !== 'string')) return undefined;
  if (typeof e !== 'number' || !Number.isSafeInteger(e) || e <= 0) return undefined;
  return { r, ...(p !== undefined && { p }), e };
}

/**
 * Checks `token` for a join of `roomId`; `peerId` is the id the join asked for, if any. On success
 * returns the peer id the token is bound to (the join must use it), or undefined for any peer.
 * A token whose expiry lies more than `maxLifetimeSeconds` ahead is refused, so a leaked secret's
 * forgeries and a careless minter's tokens both age out.
 */
export function verifyRoomToken(
  secret: string,
  token: string,
  join: { roomId: string; peerId?: string | undefined },
  nowMs = Date.now(),
  maxLifetimeSeconds = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
): TokenCheck {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: `token is longer than ${MAX_TOKEN_CHARS} characters` };
  const parts = token.split('.');
  if (parts[0] === 'v1') return { ok: false, reason: 'v1 tokens are no longer accepted (ambiguous encoding); mint a v2 token with createRoomToken' };
  if (parts.length !== 3 || parts[0] !== VERSION) {
    return { ok: false, reason: `token is malformed (expected ${VERSION}.<payload>.<signature>)` };
  }
  const [, payloadText = '', signatureText = ''] = parts;
  if (!BASE64URL.test(payloadText) || !BASE64URL.test(signatureText)) return { ok: false, reason: 'token is not base64url where it should be' };
  const expected = sign(secret, payloadText);
  const given = Buffer.from(signatureText, 'base64url');
  // Constant-time comparison, so the signature cannot be guessed byte by byte from response times;
  // checked before the payload is even decoded, so nothing unsigned is interpreted.
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== signatureText) {
    return { ok: false, reason: 'token signature does not match (minted with another secret, or altered?)' };
  }
  const payload = decodePayload(payloadText);
  if (payload === undefined || encodePayload(payload) !== payloadText) {
    return { ok: false, reason: 'token payload is not in canonical form; mint it with createRoomToken' };
  }
  if (payload.r !== join.roomId) return { ok: false, reason: 'token is for another room' };
  if (payload.e * 1000 <= nowMs) {
    return { ok: false, reason: `token expired at ${new Date(payload.e * 1000).toISOString()}; mint a new one` };
  }
  if (payload.e * 1000 > nowMs + maxLifetimeSeconds * 1000) {
    return { ok: false, reason: `token lives longer than the allowed ${maxLifetimeSeconds} s; mint one with a shorter ttlSeconds` };
  }
  if (payload.p !== undefined && join.peerId !== undefined && join.peerId !== payload.p) {
    return { ok: false, reason: 'token is for another peer id' };
  }
  return { ok: true, peerId: payload.p };
}
