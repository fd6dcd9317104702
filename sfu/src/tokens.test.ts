import { describe, expect, it } from 'vitest';
import { createRoomToken, verifyRoomToken } from './tokens.ts';

const SECRET = 'token-secret-1';
const NOW_MS = 1_700_000_000_000;

describe('room tokens', () => {
  // Signature computed with OpenSSL, independently of this code:
  //   echo -n "room-1:alice:1700003600" | openssl dgst -sha256 -hmac token-secret-1 -binary | base64 (url-safe, unpadded)
  it('signs roomId:peerId:expiry with HMAC-SHA256 (openssl vector)', () => {
    const token = createRoomToken(SECRET, { roomId: 'room-1', peerId: 'alice', ttlSeconds: 3600, nowMs: NOW_MS });
    expect(token).toBe('v1.1700003600.YWxpY2U.1JSoRdgGB0QDNYhFPmQBCY_KOmaMKvaopUH-nQE7HkE');
  });

  it('admits the room it was minted for, bound to its peer', () => {
    const token = createRoomToken(SECRET, { roomId: 'room-1', peerId: 'alice', nowMs: NOW_MS });
    expect(verifyRoomToken(SECRET, token, { roomId: 'room-1' }, NOW_MS)).toEqual({ ok: true, peerId: 'alice' });
    expect(verifyRoomToken(SECRET, token, { roomId: 'room-1', peerId: 'alice' }, NOW_MS)).toEqual({ ok: true, peerId: 'alice' });
  });

  it('admits any peer when minted without one', () => {
    const token = createRoomToken(SECRET, { roomId: 'room-1', nowMs: NOW_MS });
    expect(verifyRoomToken(SECRET, token, { roomId: 'room-1', peerId: 'bob' }, NOW_MS)).toEqual({ ok: true, peerId: undefined });
  });

  it('binds peer ids with any characters (dots, colons, unicode)', () => {
    const token = createRoomToken(SECRET, { roomId: 'r', peerId: 'a.b:c.é', nowMs: NOW_MS });
    expect(verifyRoomToken(SECRET, token, { roomId: 'r' }, NOW_MS)).toEqual({ ok: true, peerId: 'a.b:c.é' });
  });

  const refusals: [string, () => ReturnType<typeof verifyRoomToken>, RegExp][] = [
    ['another room', () => verifyRoomToken(SECRET, createRoomToken(SECRET, { roomId: 'a', nowMs: NOW_MS }), { roomId: 'b' }, NOW_MS), /another room/],
    ['another secret', () => verifyRoomToken(SECRET, createRoomToken('other-secret', { roomId: 'a', nowMs: NOW_MS }), { roomId: 'a' }, NOW_MS), /signature/],
    ['another peer', () => verifyRoomToken(SECRET, createRoomToken(SECRET, { roomId: 'a', peerId: 'alice', nowMs: NOW_MS }), { roomId: 'a', peerId: 'bob' }, NOW_MS), /for peer 'alice'/],
    ['expired', () => verifyRoomToken(SECRET, createRoomToken(SECRET, { roomId: 'a', ttlSeconds: 60, nowMs: NOW_MS }), { roomId: 'a' }, NOW_MS + 61_000), /expired/],
    ['malformed', () => verifyRoomToken(SECRET, 'hello', { roomId: 'a' }, NOW_MS), /malformed/],
    ['non-numeric expiry', () => verifyRoomToken(SECRET, 'v1.soon..abc', { roomId: 'a' }, NOW_MS), /expiry/],
    ['bad base64url', () => verifyRoomToken(SECRET, 'v1.1700003600..a+b/', { roomId: 'a' }, NOW_MS), /base64url/],
  ];
  it.each(refusals)('refuses a token for %s', (_name, check, reason) => {
    const result = check();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses a token whose expiry was changed (the signature covers it)', () => {
    const token = createRoomToken(SECRET, { roomId: 'a', ttlSeconds: 60, nowMs: NOW_MS });
    const [v, expiry, peer, sig] = token.split('.');
    const stretched = [v, String(Number(expiry) + 86_400), peer, sig].join('.');
    expect(verifyRoomToken(SECRET, stretched, { roomId: 'a' }, NOW_MS).ok).toBe(false);
  });

  it('refuses to mint with an empty secret or a bad lifetime', () => {
    expect(() => createRoomToken('', { roomId: 'a' })).toThrow(/secret/);
    expect(() => createRoomToken(SECRET, { roomId: 'a', ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });
});
