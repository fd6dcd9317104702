import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateRouterRtpCapabilities, validateRtpCapabilities } from 'mediasoup/node/lib/ortc.js';
import { MEDIA_CODECS } from '../codecs.ts';
import { OfferError, parseOffer, type OfferMedia } from './sdp.ts';
import { publishRtpParameters, viewerRtpCapabilities } from './rtp.ts';

// Chromium 156's offers (see sdp.test.ts) against the capabilities every room's router has.
const PUBLISH = readFileSync(new URL('./fixtures/chromium-publish.sdp', import.meta.url), 'utf8');
const VIEW = readFileSync(new URL('./fixtures/chromium-view.sdp', import.meta.url), 'utf8');
const ROUTER = generateRouterRtpCapabilities(structuredClone(MEDIA_CODECS));

describe('publishRtpParameters', () => {
  const [audio, video] = parseOffer(PUBLISH).media as [OfferMedia, OfferMedia];

  it('produces opus from the audio m-line with the offer payload type, SSRC, CNAME and supported extensions', () => {
    const params = publishRtpParameters(audio, ROUTER);
    expect(params).toEqual({
      mid: '0',
      codecs: [{
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
      }],
      headerExtensions: [
        { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 },
        { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2 },
        { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: 3 },
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 },
      ],
      encodings: [{ ssrc: 589751926 }],
      rtcp: { cname: 'OGQOiuGfUZ/n44Tu', reducedSize: true },
    });
  });

  it("produces the browser's first codec the router takes (VP8) with its RTX", () => {
    const params = publishRtpParameters(video, ROUTER);
    expect(params.codecs.map((c) => `${c.mimeType}/${c.payloadType}`)).toEqual(['video/VP8/96', 'video/rtx/97']);
    expect(params.codecs[0]!.rtcpFeedback).toEqual([
      { type: 'goog-remb', parameter: '' },
      { type: 'transport-cc', parameter: '' },
      { type: 'ccm', parameter: 'fir' },
      { type: 'nack', parameter: '' },
      { type: 'nack', parameter: 'pli' },
    ]);
    expect(params.encodings).toEqual([{ ssrc: 4089580785, rtx: { ssrc: 3299135602 } }]);
    // Not video-content-type (6), video-timing (7) or color-space (8): the router does not take them.
    expect(params.headerExtensions?.map((e) => e.id)).toEqual([14, 2, 13, 3, 5, 4, 10, 11]);
  });

  it("falls back to the router's H264 profile when VP8 is not offered", () => {
    const h264Only = { ...video, codecs: video.codecs.filter((c) => !/VP8|VP9|AV1/.test(c.mimeType) && ![97, 99, 101, 46].includes(c.payloadType)) };
    const params = publishRtpParameters(h264Only, ROUTER);
    // 108 (42e01f, packetization-mode 1): 102 (42001f) is Baseline, the router's is Constrained Baseline.
    expect(params.codecs.map((c) => `${c.mimeType}/${c.payloadType}`)).toEqual(['video/H264/108', 'video/rtx/109']);
  });

  it('encodes one stream per rid for simulcast', () => {
    const params = publishRtpParameters({ ...video, sendRids: ['q', 'h', 'f'] }, ROUTER);
    expect(params.encodings).toEqual([{ rid: 'q' }, { rid: 'h' }, { rid: 'f' }]);
  });

  it('names the offered and taken codecs when none fits', () => {
    const pcmu = { ...audio, codecs: audio.codecs.filter((c) => c.mimeType === 'audio/PCMU') };
    expect(() => publishRtpParameters(pcmu, ROUTER)).toThrow(OfferError);
    expect(() => publishRtpParameters(pcmu, ROUTER)).toThrow('m-line 0 (audio, mid 0) offers no codec this SFU takes (offered: audio/PCMU; taken: audio/opus)');
  });

  it('needs an SSRC or a rid', () => {
    const { ssrc: _ssrc, ...noSsrc } = audio;
    expect(() => publishRtpParameters(noSsrc, ROUTER)).toThrow(/no a=ssrc and no a=rid/);
  });
});

describe('viewerRtpCapabilities', () => {
  const [audio, video] = parseOffer(VIEW).media as [OfferMedia, OfferMedia];

  it("keeps the codecs Chromium numbers as the router does, without RTX, valid for mediasoup", () => {
    const caps = viewerRtpCapabilities(video, ROUTER);
    expect(() => validateRtpCapabilities(structuredClone(caps))).not.toThrow();
    // VP8 96, VP9 profile 0 98, H264 42e01f packetization-mode 1 108: the router's numbers.
    expect(caps.codecs?.map((c) => `${c.mimeType} ${c.preferredPayloadType}`)).toEqual(['video/VP8 96', 'video/VP9 98', 'video/H264 108']);
    expect(viewerRtpCapabilities(audio, ROUTER).codecs?.map((c) => `${c.mimeType} ${c.preferredPayloadType} ${c.channels}`)).toEqual(['audio/opus 111 2']);
  });

  it('keeps only the header extensions with the router\'s ids', () => {
    // Chromium's ids (audio level 1, abs-send-time 2, transport-cc 3, mid 4) against mediasoup's (10, 4, 5, 1).
    expect(viewerRtpCapabilities(audio, ROUTER).headerExtensions).toEqual([]);
    const renumbered = { ...audio, headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }] };
    expect(viewerRtpCapabilities(renumbered, ROUTER).headerExtensions).toEqual([
      { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, preferredEncrypt: false, direction: 'sendrecv' },
    ]);
  });

  it('keeps nothing from a browser that numbers codecs otherwise', () => {
    const firefoxLike = { ...video, codecs: video.codecs.map((c) => ({ ...c, payloadType: c.payloadType + 1 })) };
    expect(viewerRtpCapabilities(firefoxLike, ROUTER).codecs).toEqual([]);
  });
});
