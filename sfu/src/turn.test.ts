import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTurnCredentials, turnIceServers } from './turn.ts';

describe('TURN credentials (coturn REST API scheme)', () => {
  // Vector computed with OpenSSL, independently of this code:
  //   echo -n "1700003600:alice" | openssl dgst -sha1 -hmac "north-secret" -binary | base64
  it('matches a vector computed with openssl', () => {
    const creds = createTurnCredentials('north-secret', 'alice', 3600, 1_700_000_000_000);
    expect(creds).toEqual({ username: '1700003600:alice', credential: 'Ji4axghh2/aljHmsPgH9mtDGVLw=', expiresAtUnix: 1700003600 });
  });

  it('follows the documented format: username <expiry>:<user>, credential base64(HMAC-SHA1(secret, username))', () => {
    const nowMs = 1_712_345_678_901;
    const { username, credential, expiresAtUnix } = createTurnCredentials('s3cret', 'peer-7', 600, nowMs);
    expect(username).toMatch(/^\d+:peer-7$/);
    expect(expiresAtUnix).toBe(Math.floor(nowMs / 1000) + 600);
    expect(Number(username.split(':')[0])).toBe(expiresAtUnix);
    // coturn checks the HMAC over the full username string, as bytes, with SHA-1: 20 bytes, base64.
    expect(Buffer.from(credential, 'base64')).toHaveLength(20);
    expect(credential).toBe(createHmac('sha1', 's3cret').update(username, 'utf8').digest('base64'));
  });

  it('keeps colons in the user id after the first separator (coturn splits on the first colon)', () => {
    expect(createTurnCredentials('k', 'a:b', 60, 0).username).toBe('60:a:b');
  });

  it('gives no ICE servers without TURN, one entry with all URLs and credentials with it', () => {
    expect(turnIceServers(undefined, 'alice')).toEqual([]);
    const urls = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'];
    const [server, ...rest] = turnIceServers({ urls, secret: 'north-secret', ttlSeconds: 3600 }, 'alice', 1_700_000_000_000);
    expect(rest).toEqual([]);
    expect(server).toEqual({ urls, username: '1700003600:alice', credential: 'Ji4axghh2/aljHmsPgH9mtDGVLw=' });
  });
});
