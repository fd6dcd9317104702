import { describe, expect, it } from 'vitest';
import { createHostPolicy, hostAllowed, hostOfHeader, originAllowed } from './hosts.ts';

const policy = createHostPolicy({ listenIp: '192.0.2.10', announcedAddress: undefined, allowedHosts: ['sfu.example.com'], allowedOrigins: ['https://app.example.com'] });

describe('Host and Origin policy', () => {
  it.each([
    ['127.0.0.1:3000', '127.0.0.1'],
    ['LOCALHOST', 'localhost'],
    ['[::1]:80', '[::1]'],
    ['sfu.example.com:443', 'sfu.example.com'],
    ['a b', undefined],
    ['evil.com/x', undefined],
    ['user@evil.com', undefined],
    ['', undefined],
  ])('reads the host of %j', (header, host) => {
    expect(hostOfHeader(header)).toBe(host);
  });

  it.each([
    ['127.0.0.1:3000', true],
    ['127.3.4.5', true],
    ['localhost:3000', true],
    ['app.localhost', true],
    ['[::1]:3000', true],
    ['192.0.2.10:3000', true],
    ['sfu.example.com', true],
    ['rebound.attacker.example', false],
    ['192.0.2.11', false],
    ['garbage header', false],
  ])('Host %j allowed: %s', (host, allowed) => {
    expect(hostAllowed(policy, host)).toBe(allowed);
  });

  it('lets requests without a Host header (HTTP/1.0, not browsers) through, and "*" admits any host', () => {
    expect(hostAllowed(policy, undefined)).toBe(true);
    const open = createHostPolicy({ listenIp: '127.0.0.1', announcedAddress: undefined, allowedHosts: ['*'], allowedOrigins: [] });
    expect(hostAllowed(open, 'anything.example')).toBe(true);
  });

  it.each<[origin: string | undefined, host: string, allowed: boolean, why: string]>([
    [undefined, '127.0.0.1:3000', true, 'no Origin: not a browser'],
    ['http://127.0.0.1:3000', '127.0.0.1:3000', true, 'same origin'],
    ['http://sfu.example.com', 'sfu.example.com', true, 'same origin under an allowed name'],
    ['https://app.example.com', '127.0.0.1:3000', true, 'configured origin'],
    ['https://evil.example', '127.0.0.1:3000', false, 'another site'],
    ['http://127.0.0.1:4000', '127.0.0.1:3000', false, 'another port'],
    ['http://rebound.attacker.example', 'rebound.attacker.example', false, 'same origin under a name the SFU does not have'],
    ['null', '127.0.0.1:3000', false, 'opaque origin'],
  ])('Origin %j with Host %j allowed: %s (%s)', (origin, host, allowed) => {
    expect(originAllowed(policy, origin, host)).toBe(allowed);
  });

  it('"*" admits every origin', () => {
    const open = createHostPolicy({ listenIp: '127.0.0.1', announcedAddress: undefined, allowedHosts: [], allowedOrigins: ['*'] });
    expect(originAllowed(open, 'https://evil.example', '127.0.0.1:3000')).toBe(true);
  });
});
