// The runner's TURN task with a server of the user's (no process to start); the bundled coturn is
// started for real in test/e2e/turn.test.ts.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EXPIRED_CREDENTIALS_AGE_SECONDS, startRunTurn } from './run-turn.ts';

const external = { kind: 'external' as const, urls: ['turn:10.1.1.1:3478?transport=tcp', 'turns:10.1.1.1:443?transport=tcp'], secret: 'k3y', relayIps: ['10.1.1.2'] };

describe('the run TURN task', () => {
  it('hands the SFU the URLs and secret, and the links one route per address', async () => {
    const turn = await startRunTurn(external, { outDir: '/nonexistent', participants: 2, durationMs: 60_000 });
    expect(turn.sfu).toEqual({ urls: external.urls, secret: 'k3y', ttlSeconds: 60 + 3600 });
    expect(turn.routes.map((r) => [r.name, r.from, r.target.framing])).toEqual([
      ['turn0', '10.1.1.1:3478', 'stun'],
      ['turn1', '10.1.1.1:443', 'tls'],
    ]);
    expect(turn.unshapedSources).toEqual(['10.1.1.2']);
    expect(turn.tlsSpkiSha256).toBeNull();
    expect(turn.access('tls')).toEqual({ blockUdp: true, allowPorts: [443] });
    expect(turn.summary()).toEqual({ server: 'external', urls: external.urls });
    await turn.stop();
  });

  it('hands out credentials that outlive a run longer than their default hour', async () => {
    const threeHours = 3 * 3600 * 1000;
    const turn = await startRunTurn(external, { outDir: '/nonexistent', participants: 2, durationMs: threeHours });
    expect(turn.sfu.ttlSeconds).toBe(4 * 3600);
    await turn.stop();
  });

  it("gives an 'expired' participant REST credentials signed with the secret that expired an hour ago", async () => {
    const turn = await startRunTurn(external, { outDir: '/nonexistent', participants: 1, durationMs: 60_000 });
    const nowS = Math.floor(Date.now() / 1000);
    const { turnCredentials, iceTransportPolicy } = turn.overrides('a[0]', { policy: 'relay', transport: null, credentials: 'expired' })!;
    expect(iceTransportPolicy).toBe('relay');
    const [expiry, user] = turnCredentials!.username.split(':');
    expect(user).toBe('a[0]');
    expect(Number(expiry)).toBeGreaterThanOrEqual(nowS - EXPIRED_CREDENTIALS_AGE_SECONDS - 1);
    expect(Number(expiry)).toBeLessThan(nowS);
    expect(turnCredentials!.credential).toBe(createHmac('sha1', 'k3y').update(turnCredentials!.username).digest('base64'));
    expect(turn.overrides('b[0]', { policy: 'all', transport: 'tcp', credentials: 'valid' })).toBeNull();
    expect(turn.overrides('c[0]', null)).toBeNull();
  });
});
