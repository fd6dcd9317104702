// The 'clip' video source: a generated .y4m that Chromium's fake camera loops
// (--use-file-for-fake-video-capture) instead of its test pattern. The pattern is flat colour and
// a ticking counter, which VP8 encodes at ~0.27 Mbps at 640x360; a camera's picture has texture,
// motion and sensor noise, which keeps an encoder at its target rate and costs what real calls
// cost. The clip has all three: a textured background the camera pans over, a textured subject
// moving across it, and per-frame noise. Its motion repeats every CLIP_SECONDS, so the loop has
// no seam (the encoder sees no scene cut when the file wraps).
//
// Made once per size and frame rate (about a second of CPU) and kept in the cache folder, where
// every browser maps the same file. Deterministic: the same size always gives the same bytes.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { xoroshiro128plus } from 'pure-rand';

/** Length of the loop, s: short keeps the file small (640x360@30: 52 MB), long enough to look like motion. */
export const CLIP_SECONDS = 5;
/** Bumped when the picture changes, so a cached clip of an older kind is never used. */
const CLIP_VERSION = 2;
/** Amplitude of the per-pixel noise, luma levels (a webcam in an office shows about this). */
const NOISE_LEVELS = 3;

export interface ClipFormat {
  width: number;
  height: number;
  fps: number;
}

/** Uniform in [0, 1), seeded: the clip must be the same bytes on every machine. */
function makeRandom(seed: number): () => number {
  const generator = xoroshiro128plus(seed);
  return () => (generator.unsafeNext() >>> 0) / 4_294_967_296;
}

/** Where clips are kept: $RTC_HARNESS_CACHE_DIR/clips, else ~/.cache/rtc-harness/clips. */
export function clipDir(): string {
  return join(process.env.RTC_HARNESS_CACHE_DIR ?? join(homedir(), '.cache', 'rtc-harness'), 'clips');
}

/** The clip for `format`, made now if it is not in the cache yet; returns its path. */
export function ensureClip(format: ClipFormat): string {
  const { width, height, fps } = format;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 16 && height >= 16 && width % 2 === 0 && height % 2 === 0)) {
    throw new Error(`a clip needs an even width and height of at least 16 px, got ${width}x${height}`);
  }
  if (!(Number.isInteger(fps) && fps >= 1 && fps <= 60)) throw new Error(`a clip needs a whole frame rate from 1 to 60, got ${fps}`);
  const dir = clipDir();
  const path = join(dir, `clip-v${CLIP_VERSION}-${width}x${height}-${fps}fps.y4m`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  // Written aside and renamed: a run that dies half-way never leaves a truncated clip behind.
  const partial = `${path}.${process.pid}.partial`;
  const fd = openSync(partial, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    const frames = CLIP_SECONDS * fps;
    const render = clipRenderer(width, height);
    const frame = Buffer.alloc((width * height * 3) / 2);
    for (let i = 0; i < frames; i++) {
      render(i / frames, i, frame);
      writeSync(fd, 'FRAME\n');
      writeSync(fd, frame);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  return path;
}

/**
 * A value-noise texture of `w`x`h` luma values: random grids at several scales, bilinearly
 * interpolated and summed, so it has both large shapes and fine detail, like a room.
 */
function texture(w: number, h: number, seed: number, mean: number, contrast: number): Uint8Array {
  const random = makeRandom(seed);
  const out = new Float32Array(w * h);
  for (const [cell, weight] of [
    [64, 0.5],
    [16, 0.3],
    [4, 0.2],
  ] as const) {
    const gw = Math.ceil(w / cell) + 2;
    const gh = Math.ceil(h / cell) + 2;
    const grid = Float32Array.from({ length: gw * gh }, () => random() * 2 - 1);
    for (let y = 0; y < h; y++) {
      const gy = y / cell;
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      for (let x = 0; x < w; x++) {
        const gx = x / cell;
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const a = grid[y0 * gw + x0]!;
        const b = grid[y0 * gw + x0 + 1]!;
        const c = grid[(y0 + 1) * gw + x0]!;
        const d = grid[(y0 + 1) * gw + x0 + 1]!;
        out[y * w + x]! += weight * ((a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy);
      }
    }
  }
  return Uint8Array.from(out, (v) => Math.max(16, Math.min(235, Math.round(mean + v * contrast))));
}

/** Returns a function that draws the frame at `phase` (0..1 of the loop) into an I420 buffer. */
function clipRenderer(width: number, height: number): (phase: number, index: number, out: Buffer) => void {
  // The camera pans over a background larger than the frame by `pan` px on each side.
  const pan = Math.round(Math.min(width, height) / 8);
  const bw = width + 2 * pan;
  const bh = height + 2 * pan;
  const background = texture(bw, bh, 1, 120, 90);
  // Hard edges too (shelves, frames, a window): a room is not all soft texture.
  const shapes = makeRandom(6);
  for (let n = 0; n < 14; n++) {
    const x0 = Math.floor(shapes() * bw);
    const y0 = Math.floor(shapes() * bh);
    const x1 = Math.min(bw, x0 + 8 + Math.floor(shapes() * bw * 0.25));
    const y1 = Math.min(bh, y0 + 8 + Math.floor(shapes() * bh * 0.25));
    const shift = Math.round((shapes() * 2 - 1) * 60);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) background[y * bw + x] = Math.max(16, Math.min(235, background[y * bw + x]! + shift));
    }
  }
  const backgroundU = texture(bw / 2, bh / 2, 2, 118, 20);
  const backgroundV = texture(bw / 2, bh / 2, 3, 136, 20);
  // The subject: a textured disc, a third of the frame high, moving on a figure of eight.
  const radius = Math.round(height / 6);
  const subject = texture(2 * radius, 2 * radius, 4, 150, 70);
  const random = makeRandom(5);
  const noise = Int8Array.from({ length: width * height + 4099 }, () => Math.round((random() * 2 - 1) * NOISE_LEVELS));
  const cw = width / 2;
  const ch = height / 2;
  return (phase, index, out) => {
    const angle = 2 * Math.PI * phase;
    const dx = pan + Math.round(pan * 0.9 * Math.cos(angle));
    const dy = pan + Math.round(pan * 0.5 * Math.sin(angle));
    const sx = Math.round(width / 2 + width * 0.25 * Math.sin(angle));
    const sy = Math.round(height / 2 + height * 0.15 * Math.sin(2 * angle));
    const noiseOffset = (index * 7919) % 4099;
    for (let y = 0; y < height; y++) {
      const row = (y + dy) * bw + dx;
      const oy = y - sy;
      for (let x = 0; x < width; x++) {
        const ox = x - sx;
        let v = ox * ox + oy * oy < radius * radius ? subject[(oy + radius) * 2 * radius + ox + radius]! : background[row + x]!;
        v += noise[y * width + x + noiseOffset]!;
        out[y * width + x] = v < 16 ? 16 : v > 235 ? 235 : v;
      }
    }
    // Chroma: the background's colour, the subject a warm tone; no noise (cameras denoise it).
    const u = width * height;
    const v = u + cw * ch;
    const cdx = dx / 2;
    const cdy = dy / 2;
    for (let y = 0; y < ch; y++) {
      const oy = 2 * y - sy;
      for (let x = 0; x < cw; x++) {
        const ox = 2 * x - sx;
        const inSubject = ox * ox + oy * oy < radius * radius;
        const b = Math.floor(y + cdy) * (bw / 2) + Math.floor(x + cdx);
        out[u + y * cw + x] = inSubject ? 110 : backgroundU[b]!;
        out[v + y * cw + x] = inSubject ? 150 : backgroundV[b]!;
      }
    }
  };
}
