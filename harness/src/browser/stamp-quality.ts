// A picture quality score for stamped video: the PSNR of a known strip of the picture against the
// strip the sender drew. Pure: the source draws the strip (stamped-source.ts), the reader measures
// it on the decoded frame (stamp-reader.ts), this file says what it should be.
//
// The strip lies right under the code band: REF_ROWS rows, each 1/ROW_DIVISOR of the width tall,
// of grey blocks ever finer, row r cut into 32 x 2^r columns (20, 10, 5 and 2.5 px at 640 wide).
// Its geometry scales with the picture, so a viewer knows it at any resolution it receives (a
// simulcast layer is the whole picture scaled). Each frame shifts each row one of its blocks left
// (motion the encoder predicts), so the strip of frame n is known from n. The viewer compares
// every pixel with the sharp strip sampled at that pixel's centre: each halving of the resolution
// leaves one more row finer than its pixels, so a lower layer scores lower, as do coarser
// quantisation and corruption at any layer. Luma only; its scale is taken from the code band's
// black and white cells of the same frame, so the colour conversion's range is not an error.
import { bandHeightPx } from './stamp-code.ts';

export const REF_ROWS = 4;
/** Each row is this fraction of the picture's width tall. */
const ROW_DIVISOR = 64;
/** Blocks in row r: 32 x 2^r. */
export function stripColumns(row: number): number {
  return 32 << row;
}
/** A perfect match would be infinite: scores are capped here. */
export const MAX_PSNR_DB = 60;

/** Grey levels of each row's blocks at frame 0; mid-range, so that no block clips. */
const LEVELS: readonly (readonly number[])[] = (() => {
  let seed = 0x9e3779b9;
  return Array.from({ length: REF_ROWS }, (_, r) =>
    Array.from({ length: stripColumns(r) }, () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return 32 + Math.floor(((seed >>> 0) / 2 ** 32) * 192);
    }),
  );
})();

/** The grey level (0..255) of the block in `row`, `col` of frame `frame`'s strip. */
export function stripLevel(frame: number, row: number, col: number): number {
  const n = stripColumns(row);
  return LEVELS[row]![(((col + frame) % n) + n) % n]!;
}

/** Where the strip lies in a picture `widthPx` wide: its top and height, and the height of a row, px. */
export function stripRect(widthPx: number): { topPx: number; heightPx: number; rowPx: number } {
  const rowPx = widthPx / ROW_DIVISOR;
  return { topPx: bandHeightPx(widthPx), heightPx: REF_ROWS * rowPx, rowPx };
}

/**
 * Whether a picture of this size carries the strip: only when it takes at most 80 % of the height
 * (a scale-free rule, so that sender and viewer agree at any layer).
 */
export function hasStrip(widthPx: number, heightPx: number): boolean {
  const { topPx, heightPx: stripPx } = stripRect(widthPx);
  return (topPx + stripPx) * 1.25 <= heightPx;
}

/** What the luma plane reads for black and for white, from the code band's cells of the same frame. */
export interface LumaScale {
  black: number;
  white: number;
}

/** The luma scale from the code cells' brightness and the bits they carry; undefined without both colours. */
export function lumaScale(cellBrightness: ArrayLike<number>, bits: ArrayLike<number>): LumaScale | undefined {
  let black = 0;
  let white = 0;
  let blacks = 0;
  let whites = 0;
  for (let i = 0; i < bits.length; i++) {
    if (bits[i]) (white += cellBrightness[i]!), whites++;
    else (black += cellBrightness[i]!), blacks++;
  }
  if (blacks === 0 || whites === 0) return undefined;
  return { black: black / blacks, white: white / whites };
}

/**
 * PSNR, dB (peak 255), of the strip in a luma plane (`stride` bytes a row, row 0 the picture's
 * top, at least down to the strip's bottom) of a frame `widthPx` wide carrying frame `frame`,
 * against the sharp strip; capped at MAX_PSNR_DB. Pixels whose centre lies in the strip count.
 */
export function stripPsnrDb(luma: ArrayLike<number>, stride: number, widthPx: number, frame: number, scale: LumaScale): number {
  const { topPx, heightPx, rowPx } = stripRect(widthPx);
  const gain = (scale.white - scale.black) / 255;
  // Each row's expected luma by pixel column, made once per row.
  const expected = Array.from({ length: REF_ROWS }, (_, r) => {
    const cols = stripColumns(r);
    const line = new Float64Array(widthPx);
    for (let x = 0; x < widthPx; x++) line[x] = scale.black + gain * stripLevel(frame, r, Math.min(cols - 1, Math.floor(((x + 0.5) * cols) / widthPx)));
    return line;
  });
  const y0 = Math.ceil(topPx - 0.5);
  const y1 = Math.ceil(topPx + heightPx - 0.5);
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    const line = expected[Math.min(REF_ROWS - 1, Math.max(0, Math.floor((y + 0.5 - topPx) / rowPx)))]!;
    const base = y * stride;
    for (let x = 0; x < widthPx; x++) {
      const d = luma[base + x]! - line[x]!;
      sum += d * d;
    }
    n += widthPx;
  }
  if (n === 0) return 0;
  const mse = sum / n;
  return mse <= 0 ? MAX_PSNR_DB : Math.min(MAX_PSNR_DB, 10 * Math.log10((255 * 255) / mse));
}
