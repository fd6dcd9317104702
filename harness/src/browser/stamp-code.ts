// The block code a stamped video frame carries in a band along its top edge: which frame it is,
// who sent it and when it was captured, in cells large enough to survive the lowest simulcast
// layer (a quarter of the width) and a starved VP8 encoder. Pure: the source draws the cells
// (stamped-source.ts), the reader measures their brightness (stamp-reader.ts), this file turns
// one into the other.
//
// Layout: CODE_COLUMNS x CODE_ROWS cells, each 1/CODE_COLUMNS of the frame's width wide and
// CELL_ASPECT times as tall; row-major, most significant bit first; white is 1.
// Payload: frame number (16 bits, wraps), sender (8 bits), capture time (the low 24 bits of a
// unix ms time, 4.6 hours before it wraps: the reader unwraps it against its own clock), and a
// CRC-16 over those 48 bits, so a frame read wrong is dropped rather than measured.

export const CODE_COLUMNS = 32;
export const CODE_ROWS = 2;
/** Cell height over cell width: taller cells survive vertical subsampling and ringing better. */
export const CELL_ASPECT = 1.5;
export const CODE_BITS = CODE_COLUMNS * CODE_ROWS;

const FRAME_BITS = 16;
const SENDER_BITS = 8;
const TIME_BITS = 24;
const CRC_BITS = 16;
const TIME_MODULO = 2 ** TIME_BITS;

/** Below this spread between the darkest and the brightest cell there is no code in the band. */
const MIN_CONTRAST = 64;

export interface Stamp {
  /** Frame number modulo 2^16. */
  frame: number;
  /** The sender's number in the run, 0..255. */
  sender: number;
  /** Capture time, unix ms, modulo 2^24 (see unwrapTimeMs). */
  timeLow: number;
}

/** Height of the code band for a frame `widthPx` wide, px (the source draws it, the reader reads it). */
export function bandHeightPx(widthPx: number): number {
  return (widthPx / CODE_COLUMNS) * CELL_ASPECT * CODE_ROWS;
}

/** CRC-16/CCITT-FALSE over `bits` (0/1 values). */
function crc16(bits: ArrayLike<number>, count: number): number {
  let crc = 0xffff;
  for (let i = 0; i < count; i++) {
    const top = ((crc >> 15) & 1) ^ (bits[i]! & 1);
    crc = (crc << 1) & 0xffff;
    if (top) crc ^= 0x1021;
  }
  return crc;
}

function pushBits(out: number[], value: number, width: number): void {
  for (let i = width - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** i) % 2);
}

function readBits(bits: ArrayLike<number>, from: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 2 + (bits[from + i]! & 1);
  return v;
}

/** The cells of a stamp, CODE_BITS values of 0 (black) or 1 (white), row-major. */
export function encodeStamp(frame: number, sender: number, timeMs: number): number[] {
  const bits: number[] = [];
  pushBits(bits, frame % 2 ** FRAME_BITS, FRAME_BITS);
  pushBits(bits, sender % 2 ** SENDER_BITS, SENDER_BITS);
  pushBits(bits, Math.floor(timeMs) % TIME_MODULO, TIME_BITS);
  pushBits(bits, crc16(bits, bits.length), CRC_BITS);
  return bits;
}

/**
 * Reads a stamp from the brightness of its cells (CODE_BITS values, any scale, row-major), with
 * the threshold half-way between the darkest and the brightest cell so that a codec's shift in
 * levels does not matter. null: no code there, or one damaged beyond its check.
 */
export function decodeStamp(cellBrightness: ArrayLike<number>): Stamp | null {
  if (cellBrightness.length < CODE_BITS) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < CODE_BITS; i++) {
    const v = cellBrightness[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi - lo >= MIN_CONTRAST)) return null;
  const mid = (lo + hi) / 2;
  const bits = new Array<number>(CODE_BITS);
  for (let i = 0; i < CODE_BITS; i++) bits[i] = cellBrightness[i]! > mid ? 1 : 0;
  const payload = FRAME_BITS + SENDER_BITS + TIME_BITS;
  if (readBits(bits, payload, CRC_BITS) !== crc16(bits, payload)) return null;
  return {
    frame: readBits(bits, 0, FRAME_BITS),
    sender: readBits(bits, FRAME_BITS, SENDER_BITS),
    timeLow: readBits(bits, FRAME_BITS + SENDER_BITS, TIME_BITS),
  };
}

/** The unix ms time whose low 24 bits are `timeLow`, nearest to `nearMs` (the reader's now). */
export function unwrapTimeMs(timeLow: number, nearMs: number): number {
  const base = nearMs - (nearMs % TIME_MODULO);
  let t = base + timeLow;
  if (t - nearMs > TIME_MODULO / 2) t -= TIME_MODULO;
  else if (nearMs - t > TIME_MODULO / 2) t += TIME_MODULO;
  return t;
}

/** Frames from `prev` to `next` with frame numbers that wrap at 2^16: 1 for the next frame, 0 for the same. */
export function frameStep(prev: number, next: number): number {
  return (next - prev + 2 ** FRAME_BITS) % 2 ** FRAME_BITS;
}

/**
 * The brightness of each cell from RGBA pixels of the band drawn at `pxPerCell` pixels per cell
 * both ways (a canvas CODE_COLUMNS*pxPerCell wide): the mean luma of each cell's inner pixels,
 * away from its edges where the codec rings and the scaler blends neighbours.
 */
export function cellBrightness(rgba: ArrayLike<number>, pxPerCell: number, out: number[] = []): number[] {
  const rowPx = CODE_COLUMNS * pxPerCell;
  const margin = pxPerCell >= 4 ? Math.floor(pxPerCell / 4) : 0;
  for (let r = 0; r < CODE_ROWS; r++) {
    for (let c = 0; c < CODE_COLUMNS; c++) {
      let sum = 0;
      let n = 0;
      for (let y = r * pxPerCell + margin; y < (r + 1) * pxPerCell - margin; y++) {
        for (let x = c * pxPerCell + margin; x < (c + 1) * pxPerCell - margin; x++) {
          const i = (y * rowPx + x) * 4;
          sum += 77 * rgba[i]! + 150 * rgba[i + 1]! + 29 * rgba[i + 2]!;
          n++;
        }
      }
      out[r * CODE_COLUMNS + c] = sum / n / 256;
    }
  }
  return out;
}

/** Luma samples each way inside a cell's inner half: enough to average out codec noise. */
const SAMPLES_PER_CELL_SIDE = 4;

/**
 * The brightness of each cell from the luma plane of the band (the top `heightPx` rows of a frame
 * `widthPx` wide, `stride` bytes a row): the mean of a few samples in each cell's inner half,
 * away from its edges where the codec rings and the scaler blends neighbours.
 */
export function lumaCellBrightness(luma: ArrayLike<number>, widthPx: number, heightPx: number, stride = widthPx, out: number[] = []): number[] {
  const cellW = widthPx / CODE_COLUMNS;
  const cellH = heightPx / CODE_ROWS;
  const n = SAMPLES_PER_CELL_SIDE;
  for (let r = 0; r < CODE_ROWS; r++) {
    for (let c = 0; c < CODE_COLUMNS; c++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        // Inner half: from a quarter to three quarters of the cell, each way.
        const y = Math.floor(cellH * (r + 0.25 + (0.5 * (j + 0.5)) / n));
        for (let i = 0; i < n; i++) {
          const x = Math.floor(cellW * (c + 0.25 + (0.5 * (i + 0.5)) / n));
          sum += luma[y * stride + x]!;
        }
      }
      out[r * CODE_COLUMNS + c] = sum / (n * n);
    }
  }
  return out;
}
