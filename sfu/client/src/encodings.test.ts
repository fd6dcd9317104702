import { describe, expect, it } from 'vitest';
import { resolveVideo } from './encodings.ts';

describe('resolveVideo', () => {
  it('sends one uncapped encoding at 640x360@30 by default', () => {
    expect(resolveVideo(true)).toEqual({ simulcast: false, width: 640, height: 360, fps: 30, encodings: undefined });
  });

  it('sends three L1T3 layers at 1/4, 1/2 and full scale for simulcast', () => {
    expect(resolveVideo({ simulcast: true }).encodings).toEqual([
      { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
      { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
      { scaleResolutionDownBy: 1, maxBitrate: 1_500_000, scalabilityMode: 'L1T3' },
    ]);
  });

  it('takes the layers from the caller', () => {
    const r = resolveVideo({
      simulcast: true,
      encodings: [
        { scaleResolutionDownBy: 2, maxBitrateKbps: 200 },
        { scaleResolutionDownBy: 1, maxBitrateKbps: 800.5 },
      ],
    });
    expect(r.encodings?.map((e) => [e.scaleResolutionDownBy, e.maxBitrate])).toEqual([
      [2, 200_000],
      [1, 800_500],
    ]);
  });

  it('caps a single encoding with the first entry when not simulcast', () => {
    const r = resolveVideo({ encodings: [{ scaleResolutionDownBy: 1, maxBitrateKbps: 300 }] });
    expect(r.encodings).toEqual([{ maxBitrate: 300_000 }]);
  });

  it('rejects out-of-range options naming the field', () => {
    expect(() => resolveVideo({ width: 8 })).toThrow('publish: video.width must be a whole number from 16 to 7680, got 8');
    expect(() => resolveVideo({ simulcast: true, encodings: [] })).toThrow('must have 1 to 4 entries, got 0');
    expect(() =>
      resolveVideo({ simulcast: true, encodings: [{ scaleResolutionDownBy: 0.5, maxBitrateKbps: 100 }] }),
    ).toThrow('video.encodings[0].scaleResolutionDownBy must be >= 1, got 0.5');
    expect(() =>
      resolveVideo({ simulcast: true, encodings: [{ scaleResolutionDownBy: 1, maxBitrateKbps: -1 }] }),
    ).toThrow('video.encodings[0].maxBitrateKbps must be a positive number, got -1');
  });
});
