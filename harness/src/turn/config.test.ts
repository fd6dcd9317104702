import { describe, expect, it } from 'vitest';
import { coturnConfig, DENIED_PEER_RANGES, type CoturnConfigInput } from './config.ts';

const input: CoturnConfigInput = {
  listenIp: '127.0.0.1',
  relayIp: '127.0.0.2',
  port: 40000,
  tlsPort: 40001,
  certPath: '/run/x/turn-cert.pem',
  keyPath: '/run/x/turn-key.pem',
  secret: 's3cret',
  realm: 'rtc-harness',
  minPort: 49152,
  maxPort: 65535,
  userDbPath: '/run/x/turndb',
  pidPath: '/run/x/turnserver.pid',
  userQuota: 32,
  totalQuota: 256,
  verbose: true,
};

/** key -> every value it is given (keys without a value map to ['']). */
function parse(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [key, ...rest] = line.split('=');
    map.set(key!, [...(map.get(key!) ?? []), rest.join('=')]);
  }
  return map;
}

describe('coturn configuration', () => {
  it('listens on loopback: UDP and TCP on one port, TLS with the run certificate on another', () => {
    const c = parse(coturnConfig(input));
    expect(c.get('listening-ip')).toEqual(['127.0.0.1']);
    expect(c.get('relay-ip')).toEqual(['127.0.0.2']);
    expect(c.get('listening-port')).toEqual(['40000']);
    expect(c.get('tls-listening-port')).toEqual(['40001']);
    expect(c.get('cert')).toEqual(['/run/x/turn-cert.pem']);
    expect(c.get('pkey')).toEqual(['/run/x/turn-key.pem']);
    expect(c.has('no-dtls')).toBe(true);
  });

  it('accepts only REST credentials signed with the run secret, within quotas', () => {
    const c = parse(coturnConfig(input));
    expect(c.has('use-auth-secret')).toBe(true);
    expect(c.get('static-auth-secret')).toEqual(['s3cret']);
    expect(c.get('realm')).toEqual(['rtc-harness']);
    expect(c.get('user-quota')).toEqual(['32']);
    expect(c.get('total-quota')).toEqual(['256']);
    expect(c.has('lt-cred-mech')).toBe(false);
  });

  it('denies private peers but lets the relay reach the SFU on loopback', () => {
    const c = parse(coturnConfig(input));
    expect(c.get('denied-peer-ip')).toEqual([...DENIED_PEER_RANGES]);
    expect(c.get('denied-peer-ip')).toEqual(expect.arrayContaining(['10.0.0.0-10.255.255.255', '172.16.0.0-172.31.255.255', '192.168.0.0-192.168.255.255']));
    expect(c.get('denied-peer-ip')!.some((r) => r.startsWith('127.'))).toBe(false);
    expect(c.has('allow-loopback-peers')).toBe(true);
  });

  it('keeps its files in the run folder, logs to stdout, and has no CLI', () => {
    const c = parse(coturnConfig(input));
    expect(c.get('userdb')).toEqual(['/run/x/turndb']);
    expect(c.get('pidfile')).toEqual(['/run/x/turnserver.pid']);
    expect(c.get('log-file')).toEqual(['stdout']);
    expect(c.has('no-cli')).toBe(true);
    expect(c.has('verbose')).toBe(true);
    expect(parse(coturnConfig({ ...input, verbose: false })).has('verbose')).toBe(false);
  });
});
