import { describe, expect, it } from 'vitest';
import { describePath, iceValues, isRelayed } from './ice.ts';
import type { RawPeerConnection } from './raw.ts';
import type { PairInfo } from './types.ts';

const pc = (turnUrls?: number) => ({ turnUrls }) as RawPeerConnection;
const direct: PairInfo = { pc: 'pc1', localType: 'host', protocol: 'udp' };
// What Chromium reports behind a simulated link: the SFU sees the relay under the link's address.
const relayTcp: PairInfo = { pc: 'pc2', localType: 'prflx', protocol: 'udp', relayProtocol: 'tcp' };
const relayTls: PairInfo = { pc: 'pc3', localType: 'relay', protocol: 'udp', relayProtocol: 'tls' };

describe('ICE path metrics', () => {
  it('counts a peer-reflexive candidate learned through TURN as relayed', () => {
    expect(isRelayed(relayTcp)).toBe(true);
    expect(isRelayed(direct)).toBe(false);
    expect(describePath(relayTcp)).toBe('relay over tcp');
    expect(describePath({ localType: 'host', protocol: 'tcp' })).toBe('direct tcp');
  });

  it('says 1 only when every selected pair takes that path', () => {
    expect(iceValues([relayTcp, relayTls], { pcs: [] }, undefined)).toEqual({ ice_relay: 1, ice_tcp: 1, ice_tls: 0 });
    expect(iceValues([relayTls], { pcs: [] }, undefined)).toEqual({ ice_relay: 1, ice_tcp: 1, ice_tls: 1 });
    expect(iceValues([direct, relayTcp], { pcs: [] }, undefined)).toEqual({ ice_relay: 0, ice_tcp: 0, ice_tls: 0 });
    expect(iceValues([], { pcs: [] }, undefined)).toEqual({});
  });

  it('totals TURN errors for a participant with TURN servers, ignoring STUN-only ones', () => {
    const errors = [
      { tMs: 1, pc: 'pc1', url: 'turn:127.0.0.1:3478?transport=tcp', errorCode: 401, errorText: 'Unauthorized' },
      { tMs: 2, pc: 'pc1', url: 'turns:127.0.0.1:5349?transport=tcp', errorCode: 701, errorText: 'Failed to establish connection' },
      { tMs: 3, pc: 'pc1', url: 'stun:127.0.0.1:3478', errorCode: 701, errorText: 'STUN host lookup received error.' },
    ];
    const first = iceValues([], { pcs: [pc(3)], candidateErrors: errors }, undefined);
    expect(first).toEqual({ turn_allocation_failure_count_total: 2 });
    expect(iceValues([], { pcs: [pc(3)] }, first)).toEqual({ turn_allocation_failure_count_total: 2 });
    // Without TURN servers, nothing is reported (no zero series for every participant).
    expect(iceValues([], { pcs: [pc()] }, undefined)).toEqual({});
  });
});
