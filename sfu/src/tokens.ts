// Room tokens: a join proves it may enter a room (and, optionally, as which peer) until an expiry,
// with an HMAC-SHA256 the SFU checks against its token secret. Whoever holds the secret (the
// harness, an app server) mints tokens with createRoomToken; the SFU never stores them.
//
// Format: `v1.<expiryUnix>.<base64url(peerId) or empty>.<base64url(signature)>`, where
//   signature = HMAC-SHA256(secret, `${roomId}:${peerId ?? ''}:${expiryUnix}`).
// The peer id travels inside the token (base64url, so it may contain any character) because the
// SFU needs it to recompute the signature; the room id does not: the join names it.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface RoomTokenOptions {
  /** The room the token admits to. */
  roomId: string;
  /** Binds the token to one peer id; a join with another peer id is refused. Default: any peer. */
  peerId?: string;
  /** Lifetime, seconds. Default 3600. */
  ttlSeconds?: number;
  /** The current time, ms since the epoch, for tests. Default Date.now(). */
  nowMs?: number;
}

export type TokenCheck = { ok: true; peerId: string | undefined } | { ok: false; reason: string };

const VERSION = 'v1';

function sign(secret: string, roomId: string, peerId: string | undefined, expiryUnix: number): Buffer {
  return createHmac('sha256', secret).update(`${roomId}:${peerId ?? ''}:${expiryUnix}`).digest();
}

/** Mints a token for `roomId` with the SFU's token secret. */
export function createRoomToken(secret: string, options: RoomTokenOptions): string {
  if (secret.length === 0) throw new Error('createRoomToken: secret must not be empty (pass the SFU\'s tokenSecret)');
  const ttlSeconds = options.ttlSeconds ?? 3600;
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new Error(`createRoomToken: ttlSeconds must be a positive number of seconds, got ${ttlSeconds}`);
  }
  const expiryUnix = Math.floor((options.nowMs ?? Date.now()) / 1000 + ttlSeconds);
  const peerPart = options.peerId === undefined ? '' : Buffer.from(options.peerId, 'utf8').toString('base64url');
  const signature = sign(secret, options.roomId, options.peerId, expiryUnix).toString('base64url');
  return `${VERSION}.${expiryUnix}.${peerPart}.${signature}`;
}

/**
 * Checks `token` for a join of `roomId`; `peerId` is the id the join asked for, if any. On success
 * returns the peer id the token is bound to (the join must use it), or undefined for any peer.
 */
export function verifyRoomToken(
  secret: string,
  token: string,
  join: { roomId: string; peerId?: string | undefined },
  nowMs = Date.now(),
): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) {
    return { ok: false, reason: `token is malformed (expected ${VERSION}.<expiry>.<peer>.<signature>)` };
  }
  const [, expiryText = '', peerPart = '', signatureText = ''] = parts;
  if (!/^\d{1,12}$/.test(expiryText)) return { ok: false, reason: 'token expiry is not a unix time' };
  if (!/^[A-Za-z0-9_-]*$/.test(peerPart) || !/^[A-Za-z0-9_-]+$/.test(signatureText)) {
    return { ok: false, reason: 'token is not base64url where it should be' };
  }
  const expiryUnix = Number(expiryText);
  const boundPeerId = peerPart === '' ? undefined : Buffer.from(peerPart, 'base64url').toString('utf8');
  const expected = sign(secret, join.roomId, boundPeerId, expiryUnix);
  const given = Buffer.from(signatureText, 'base64url');
  // Constant-time comparison, so the signature cannot be guessed byte by byte from response times.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: `token signature does not match room '${join.roomId}' (minted for another room or with another secret?)` };
  }
  if (expiryUnix * 1000 <= nowMs) {
    return { ok: false, reason: `token expired at ${new Date(expiryUnix * 1000).toISOString()}; mint a new one` };
  }
  if (boundPeerId !== undefined && join.peerId !== undefined && join.peerId !== boundPeerId) {
    return { ok: false, reason: `token is for peer '${boundPeerId}', not '${join.peerId}'` };
  }
  return { ok: true, peerId: boundPeerId };
}
