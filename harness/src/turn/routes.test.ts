import { describe, expect, it } from 'vitest';
import { forcedTurnAccess, parseTurnUrl, turnRoutes } from './routes.ts';

const urls = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp', 'turns:127.0.0.1:5349?transport=tcp'];

describe('TURN URLs', () => {
  it('reads the transport, with RFC 7065 defaults', () => {
    expect(parseTurnUrl('turn:10.0.0.5').transport).toBe('udp');
    expect(parseTurnUrl('turn:10.0.0.5').port).toBe(3478);
    expect(parseTurnUrl('turns:turn.example.com').port).toBe(5349);
    expect(parseTurnUrl('turns:turn.example.com:443?transport=tcp')).toMatchObject({ host: 'turn.example.com', port: 443, transport: 'tls' });
    expect(parseTurnUrl('turn:[::1]:3478?transport=tcp')).toMatchObject({ host: '::1', transport: 'tcp' });
  });

  it('names a bad URL', () => {
    expect(() => parseTurnUrl('stun:127.0.0.1:3478')).toThrow(/'stun:127.0.0.1:3478' is not a TURN URL/);
    expect(() => parseTurnUrl('turns:h:5349?transport=udp')).toThrow(/TLS runs on TCP/);
  });
});

describe('TURN routes', () => {
  it('gives one route per address, framed as TURN over TCP or as TLS', () => {
    expect(turnRoutes(urls)).toEqual([
      { name: 'turn0', from: '127.0.0.1:3478', target: { host: '127.0.0.1', port: 3478, framing: 'stun' }, transports: ['udp', 'tcp'] },
      { name: 'turn1', from: '127.0.0.1:5349', target: { host: '127.0.0.1', port: 5349, framing: 'tls' }, transports: ['tls'] },
    ]);
  });

  it('refuses plain TURN and TLS on one port', () => {
    expect(() => turnRoutes(['turn:h:3478', 'turns:h:3478'])).toThrow(/separate ports/);
  });

  it('leaves only the asked transport open', () => {
    const routes = turnRoutes(urls);
    expect(forcedTurnAccess(routes, 'tcp')).toEqual({ blockUdp: true, allowPorts: [3478] });
    expect(forcedTurnAccess(routes, 'tls')).toEqual({ blockUdp: true, allowPorts: [5349] });
    expect(forcedTurnAccess(routes, 'udp')).toEqual({ blockUdp: false, allowPorts: [3478] });
    expect(() => forcedTurnAccess(turnRoutes(['turn:h:3478?transport=udp']), 'tls')).toThrow(/no TURN server is reachable over tls \(the run's TURN URLs offer: udp\)/);
  });
});
