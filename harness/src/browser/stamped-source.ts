// The 'stamped' camera: a video track drawn in the page, with moving texture (so the encoder works
// as on a camera's picture) under a block code band (stamp-code.ts) that carries each frame's
// number, its sender and its capture time, and a strip of known grey blocks right under the band
// (stamp-quality.ts) whose PSNR scores the picture a viewer gets. A getUserMedia stand-in hands it
// to any page that asks for a camera, ours or an app's, and a stamped microphone (stamped-audio.ts)
// to any page that asks for one.
import { createStampedAudioTrack } from './stamped-audio.ts';
import { CODE_COLUMNS, CODE_ROWS, CELL_ASPECT, bandHeightPx, encodeStamp } from './stamp-code.ts';
import { REF_ROWS, hasStrip as carriesStrip, stripColumns, stripLevel, stripRect } from './stamp-quality.ts';

export interface StampedSourceOptions {
  /** The sender's number in the run (0..255), carried in every frame. */
  sender: number;
  /** Added to the page's clock before stamping: this machine's offset to the run's reference clock, ms. */
  clockOffsetMs: number;
}

/** The page's clock, unix ms (the agent's). */
export type Clock = () => number;

const DEFAULT_SIZE = { widthPx: 640, heightPx: 360, fps: 30 };
/** Pixels the texture pans per frame: a camera pan, so motion search has work to do. */
const PAN_PX_PER_FRAME = 3;
/** Side of the texture's blocks, px. */
const TEXTURE_BLOCK_PX = 8;

type GeneratorClass = new (init: { kind: 'video' }) => MediaStreamTrack & { writable: WritableStream<VideoFrame> };

/** Reads a constraint's wanted number: `640`, `{ ideal: 640 }`, `{ exact: 640 }`, `{ max: 640 }`. */
function wanted(c: unknown, fallback: number): number {
  if (typeof c === 'number' && Number.isFinite(c) && c > 0) return c;
  if (c && typeof c === 'object') {
    const o = c as Record<string, unknown>;
    for (const k of ['exact', 'ideal', 'max', 'min']) {
      const v = o[k];
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    }
  }
  return fallback;
}

/** A seeded texture twice the picture's width, so that panning wraps without a seam. */
function makeTexture(doc: Document, widthPx: number, heightPx: number): HTMLCanvasElement {
  const c = doc.createElement('canvas');
  c.width = widthPx * 2;
  c.height = heightPx;
  const g = c.getContext('2d')!;
  let seed = 0x2545f491;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const cols = Math.ceil(widthPx / TEXTURE_BLOCK_PX);
  for (let y = 0; y < heightPx; y += TEXTURE_BLOCK_PX) {
    for (let col = 0; col < cols; col++) {
      const l = 40 + Math.floor(rand() * 170);
      g.fillStyle = `rgb(${l + Math.floor(rand() * 40) - 20},${l},${l - Math.floor(rand() * 40)})`;
      // The same column on both halves: the texture repeats every widthPx.
      g.fillRect(col * TEXTURE_BLOCK_PX, y, TEXTURE_BLOCK_PX, TEXTURE_BLOCK_PX);
      g.fillRect(widthPx + col * TEXTURE_BLOCK_PX, y, TEXTURE_BLOCK_PX, TEXTURE_BLOCK_PX);
    }
  }
  return c;
}

/** A stamped video track of the given size and rate; it stops drawing once the track ends. */
export function createStampedTrack(
  win: Window & typeof globalThis,
  size: { widthPx: number; heightPx: number; fps: number },
  options: StampedSourceOptions,
  now: Clock,
): MediaStreamTrack {
  const widthPx = Math.max(CODE_COLUMNS * 2, Math.round(size.widthPx));
  const heightPx = Math.max(16, Math.round(size.heightPx));
  const frameMs = 1000 / size.fps;
  const canvas = win.document.createElement('canvas');
  canvas.width = widthPx;
  canvas.height = heightPx;
  const g = canvas.getContext('2d', { alpha: false })!;
  const bandPx = Math.ceil(bandHeightPx(widthPx));
  const strip = stripRect(widthPx);
  // The band and the strip above the texture; a picture too short for the strip has none.
  const hasStrip = carriesStrip(widthPx, heightPx);
  const topPx = hasStrip ? Math.round(strip.topPx + strip.heightPx) : bandPx;
  const greys = Array.from({ length: 256 }, (_, l) => `rgb(${l},${l},${l})`);
  const stripEdges = Array.from({ length: REF_ROWS }, (_, r) => ({
    y0: Math.round(strip.topPx + r * strip.rowPx),
    y1: Math.round(strip.topPx + (r + 1) * strip.rowPx),
    x: Array.from({ length: stripColumns(r) + 1 }, (_, c) => Math.round((c * widthPx) / stripColumns(r))),
  }));
  const texture = makeTexture(win.document, widthPx, heightPx - topPx);
  const cellX = Array.from({ length: CODE_COLUMNS + 1 }, (_, c) => Math.round((c * widthPx) / CODE_COLUMNS));
  const cellH = (widthPx / CODE_COLUMNS) * CELL_ASPECT;

  const Generator = (win as unknown as { MediaStreamTrackGenerator?: GeneratorClass }).MediaStreamTrackGenerator;
  let track: MediaStreamTrack;
  let push: () => void;
  if (Generator) {
    const gen = new Generator({ kind: 'video' });
    const writer = gen.writable.getWriter();
    track = gen;
    push = () => {
      const frame = new win.VideoFrame(canvas, { timestamp: Math.round(win.performance.now() * 1000) });
      // The generator closes each frame it takes; a full queue drops it, as a camera would.
      if ((writer.desiredSize ?? 1) > 0) writer.write(frame).catch(() => frame.close());
      else frame.close();
    };
  } else {
    const stream = canvas.captureStream(0);
    track = stream.getVideoTracks()[0]!;
    push = () => (track as CanvasCaptureMediaStreamTrack).requestFrame();
  }

  let frame = 0;
  const startMs = win.performance.now();
  const draw = (): void => {
    if (track.readyState === 'ended') return;
    const pan = (frame * PAN_PX_PER_FRAME) % widthPx;
    g.drawImage(texture, pan, 0, widthPx, heightPx - topPx, 0, topPx, widthPx, heightPx - topPx);
    // A disc crossing the picture: local motion on top of the pan.
    const phase = (frame % 240) / 240;
    g.fillStyle = '#d23';
    g.beginPath();
    g.arc(phase * widthPx, topPx + (heightPx - topPx) * (0.5 + 0.3 * Math.sin(phase * 2 * Math.PI)), heightPx / 10, 0, 2 * Math.PI);
    g.fill();
    // The reference strip after the disc, so that nothing covers it.
    if (hasStrip) {
      for (let r = 0; r < REF_ROWS; r++) {
        const { y0, y1, x } = stripEdges[r]!;
        for (let c = 0; c + 1 < x.length; c++) {
          g.fillStyle = greys[stripLevel(frame % 2 ** 16, r, c)]!;
          g.fillRect(x[c]!, y0, x[c + 1]! - x[c]!, y1 - y0);
        }
      }
    }
    // Stamped last, right before the frame leaves: the capture time is when it exists.
    const bits = encodeStamp(frame, options.sender, now() + options.clockOffsetMs);
    g.fillStyle = '#000';
    g.fillRect(0, 0, widthPx, bandPx);
    g.fillStyle = '#fff';
    for (let r = 0; r < CODE_ROWS; r++) {
      const y0 = Math.round(r * cellH);
      const y1 = Math.round((r + 1) * cellH);
      for (let c = 0; c < CODE_COLUMNS; c++) {
        if (bits[r * CODE_COLUMNS + c]) g.fillRect(cellX[c]!, y0, cellX[c + 1]! - cellX[c]!, y1 - y0);
      }
    }
    push();
    frame++;
    // Scheduled from the start, not from the last tick, so timer lateness does not add up.
    const nextMs = startMs + frame * frameMs;
    win.setTimeout(draw, Math.max(0, nextMs - win.performance.now()));
  };
  draw();
  return track;
}

/**
 * Makes getUserMedia answer the page's requests with stamped tracks: a camera with a stamped video
 * track of the size and rate asked for, a microphone with coded tone bursts (stamped-audio.ts).
 */
export function installStampedDevices(win: Window & typeof globalThis, options: StampedSourceOptions, now: Clock): void {
  const proto = win.MediaDevices?.prototype;
  const desc = proto && Object.getOwnPropertyDescriptor(proto, 'getUserMedia');
  if (!proto || !desc || typeof desc.value !== 'function') return;
  const native = desc.value as MediaDevices['getUserMedia'];
  const getUserMedia = async function getUserMedia(this: MediaDevices, constraints?: MediaStreamConstraints): Promise<MediaStream> {
    const video = constraints?.video;
    const audio = constraints?.audio;
    // Nothing asked for: the browser's own error.
    if (!video && !audio) return native.call(this, constraints);
    const stream = new win.MediaStream();
    if (audio) stream.addTrack(createStampedAudioTrack(win, options, now));
    if (video) {
      const v = typeof video === 'object' ? video : {};
      const size = {
        widthPx: wanted(v.width, DEFAULT_SIZE.widthPx),
        heightPx: wanted(v.height, DEFAULT_SIZE.heightPx),
        fps: wanted(v.frameRate, DEFAULT_SIZE.fps),
      };
      stream.addTrack(createStampedTrack(win, size, options, now));
    }
    return stream;
  };
  Object.defineProperty(getUserMedia, 'length', { value: native.length });
  Object.defineProperty(proto, 'getUserMedia', { ...desc, value: getUserMedia });
}
