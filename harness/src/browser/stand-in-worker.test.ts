// The stand-in worker's codec table: which received codecs get a stand-in key frame, encoded
// with which WebCodecs configuration. Encoding itself needs a browser: test/e2e/count-mode.test.ts.
import { describe, expect, it } from 'vitest';
import { encoderConfigFor } from './stand-in-worker.ts';

describe('encoderConfigFor', () => {
  it('maps each codec WebRTC sends to a tiny WebCodecs encoder of the same codec', () => {
    expect(encoderConfigFor('video/VP8')?.codec).toBe('vp8');
    expect(encoderConfigFor('video/VP9')?.codec).toMatch(/^vp09\./);
    expect(encoderConfigFor('video/AV1')?.codec).toMatch(/^av01\./);
    // WebRTC's H.264 frames carry start codes: the stand-in must too.
    expect(encoderConfigFor('video/H264')).toMatchObject({ codec: expect.stringMatching(/^avc1\./), avc: { format: 'annexb' } });
    expect(encoderConfigFor('video/vp8')).toMatchObject({ width: 16, height: 16 });
  });

  it('has no stand-in for what it cannot encode, so that receiver decodes as usual', () => {
    expect(encoderConfigFor('video/H265')).toBeNull();
    expect(encoderConfigFor('')).toBeNull();
  });
});
