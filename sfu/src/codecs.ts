// The codecs every room's router offers. One entry per codec; the page's browser picks among them
// and mediasoup maps payload types per peer, so the order only sets the default preference.
//
// Payload types are Chromium's own (156: opus 111, VP8 96, VP9 98, H264 42e01f 108): a consumer
// sends the router's numbers, and a WHEP viewer, which offers rather than answers, receives with
// its own (whip/rtp.ts). The call page (mediasoup-client) takes whatever the router says.
import type { types } from 'mediasoup';

/** Chrome's bandwidth estimate to start from, kbps: high enough to open all three simulcast layers quickly. */
const START_BITRATE_KBPS = 1000;

export const MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 111, clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    preferredPayloadType: 96,
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': START_BITRATE_KBPS },
  },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    preferredPayloadType: 98,
    clockRate: 90000,
    parameters: { 'profile-id': 0, 'x-google-start-bitrate': START_BITRATE_KBPS },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    preferredPayloadType: 108,
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': START_BITRATE_KBPS,
    },
  },
];
