import { describe, expect, it } from 'vitest';
import {
  isDirectCandidate,
  stripDirectCandidates,
  applyIceOverrides,
  countTurnUrls,
  parseHostPort,
  parseIceOverrides,
  parseRewriteRules,
  rewriteCandidate,
  rewriteConfiguration,
  rewriteIceUrl,
  rewriteSdp,
} from './rewrite.ts';

const table = parseRewriteRules({
  '10.0.0.5:40000': '127.0.0.1:41000',
  '[fd00::2]:44444': '[::1]:45555',
  'turn.example.org:3478': '127.0.0.2:3479',
});

describe('parseRewriteRules', () => {
  it('parses IPv4, IPv6 in brackets and names', () => {
    expect(parseHostPort('10.0.0.5:40000')).toEqual({ host: '10.0.0.5', port: 40000 });
    expect(parseHostPort('[::1]:3478')).toEqual({ host: '::1', port: 3478 });
    expect(parseHostPort('sfu.local:443')).toEqual({ host: 'sfu.local', port: 443 });
    expect(table.size).toBe(3);
  });

  it('rejects entries that are not host:port, naming them', () => {
    expect(() => parseRewriteRules({ '10.0.0.5': '127.0.0.1:1' })).toThrow("'10.0.0.5' is not host:port");
    expect(() => parseRewriteRules({ '10.0.0.5:1': '127.0.0.1:70000' })).toThrow("'127.0.0.1:70000'");
    expect(() => parseRewriteRules({ '::1:3478': '127.0.0.1:1' })).toThrow('[::1]:3478');
    expect(() => parseRewriteRules({ 'a:1': 5 } as unknown as Record<string, string>)).toThrow("for 'a:1'");
  });

  it('treats null and {} as no rules', () => {
    expect(parseRewriteRules(null).size).toBe(0);
    expect(parseRewriteRules({}).size).toBe(0);
  });
});

describe('rewriteCandidate', () => {
  it('replaces address and port of a matching candidate, keeping everything else', () => {
    const c = 'candidate:1 1 udp 2122260223 10.0.0.5 40000 typ host generation 0 ufrag abcd network-id 1';
    expect(rewriteCandidate(c, table)).toBe(
      'candidate:1 1 udp 2122260223 127.0.0.1 41000 typ host generation 0 ufrag abcd network-id 1',
    );
  });

  it('works with the a= prefix, IPv6 and TCP candidates', () => {
    expect(rewriteCandidate('a=candidate:2 1 tcp 1518280447 fd00::2 44444 typ host tcptype passive', table)).toBe(
      'a=candidate:2 1 tcp 1518280447 ::1 45555 typ host tcptype passive',
    );
  });

  it('leaves other ports, other hosts, related addresses and malformed lines alone', () => {
    const otherPort = 'candidate:1 1 udp 2122260223 10.0.0.5 40001 typ host';
    expect(rewriteCandidate(otherPort, table)).toBe(otherPort);
    const related = 'candidate:3 1 udp 1686052607 192.0.2.9 5000 typ srflx raddr 10.0.0.5 rport 40000';
    expect(rewriteCandidate(related, table)).toBe(related);
    expect(rewriteCandidate('candidate:garbage', table)).toBe('candidate:garbage');
    expect(rewriteCandidate('', table)).toBe('');
  });

  it('does nothing without rules', () => {
    const c = 'candidate:1 1 udp 2122260223 10.0.0.5 40000 typ host';
    expect(rewriteCandidate(c, parseRewriteRules({}))).toBe(c);
  });
});

describe('rewriteSdp', () => {
  const sdp = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 40000 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 10.0.0.5',
    'a=candidate:1 1 udp 2122260223 10.0.0.5 40000 typ host generation 0',
    'a=candidate:2 1 tcp 1518280447 10.0.0.5 40000 typ host tcptype passive',
    'a=candidate:3 1 udp 2122260223 10.0.0.6 40000 typ host',
    'a=mid:0',
    '',
  ];

  it('rewrites every matching candidate line and keeps CRLF line endings', () => {
    const out = rewriteSdp(sdp.join('\r\n'), table).split('\r\n');
    expect(out[6]).toBe('a=candidate:1 1 udp 2122260223 127.0.0.1 41000 typ host generation 0');
    expect(out[7]).toBe('a=candidate:2 1 tcp 1518280447 127.0.0.1 41000 typ host tcptype passive');
    expect(out[8]).toBe(sdp[8]);
    // Only candidates: the m= port and c= address are left for ICE to ignore.
    expect(out.slice(0, 6)).toEqual(sdp.slice(0, 6));
    expect(out.length).toBe(sdp.length);
  });

  it('works with LF line endings', () => {
    const out = rewriteSdp(sdp.join('\n'), table);
    expect(out).toContain('a=candidate:1 1 udp 2122260223 127.0.0.1 41000 typ host generation 0\n');
    expect(out).not.toContain('\r');
  });
});

describe('rewriteIceUrl and rewriteConfiguration', () => {
  it('rewrites turn: URLs with their query, and uses the default port when none is written', () => {
    expect(rewriteIceUrl('turn:turn.example.org:3478?transport=udp', table)).toBe('turn:127.0.0.2:3479?transport=udp');
    expect(rewriteIceUrl('turn:turn.example.org?transport=tcp', table)).toBe('turn:127.0.0.2:3479?transport=tcp');
    expect(rewriteIceUrl('turn:10.0.0.5:40000', table)).toBe('turn:127.0.0.1:41000');
    expect(rewriteIceUrl('turn:[fd00::2]:44444', table)).toBe('turn:[::1]:45555');
  });

  it('leaves non-matching and non-ICE URLs alone', () => {
    expect(rewriteIceUrl('turns:turn.example.org:5349', table)).toBe('turns:turn.example.org:5349');
    expect(rewriteIceUrl('https://example.org:3478', table)).toBe('https://example.org:3478');
  });

  it('copies the configuration and rewrites string and array urls', () => {
    const config = {
      iceTransportPolicy: 'relay',
      iceServers: [
        { urls: ['turn:turn.example.org:3478?transport=udp', 'stun:stun.example.org'], username: 'u', credential: 'c' },
        { urls: 'turn:10.0.0.5:40000' },
      ],
    };
    const out = rewriteConfiguration(config, table);
    expect(out).toEqual({
      iceTransportPolicy: 'relay',
      iceServers: [
        { urls: ['turn:127.0.0.2:3479?transport=udp', 'stun:stun.example.org'], username: 'u', credential: 'c' },
        { urls: 'turn:127.0.0.1:41000' },
      ],
    });
    expect(config.iceServers[1]?.urls).toBe('turn:10.0.0.5:40000');
  });
});

describe('ICE overrides', () => {
  const config = {
    iceServers: [
      { urls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'], username: '9:p', credential: 'ok' },
      { urls: 'stun:127.0.0.1:3478' },
    ],
    iceTransportPolicy: 'all',
    bundlePolicy: 'max-bundle',
  };

  it('forces the relay policy and swaps TURN credentials only', () => {
    const out = applyIceOverrides(config, parseIceOverrides({ iceTransportPolicy: 'relay', turnCredentials: { username: '1:p', credential: 'old' } }));
    expect(out.iceTransportPolicy).toBe('relay');
    expect(out.bundlePolicy).toBe('max-bundle');
    expect(out.iceServers[0]).toMatchObject({ username: '1:p', credential: 'old' });
    expect(out.iceServers[1]).toEqual({ urls: 'stun:127.0.0.1:3478' });
    expect(config.iceServers[0]!.username).toBe('9:p');
  });

  it('leaves the configuration alone without overrides', () => {
    expect(applyIceOverrides(config, parseIceOverrides(null))).toBe(config);
    expect(countTurnUrls(config)).toBe(2);
    expect(countTurnUrls({})).toBe(0);
  });

  it('names a bad field', () => {
    expect(() => parseIceOverrides({ iceTransportPolicy: 'none' as 'relay' })).toThrow(/iceTransportPolicy must be 'all' or 'relay'/);
    expect(() => parseIceOverrides({ turnCredentials: { username: 'x' } as never })).toThrow(/turnCredentials/);
  });
});

describe('hiding direct local candidates', () => {
  const host = 'candidate:1 1 udp 2122260223 192.0.2.2 54321 typ host generation 0 ufrag abcd';
  const srflx = 'candidate:2 1 udp 1686052607 203.0.113.9 40000 typ srflx raddr 192.0.2.2 rport 54321';
  const relay = 'candidate:3 1 udp 41885439 127.0.0.1 49152 typ relay raddr 0.0.0.0 rport 0';

  it('hides host and server-reflexive candidates, keeps relay candidates', () => {
    expect([host, srflx, relay].map(isDirectCandidate)).toEqual([true, true, false]);
  });

  it("removes them from an SDP's candidate lines, keeping every other line and its endings", () => {
    const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', `a=${host}`, `a=${relay}`, `a=${srflx}`, 'a=end-of-candidates', ''].join('\r\n');
    expect(stripDirectCandidates(sdp)).toBe(['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', `a=${relay}`, 'a=end-of-candidates', ''].join('\r\n'));
  });
});
