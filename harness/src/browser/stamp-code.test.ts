// The block code alone: what the source draws must read back after what a codec and a scaler do
// to it (level shifts, noise, blending at cell edges), and damage must be refused, not misread.
import { describe, expect, it } from 'vitest';
import { CODE_BITS, CODE_COLUMNS, CODE_ROWS, bandHeightPx, cellBrightness, decodeStamp, encodeStamp, frameStep, lumaCellBrightness, unwrapTimeMs } from './stamp-code.ts';

/** Cell brightness as a codec might leave it: black and white pulled towards grey, plus noise. */
function degrade(bits: number[], noise: number, seed = 1): number[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return bits.map((b) => (b ? 200 : 40) + noise * rand());
}

describe('stamp code', () => {
  it('round-trips frame number, sender and the low bits of the capture time', () => {
    const t = 1_796_610_402_941;
    const stamp = decodeStamp(encodeStamp(70_000, 17, t).map((b) => b * 255));
    expect(stamp).toEqual({ frame: 70_000 % 65_536, sender: 17, timeLow: t % 2 ** 24 });
    expect(unwrapTimeMs(stamp!.timeLow, t + 250)).toBe(t);
  });

  it('reads through level shifts and noise up to a third of the contrast', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const bits = encodeStamp(seed * 977, 3, 1_700_000_000_000 + seed * 33);
      expect(decodeStamp(degrade(bits, 50, seed))?.frame).toBe(seed * 977);
    }
  });

  it('refuses a damaged code or a band without one instead of misreading it', () => {
    const bits = encodeStamp(1234, 1, 1_700_000_000_000);
    for (let i = 0; i < CODE_BITS; i++) {
      const flipped = bits.map((b, j) => (j === i ? 1 - b : b) * 255);
      expect(decodeStamp(flipped)).toBeNull();
    }
    expect(decodeStamp(new Array(CODE_BITS).fill(128))).toBeNull(); // flat grey: no contrast
    expect(decodeStamp([0, 255])).toBeNull();
  });

  it('unwraps capture times across the 24-bit wrap, either side of the reader', () => {
    const wrap = 2 ** 24;
    const t = 5 * wrap - 100;
    expect(unwrapTimeMs(t % wrap, t + 300)).toBe(t); // the reader's clock already wrapped
    expect(unwrapTimeMs((t + 300) % wrap, t)).toBe(t + 300); // a reader slightly behind the sender
  });

  it('counts frame steps across the frame number wrap', () => {
    expect(frameStep(65_535, 0)).toBe(1);
    expect(frameStep(10, 10)).toBe(0);
    expect(frameStep(10, 15)).toBe(5);
  });

  it('measures each cell from its inner pixels, ignoring edges blended with neighbours', () => {
    const px = 4;
    const width = CODE_COLUMNS * px;
    const rgba = new Uint8ClampedArray(width * CODE_ROWS * px * 4);
    const bits = encodeStamp(42, 0, 1_700_000_000_000);
    for (let y = 0; y < CODE_ROWS * px; y++) {
      for (let x = 0; x < width; x++) {
        const cell = Math.floor(y / px) * CODE_COLUMNS + Math.floor(x / px);
        const edge = x % px === 0 || x % px === px - 1 || y % px === 0 || y % px === px - 1;
        // Edges carry the opposite value: only the inner 2x2 says the truth.
        const v = (edge ? 1 - bits[cell]! : bits[cell]!) * 255;
        rgba.set([v, v, v, 255], (y * width + x) * 4);
      }
    }
    expect(decodeStamp(cellBrightness(rgba, px))?.frame).toBe(42);
  });

  it('reads the band from a luma plane at any width, ignoring cell edges and the rows past it', () => {
    const bits = encodeStamp(4242, 7, 1_700_000_000_000);
    for (const width of [160, 320, 642]) {
      const band = Math.round(bandHeightPx(width));
      const stride = width + 32; // a padded plane, as a decoder's
      const luma = new Uint8Array(stride * (band + 4)).fill(128);
      for (let y = 0; y < band; y++) {
        for (let x = 0; x < width; x++) {
          const c = Math.min(CODE_COLUMNS - 1, Math.floor((x * CODE_COLUMNS) / width));
          const r = Math.min(CODE_ROWS - 1, Math.floor((y * CODE_ROWS) / band));
          const fx = (x * CODE_COLUMNS) / width - c;
          const fy = (y * CODE_ROWS) / band - r;
          // A pixel ring of the opposite value at the cell's edges, as ringing would leave.
          const edge = fx < 0.12 || fx > 0.88 || fy < 0.12 || fy > 0.88;
          luma[y * stride + x] = (edge ? 1 - bits[r * CODE_COLUMNS + c]! : bits[r * CODE_COLUMNS + c]!) ? 235 : 16;
        }
      }
      expect(decodeStamp(lumaCellBrightness(luma, width, band, stride)), `width ${width}`).toEqual({ frame: 4242, sender: 7, timeLow: 1_700_000_000_000 % 2 ** 24 });
    }
  });
});
