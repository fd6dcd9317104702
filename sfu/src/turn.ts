// Short-lived TURN credentials in coturn's REST API scheme (`use-auth-secret` +
// `static-auth-secret`): the SFU and coturn share a secret, and coturn accepts
//   username   = `<expiry unix time>:<user id>`
//   credential = base64(HMAC-SHA1(secret, username))
// until the expiry passes, without any call between the two.
import { createHmac } from 'node:crypto';
import type { IceServer } from './protocol.ts';

export interface TurnOptions {
  /** TURN URLs handed to pages, e.g. ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']. */
  urls: string[];
  /** coturn's `static-auth-secret`. */
  secret: string;
  /** How long issued credentials stay valid, seconds. Default 3600. */
  ttlSeconds?: number;
}

export interface TurnCredentials {
  username: string;
  credential: string;
  expiresAtUnix: number;
}

export const DEFAULT_TURN_TTL_SECONDS = 3600;

/** Credentials for `userId` valid for `ttlSeconds` from `nowMs`. */
export function createTurnCredentials(
  secret: string,
  userId: string,
  ttlSeconds = DEFAULT_TURN_TTL_SECONDS,
  nowMs = Date.now(),
): TurnCredentials {
  const expiresAtUnix = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAtUnix}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAtUnix };
}

/** The join response's iceServers for a peer: empty without TURN, else one entry with its credentials. */
export function turnIceServers(turn: TurnOptions | undefined, peerId: string, nowMs = Date.now()): IceServer[] {
  if (!turn) return [];
  const { username, credential } = createTurnCredentials(turn.secret, peerId, turn.ttlSeconds, nowMs);
  return [{ urls: [...turn.urls], username, credential }];
}
