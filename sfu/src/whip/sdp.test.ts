import { readFileSync } from 'node:fs';
import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { OfferError, parseOffer, writeAnswer } from './sdp.ts';

// Offers captured from Chromium 156 (headless shell, fake devices): a sendonly audio + video
// publisher (candidates gathered) and a recvonly audio + video viewer.
const PUBLISH = readFileSync(new URL('./fixtures/chromium-publish.sdp', import.meta.url), 'utf8');
const VIEW = readFileSync(new URL('./fixtures/chromium-view.sdp', import.meta.url), 'utf8');

const TRANSPORT = {
  iceParameters: { usernameFragment: 'ufragufrag', password: 'passwordpasswordpassword', iceLite: true },
  iceCandidates: [
    { foundation: 'udpcandidate', priority: 1076302079, address: '127.0.0.1', ip: '127.0.0.1', protocol: 'udp', port: 40000, type: 'host' },
    { foundation: 'tcpcandidate', priority: 1076276479, address: '127.0.0.1', ip: '127.0.0.1', protocol: 'tcp', port: 40000, type: 'host', tcpType: 'passive' },
  ],
  dtlsParameters: { role: 'auto', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] },
} as unknown as { iceParameters: types.IceParameters; iceCandidates: types.IceCandidate[]; dtlsParameters: types.DtlsParameters };

function offerError(text: string): string {
  try {
    parseOffer(text);
  } catch (error) {
    expect(error).toBeInstanceOf(OfferError);
    return (error as Error).message;
  }
  throw new Error('parseOffer accepted it');
}

describe('parseOffer', () => {
  it("reads Chromium's publish offer: codecs, extensions, SSRCs, DTLS", () => {
    const offer = parseOffer(PUBLISH);
    expect(offer.dtlsParameters).toEqual({
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value: 'B2:DE:B9:25:08:E3:0C:3B:52:45:61:58:45:4A:DD:44:DF:CA:9C:3E:A0:56:C8:BC:F0:B2:91:C9:8A:4D:4C:6A' }],
    });
    const [audio, video] = offer.media;
    expect(audio).toMatchObject({ type: 'audio', mid: '0', direction: 'sendonly', ssrc: 589751926, cname: 'OGQOiuGfUZ/n44Tu', rtcpMux: true, sendRids: [] });
    expect(audio!.codecs[0]).toEqual({
      payloadType: 111,
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      parameters: { minptime: 10, useinbandfec: 1 },
      rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
    });
    expect(video).toMatchObject({ type: 'video', mid: '1', ssrc: 4089580785, rtxSsrc: 3299135602 });
    expect(video!.codecs.find((c) => c.payloadType === 97)).toMatchObject({ mimeType: 'video/rtx', parameters: { apt: 96 } });
    expect(video!.headerExtensions).toContainEqual({ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 });
  });

  it("reads Chromium's recvonly viewer offer (no SSRC)", () => {
    const offer = parseOffer(VIEW);
    expect(offer.media.map((m) => [m.type, m.direction, m.ssrc])).toEqual([
      ['audio', 'recvonly', undefined],
      ['video', 'recvonly', undefined],
    ]);
  });

  it('reads the send rids of a simulcast offer', () => {
    const simulcast = PUBLISH.replace('a=sendonly\r\na=msid:731f79e7-e440-485f-8168-e3c529d30500 24bf', 'a=sendonly\r\na=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;~f\r\na=msid:731f79e7-e440-485f-8168-e3c529d30500 24bf');
    expect(parseOffer(simulcast).media[1]!.sendRids).toEqual(['q', 'h', 'f']);
  });

  it('names what is wrong with a bad offer', () => {
    expect(offerError('hello')).toBe('the body is not an SDP offer (it does not start with v=0)');
    expect(offerError('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n')).toBe('the offer has no m-line');
    expect(offerError(PUBLISH.replace(/a=fingerprint:.*\r\n/g, ''))).toMatch(/no a=fingerprint/);
    expect(offerError(PUBLISH.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0'))).toMatch(/does not BUNDLE/);
    expect(offerError(PUBLISH.replace(/a=rtcp-mux\r\n/g, ''))).toMatch(/m-line 0 \(audio\) lacks a=rtcp-mux/);
    expect(offerError(PUBLISH.replace(/a=mid:1\r\n/, ''))).toMatch(/m-line 1 \(video\) has no a=mid/);
  });

  it('takes the DTLS client role unless the offerer insists on being passive', () => {
    expect(parseOffer(PUBLISH.replace(/a=setup:actpass/g, 'a=setup:passive')).dtlsParameters.role).toBe('server');
    expect(parseOffer(PUBLISH.replace(/a=setup:actpass/g, 'a=setup:active')).dtlsParameters.role).toBe('client');
  });
});

describe('writeAnswer', () => {
  const offer = parseOffer(PUBLISH);
  const opus: types.RtpParameters = {
    mid: '0',
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 }, rtcpFeedback: [{ type: 'transport-cc', parameter: '' }] }],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }],
    encodings: [{ ssrc: 1111 }],
    rtcp: { cname: 'sfu-cname' },
  };

  it('answers ICE-lite with the transport, BUNDLEs the accepted m-lines and rejects the others with port 0', () => {
    const answer = parse(writeAnswer(offer, TRANSPORT, [
      { offer: offer.media[0]!, accepted: true, direction: 'recvonly', rtpParameters: opus },
      { offer: offer.media[1]!, accepted: false },
    ]));
    expect(answer.icelite).toBe('ice-lite');
    expect(answer.groups?.map((g) => `${g.type} ${g.mids}`)).toEqual(['BUNDLE 0']);
    const [audio, video] = answer.media;
    // sdp-transform reads numeric-looking values back as numbers.
    expect([String(audio!.mid), String(audio!.payloads)]).toEqual(['0', '111']);
    expect(audio).toMatchObject({
      type: 'audio',
      direction: 'recvonly',
      setup: 'passive',
      iceUfrag: 'ufragufrag',
      icePwd: 'passwordpasswordpassword',
      fingerprint: { type: 'sha-256', hash: 'AA:BB' },
      rtcpMux: 'rtcp-mux',
      rtp: [{ payload: 111, codec: 'opus', rate: 48000, encoding: 2 }],
      fmtp: [{ payload: 111, config: 'minptime=10;useinbandfec=1' }],
      ext: [{ value: 4, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }],
    });
    expect(audio!.candidates?.map((c) => `${c.transport} ${c.ip}:${c.port} ${c.tcptype ?? ''}`)).toEqual(['udp 127.0.0.1:40000 ', 'tcp 127.0.0.1:40000 passive']);
    expect(audio!.ssrcs).toBeUndefined();
    expect(video).toMatchObject({ type: 'video', port: 0, mid: 1 });
  });

  it('gives a sendonly m-line its SSRCs, RTX group, CNAME and msid', () => {
    const video: types.RtpParameters = {
      mid: '1',
      codecs: [
        { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] },
        { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
      ],
      encodings: [{ ssrc: 2222, rtx: { ssrc: 3333 } }],
      rtcp: { cname: 'sfu-cname' },
    };
    const answer = parse(writeAnswer(parseOffer(VIEW), TRANSPORT, [
      { offer: offer.media[0]!, accepted: false },
      { offer: offer.media[1]!, accepted: true, direction: 'sendonly', rtpParameters: video, msid: { streamId: 'alice', trackId: 'c1' } },
    ]));
    const m = answer.media[1]!;
    expect(m.direction).toBe('sendonly');
    expect(m.rtcpFb).toEqual([{ payload: 96, type: 'nack', subtype: 'pli' }]);
    expect(m.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '2222 3333' }]);
    expect(m.ssrcs).toContainEqual({ id: 3333, attribute: 'cname', value: 'sfu-cname' });
    expect(m.ssrcs).toContainEqual({ id: 2222, attribute: 'msid', value: 'alice c1' });
    expect(m.msid).toEqual([{ id: 'alice', appdata: 'c1' }]);
  });

  it('takes the active role when the offerer is passive', () => {
    const passive = parseOffer(PUBLISH.replace(/a=setup:actpass/g, 'a=setup:passive'));
    const answer = parse(writeAnswer(passive, TRANSPORT, [{ offer: passive.media[0]!, accepted: true, direction: 'recvonly', rtpParameters: opus }, { offer: passive.media[1]!, accepted: false }]));
    expect(answer.media[0]!.setup).toBe('active');
  });
});
