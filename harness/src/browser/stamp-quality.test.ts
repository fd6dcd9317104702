// The quality score's arithmetic: a strip read back exactly scores the cap, a strip carried by a
// lower layer (the picture scaled down) scores lower the lower the layer, noise costs what PSNR says.
import { describe, expect, it } from 'vitest';
import { encodeStamp } from './stamp-code.ts';
import { hasStrip, lumaScale, MAX_PSNR_DB, REF_ROWS, stripColumns, stripLevel, stripPsnrDb, stripRect } from './stamp-quality.ts';

const LIMITED = { black: 16, white: 235 };

/** A luma plane `widthPx` wide down to the strip's bottom, the strip drawn sharp in limited range. */
function drawn(widthPx: number, frame: number): Uint8Array {
  const { topPx, heightPx, rowPx } = stripRect(widthPx);
  const rows = Math.ceil(topPx + heightPx);
  const luma = new Uint8Array(widthPx * rows).fill(16);
  for (let y = Math.round(topPx); y < rows; y++) {
    const row = Math.min(REF_ROWS - 1, Math.floor((y - topPx) / rowPx));
    for (let x = 0; x < widthPx; x++) {
      const level = stripLevel(frame, row, Math.floor((x * stripColumns(row)) / widthPx));
      luma[y * widthPx + x] = Math.round(16 + (219 * level) / 255);
    }
  }
  return luma;
}

/** The plane scaled down by an integer factor (a box filter, as a simulcast layer's scaler). */
function scaledDown(luma: Uint8Array, widthPx: number, factor: number): Uint8Array {
  const rows = luma.length / widthPx;
  const w = widthPx / factor;
  const out = new Uint8Array(w * Math.floor(rows / factor));
  for (let y = 0; y < out.length / w; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let j = 0; j < factor; j++) for (let i = 0; i < factor; i++) sum += luma[(y * factor + j) * widthPx + x * factor + i]!;
      out[y * w + x] = Math.round(sum / factor / factor);
    }
  }
  return out;
}

describe('stamped picture quality (PSNR of the reference strip)', () => {
  it('scores a strip read back exactly near the cap (whole levels round by up to half), whatever the frame', () => {
    for (const frame of [0, 1, 777, 65535]) expect(stripPsnrDb(drawn(1280, frame), 1280, 1280, frame, LIMITED)).toBeGreaterThan(58);
    expect(stripPsnrDb(drawn(1280, 3), 1280, 1280, 3, LIMITED)).toBeLessThanOrEqual(MAX_PSNR_DB);
  });

  it('scores lower layers lower: the full picture, half and a quarter of its width', () => {
    const full = drawn(1280, 42);
    const scores = [1, 2, 4].map((f) => (f === 1 ? stripPsnrDb(full, 1280, 1280, 42, LIMITED) : stripPsnrDb(scaledDown(full, 1280, f), 1280 / f, 1280 / f, 42, LIMITED)));
    console.log(`strip PSNR at 1280, 640, 320 wide: ${scores.map((x) => x.toFixed(1)).join(', ')} dB`);
    expect(scores[0]).toBeGreaterThan(58);
    expect(scores[1]).toBeLessThan(scores[0]! - 10);
    expect(scores[2]).toBeLessThan(scores[1]! - 3);
  });

  it('takes the frame number into account: the strip of another frame is far off', () => {
    expect(stripPsnrDb(drawn(640, 10), 640, 640, 11, LIMITED)).toBeLessThan(20);
  });

  it('costs noise what PSNR says: ±4 levels on every pixel is 36.1 dB', () => {
    const luma = drawn(1280, 5);
    const { topPx, heightPx } = stripRect(1280);
    for (let y = Math.ceil(topPx); y < topPx + heightPx; y++) for (let x = 0; x < 1280; x++) luma[y * 1280 + x] = luma[y * 1280 + x]! + ((x + y) % 2 ? 4 : -4);
    // MSE 16 (plus the rounding to whole levels): 10 log10(255² / 16) = 36.1 dB.
    expect(stripPsnrDb(luma, 1280, 1280, 5, LIMITED)).toBeCloseTo(36.1, 1);
  });

  it('is carried by pictures of any usual shape, at every layer alike, not by a thin band', () => {
    for (const [w, h] of [[1280, 720], [320, 180], [160, 90], [640, 480], [360, 640]] as const) expect(hasStrip(w, h), `${w}x${h}`).toBe(true);
    expect(hasStrip(1280, 150)).toBe(false);
    expect(hasStrip(320, 37)).toBe(hasStrip(1280, 148));
  });

  it("reads the luma scale off the code band's black and white cells", () => {
    const bits = encodeStamp(1, 2, 3);
    const cells = bits.map((b) => (b ? 230 : 20));
    expect(lumaScale(cells, bits)).toEqual({ black: 20, white: 230 });
    expect(lumaScale([10, 10], [0, 0])).toBeUndefined();
  });
});
