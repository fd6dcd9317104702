// The codecs every room's router offers. One entry per codec; the page's browser picks among them
// and mediasoup maps payload types per peer, so the order only sets the default preference.
import type { types } from 'mediasoup';

/** Chrome's bandwidth estimate to start from, kbps: high enough to open all three simulcast layers quickly. */
const START_BITRATE_KBPS = 1000;

export const MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': START_BITRATE_KBPS },
  },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    clockRate: 90000,
    parameters: { 'profile-id': 0, 'x-google-start-bitrate': START_BITRATE_KBPS },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': START_BITRATE_KBPS,
    },
  },
];
