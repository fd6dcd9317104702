import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRoomToken, verifyRoomToken } from './tokens.ts';

const SECRET = 'token-secret-1';
const NOW_MS = 1_700_000_000_000;

/** Signs an arbitrary payload text the way a holder of the secret could, to test the verifier's canonical-form check. */
function forge(payloadJson: string, secret = SECRET): string {
  const payload = Buffer.from(payloadJson, 'utf8').toString('base64url');
  return `v2.${payload}.${createHmac('sha256', secret).update(`v2.${payload}`).digest('base64url')}`;
}

describe('room tokens', () => {
  // Computed with OpenSSL, independently of this code:
  //   P=$(printf '%s' '{"r":"room-1","p":"alice","e":1700003600}' | base64 -w0 | tr '+/' '-_' | tr -d '=')
  //   printf '%s' "v2.$P" | openssl dgst -sha256 -hmac token-secret-1 -binary | base64 | tr '+/' '-_' | tr -d '='
  it('signs v2.<base64url JSON {r,p,e}> with HMAC-SHA256 (openssl vector)', () => {
    const token = createRoomToken(SECRET, { roomId: 'room-1', peerId: 'alice', ttlSeconds: 3600, nowMs: NOW_MS });
    expect(token).toBe('v2.eyJyIjoicm9vbS0xIiwicCI6ImFsaWNlIiwiZSI6MTcwMDAwMzYwMH0._iDrzy9S3jGjGw2__-T9qhxQV4bocNGUkcA9UQATflQ');
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

  it('binds ids with any characters (dots, colons, quotes, unicode)', () => {
    const token = createRoomToken(SECRET, { roomId: 'r:"x".é', peerId: 'a.b:c.é', nowMs: NOW_MS });
    expect(verifyRoomToken(SECRET, token, { roomId: 'r:"x".é' }, NOW_MS)).toEqual({ ok: true, peerId: 'a.b:c.é' });
  });

  // The v1 forgeries: its signed text `room:peer:expiry` read the same for different splits.
  it('keeps room and peer apart however the ids use colons', () => {
    const forRoomXY = createRoomToken(SECRET, { roomId: 'x:y', nowMs: NOW_MS });
    expect(verifyRoomToken(SECRET, forRoomXY, { roomId: 'x' }, NOW_MS).ok).toBe(false);
    const roomAPeerBC = createRoomToken(SECRET, { roomId: 'a', peerId: 'b:c', nowMs: NOW_MS });
    expect(verifyRoomToken(SECRET, roomAPeerBC, { roomId: 'a:b', peerId: 'c' }, NOW_MS).ok).toBe(false);
    expect(verifyRoomToken(SECRET, roomAPeerBC, { roomId: 'a:b' }, NOW_MS).ok).toBe(false);
  });

  const refusals: [string, () => ReturnType<typeof verifyRoomToken>, RegExp][] = [
    ['another room', () => verifyRoomToken(SECRET, createRoomToken(SECRET, { roomId: 'a', nowMs: NOW_MS }), { roomId: 'b' }, NOW_MS), /another room/],
    ['another secret', () => verifyRoomToken(SECRET, createRoomToken('other-secret', { roomId: 'a', nowMs: NOW_MS }), { roomId: 'a' }, NOW_MS), /signature/],
    ['another peer', () => verifyRoomToken(SECRET, createRoomToken(SECRET, { roomId: 'a', peerId: 'alice', nowMs: NOW_MS }), { roomId: 'a', peerId: 'bob' }, NOW_MS), /another peer/],
    ['expired', () => verifyRoomToken(SECRET, createRoomToken(SECRET, { roomId: 'a', ttlSeconds: 60, nowMs: NOW_MS }), { roomId: 'a' }, NOW_MS + 61_000), /expired/],
    ['a lifetime over the maximum', () => verifyRoomToken(SECRET, createRoomToken(SECRET, { roomId: 'a', ttlSeconds: 7200, nowMs: NOW_MS }), { roomId: 'a' }, NOW_MS, 3600), /longer than/],
    ['malformed', () => verifyRoomToken(SECRET, 'hello', { roomId: 'a' }, NOW_MS), /malformed/],
    ['the v1 format', () => verifyRoomToken(SECRET, 'v1.1700003600.YWxpY2U.1JSoRdgGB0QDNYhFPmQBCY_KOmaMKvaopUH-nQE7HkE', { roomId: 'room-1' }, NOW_MS), /v1/],
    ['bad base64url', () => verifyRoomToken(SECRET, 'v2.a+b/.abc', { roomId: 'a' }, NOW_MS), /base64url/],
    ['an oversized text', () => verifyRoomToken(SECRET, `v2.${'a'.repeat(5000)}.b`, { roomId: 'a' }, NOW_MS), /longer than/],
    ['a non-canonical expiry (exponent)', () => verifyRoomToken(SECRET, forge('{"r":"a","e":1.7000036e9}'), { roomId: 'a' }, NOW_MS), /canonical/],
    ['a non-canonical expiry (string with leading zeros)', () => verifyRoomToken(SECRET, forge('{"r":"a","e":"01700003600"}'), { roomId: 'a' }, NOW_MS), /canonical/],
    ['reordered keys', () => verifyRoomToken(SECRET, forge('{"e":1700003600,"r":"a"}'), { roomId: 'a' }, NOW_MS), /canonical/],
    ['an extra field', () => verifyRoomToken(SECRET, forge('{"r":"a","e":1700003600,"x":1}'), { roomId: 'a' }, NOW_MS), /canonical/],
    ['a fractional expiry', () => verifyRoomToken(SECRET, forge('{"r":"a","e":1700003600.5}'), { roomId: 'a' }, NOW_MS), /canonical/],
  ];
  it.each(refusals)('refuses a token for %s', (_name, check, reason) => {
    const result = check();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('accepts the canonical form of a forged payload (the check is on form, not on who signed)', () => {
    expect(verifyRoomToken(SECRET, forge('{"r":"a","e":1700003600}'), { roomId: 'a' }, NOW_MS)).toEqual({ ok: true, peerId: undefined });
  });

  it('refuses a token whose payload or signature was changed', () => {
    const token = createRoomToken(SECRET, { roomId: 'a', ttlSeconds: 60, nowMs: NOW_MS });
    const [v, payload, sig] = token.split('.') as [string, string, string];
    const stretched = Buffer.from(JSON.stringify({ r: 'a', e: 1_700_086_400 })).toString('base64url');
    expect(verifyRoomToken(SECRET, [v, stretched, sig].join('.'), { roomId: 'a' }, NOW_MS).ok).toBe(false);
    // The last of the 43 base64url characters of a 32-byte signature has 2 spare low bits: flipping
    // one spells the same bytes differently.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = sig.slice(0, -1) + alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1];
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyRoomToken(SECRET, [v, payload, respelled].join('.'), { roomId: 'a' }, NOW_MS).ok).toBe(false);
  });

  it('refuses to mint with an empty secret, an empty room or a bad lifetime', () => {
    expect(() => createRoomToken('', { roomId: 'a' })).toThrow(/secret/);
    expect(() => createRoomToken(SECRET, { roomId: '' })).toThrow(/roomId/);
    expect(() => createRoomToken(SECRET, { roomId: 'a', ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });
});
