// The 'replay' camera's clip: a few seconds of camera-like video (a textured background panning,
// a subject crossing it, sensor noise that changes every frame) encoded once per page with
// WebCodecs, as VP8 at the bitrate libwebrtc would send that size at. The replay worker
// (replay-worker.ts) then puts these frames on the wire in place of what the browser's encoder
// makes of a tiny stand-in, so the page pays for decoding what it receives but hardly for encoding
// what it sends. Encoded as fast as the encoder goes (about a second of CPU for 150 frames at
// 640x360), not in real time.

/** One encoded frame of the clip. */
export interface ReplayFrame {
  key: boolean;
  data: ArrayBuffer;
}

export interface ReplayClipOptions {
  widthPx: number;
  heightPx: number;
  fps: number;
  /** Length of the loop, s; its first frame is the only key frame. */
  seconds: number;
}

/** What libwebrtc sends at most for 640x360 (measured: 1.7 Mbps), scaled by the pixel count. */
export function replayBitrateBps(widthPx: number, heightPx: number): number {
  const bps = (1_700_000 * widthPx * heightPx) / (640 * 360);
  return Math.round(Math.min(2_500_000, Math.max(100_000, bps)));
}

/** Texture blocks, px, and noise tiles: enough variety that every frame costs the encoder bits. */
const BLOCK_PX = 8;
const NOISE_TILES = 4;
const NOISE_LEVELS = 6;
const PAN_PX_PER_FRAME = 3;

type Canvas2D = OffscreenCanvasRenderingContext2D;

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function canvas(widthPx: number, heightPx: number): { c: OffscreenCanvas; g: Canvas2D } {
  const c = new OffscreenCanvas(widthPx, heightPx);
  return { c, g: c.getContext('2d', { alpha: true })! };
}

/** Encodes the clip; rejects where WebCodecs cannot encode VP8 at that size. */
export async function encodeReplayClip(options: ReplayClipOptions): Promise<ReplayFrame[]> {
  const { widthPx, heightPx, fps } = options;
  const count = Math.max(1, Math.round(options.seconds * fps));
  const rand = seeded(0x51ed270b);
  // Background twice as wide, so panning wraps without a seam.
  const bg = canvas(widthPx * 2, heightPx);
  for (let y = 0; y < heightPx; y += BLOCK_PX) {
    for (let x = 0; x < widthPx; x += BLOCK_PX) {
      const l = 40 + Math.floor(rand() * 170);
      bg.g.fillStyle = `rgb(${l + Math.floor(rand() * 40) - 20},${l},${l - Math.floor(rand() * 40)})`;
      bg.g.fillRect(x, y, BLOCK_PX, BLOCK_PX);
      bg.g.fillRect(widthPx + x, y, BLOCK_PX, BLOCK_PX);
    }
  }
  const noise = Array.from({ length: NOISE_TILES }, () => {
    const tile = canvas(widthPx, heightPx);
    const img = tile.g.createImageData(widthPx, heightPx);
    for (let i = 0; i < img.data.length; i += 4) {
      const v = rand() < 0.5 ? 0 : 255;
      img.data[i] = img.data[i + 1] = img.data[i + 2] = v;
      img.data[i + 3] = Math.floor(rand() * NOISE_LEVELS * 2);
    }
    tile.g.putImageData(img, 0, 0);
    return tile.c;
  });
  const frame = canvas(widthPx, heightPx);

  const out: ReplayFrame[] = [];
  let failure: unknown;
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const data = new ArrayBuffer(chunk.byteLength);
      chunk.copyTo(data);
      out.push({ key: chunk.type === 'key', data });
    },
    error: (err) => {
      failure = err;
    },
  });
  const config: VideoEncoderConfig = { codec: 'vp8', width: widthPx, height: heightPx, bitrate: replayBitrateBps(widthPx, heightPx), framerate: fps, latencyMode: 'realtime' };
  if (!(await VideoEncoder.isConfigSupported(config)).supported) throw new Error(`this browser cannot encode VP8 at ${widthPx}x${heightPx} with WebCodecs`);
  encoder.configure(config);
  for (let n = 0; n < count; n++) {
    const pan = (n * PAN_PX_PER_FRAME) % widthPx;
    frame.g.drawImage(bg.c, pan, 0, widthPx, heightPx, 0, 0, widthPx, heightPx);
    const phase = n / count;
    frame.g.fillStyle = '#c84';
    frame.g.beginPath();
    frame.g.arc(phase * widthPx, heightPx * (0.5 + 0.25 * Math.sin(phase * 2 * Math.PI)), heightPx / 6, 0, 2 * Math.PI);
    frame.g.fill();
    frame.g.drawImage(noise[n % NOISE_TILES]!, 0, 0);
    const vf = new VideoFrame(frame.c, { timestamp: Math.round((n * 1e6) / fps), duration: Math.round(1e6 / fps) });
    encoder.encode(vf, { keyFrame: n === 0 });
    vf.close();
    // Keep the encoder's queue short: frames wait as pixels, which is what memory would hold.
    while (encoder.encodeQueueSize > 4) await new Promise((r) => setTimeout(r, 1));
  }
  await encoder.flush();
  encoder.close();
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  if (out.length !== count || !out[0]!.key) throw new Error(`the clip's encoder gave ${out.length} of ${count} frames${out[0]?.key ? '' : ', not starting with a key frame'}`);
  return out;
}
