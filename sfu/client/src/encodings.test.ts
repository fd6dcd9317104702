import { describe, expect, it } from 'vitest';
import { encodingsForHandler, parseScalabilityMode, resolveVideo } from './encodings.ts';

describe('resolveVideo', () => {
  it('sends one uncapped encoding at 640x360@30 by default', () => {
    expect(resolveVideo(true)).toEqual({ simulcast: false, width: 640, height: 360, fps: 30, encodings: undefined, codec: undefined });
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

  it('gives every simulcast layer the scalability mode asked for', () => {
    const r = resolveVideo({ simulcast: true, scalabilityMode: 'L1T2', codec: 'h264' });
    expect(r.encodings?.map((e) => e.scalabilityMode)).toEqual(['L1T2', 'L1T2', 'L1T2']);
    expect(r.codec).toBe('h264');
  });

  it('sends one VP9 SVC encoding with its mode and cap', () => {
    const r = resolveVideo({ codec: 'vp9', scalabilityMode: 'L3T3_KEY', encodings: [{ scaleResolutionDownBy: 1, maxBitrateKbps: 1200 }] });
    expect(r.encodings).toEqual([{ maxBitrate: 1_200_000, scalabilityMode: 'L3T3_KEY' }]);
    expect(resolveVideo({ codec: 'vp9', scalabilityMode: 'L2T3' }).encodings).toEqual([{ scalabilityMode: 'L2T3' }]);
  });

  it('parses scalability modes', () => {
    expect(parseScalabilityMode('L3T3_KEY')).toEqual({ spatial: 3, temporal: 3 });
    expect(parseScalabilityMode('L1T2')).toEqual({ spatial: 1, temporal: 2 });
    expect(parseScalabilityMode('L4T3')).toEqual({ spatial: 4, temporal: 3 });
    expect(parseScalabilityMode('T3')).toBeNull();
  });

  it('rejects codecs and scalability modes that cannot work, naming the field', () => {
    expect(() => resolveVideo({ codec: 'av1' as never })).toThrow("publish: video.codec must be one of vp8, vp9, h264, got \"av1\"");
    expect(() => resolveVideo({ scalabilityMode: 'L9T9' })).toThrow('video.scalabilityMode must be like');
    expect(() => resolveVideo({ simulcast: true, scalabilityMode: 'L3T3' })).toThrow("with simulcast sets each layer's temporal layers");
    expect(() => resolveVideo({ scalabilityMode: 'L3T3_KEY' })).toThrow("needs codec: 'vp9' (got the default, VP8)");
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

describe('encodingsForHandler', () => {
  const layers = resolveVideo({ simulcast: true }).encodings!;

  it("hands Firefox the simulcast caps in reverse order, each layer's resolution where it was", () => {
    const firefox = encodingsForHandler(layers, 'Firefox120')!;
    expect(firefox.map((e) => e.scaleResolutionDownBy)).toEqual([4, 2, 1]);
    expect(firefox.map((e) => e.maxBitrate)).toEqual([1_500_000, 500_000, 150_000]);
    expect(firefox.every((e) => e.scalabilityMode === 'L1T3')).toBe(true);
    // The caller's encodings stay as they were.
    expect(layers.map((e) => e.maxBitrate)).toEqual([150_000, 500_000, 1_500_000]);
  });

  it('leaves other browsers, one encoding and none as they are', () => {
    expect(encodingsForHandler(layers, 'Chrome111')).toBe(layers);
    const one = [{ maxBitrate: 300_000 }];
    expect(encodingsForHandler(one, 'Firefox120')).toBe(one);
    expect(encodingsForHandler(undefined, 'Firefox120')).toBeUndefined();
  });
});
