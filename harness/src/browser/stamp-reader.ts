// Reads the block code of every frame a remote video track renders: an off-screen <video> of its
// own plays the track, and requestVideoFrameCallback hands each frame with the time it is expected
// on screen; the code band's luma, copied out of that very frame (VideoFrame.copyTo of the band's
// rows), gives the frame number and capture time (stamp-code.ts), which the track's FrameTally
// turns into latency, skips and freezes. Every PSNR_EVERY_FRAMES-th frame read, the rows of the
// reference strip under the band are copied too, for the PSNR of the picture (stamp-quality.ts).
//
// Why not a canvas: drawing a video into a 2D canvas and reading it back cost ~120 MiB per
// renderer in Chromium (measured: README, glass-to-glass cost), the band's luma from the decoded
// frame costs nothing worth measuring. A frame with no CPU-readable planes (a GPU-decoded one)
// falls back to the canvas, created only then.
import { CODE_COLUMNS, CODE_ROWS, bandHeightPx, cellBrightness, decodeStamp, encodeStamp, lumaCellBrightness, type Stamp } from './stamp-code.ts';
import { hasStrip, lumaScale, stripPsnrDb, stripRect } from './stamp-quality.ts';
import { FrameTally } from './frame-tally.ts';
import { wallMsOf } from './page-clock.ts';

/** Canvas pixels per cell each way (the fallback): enough for an inner 2x2 away from the cell's edges. */
const PX_PER_CELL = 4;
/** A track none of whose first frames carries a code has no stamped sender: stop reading it. */
const GIVE_UP_AFTER_FRAMES = 90;
/** Frames whose copy is still under way past which a new frame is counted unread, not queued (a stalled page). */
const MAX_PENDING_COPIES = 4;
/**
 * The strip's PSNR on one frame read in this many: ~160 µs a frame 640 wide (~350 at 1280, in V8),
 * so every third keeps it near 0.2 % of a core per stream at 30 fps, 10 scores a second.
 */
const PSNR_EVERY_FRAMES = 3;
/** Pixel formats whose first plane is luma, one byte a pixel. */
const LUMA_FIRST = new Set(['I420', 'I420A', 'I422', 'I444', 'NV12']);

type FrameCallback = (nowMs: number, meta: VideoFrameCallbackMetadata) => void;

export interface StampReader {
  readonly tally: FrameTally;
  /** False once it gave up (no code in its first frames) or the track ended. */
  readonly reading: boolean;
  stop(): void;
}

/** What one decoded frame says: its stamp (null when unreadable) and, when measured, the strip's PSNR. */
interface FrameReading {
  stamp: Stamp | null;
  psnrDb?: number;
}

/** Reads a decoded frame whose first plane is luma: the band's rows, and the strip's when `withPsnr`. */
async function readLuma(frame: VideoFrame, buffer: { bytes: Uint8Array }, cells: number[], withPsnr: boolean): Promise<FrameReading> {
  const visible = frame.visibleRect!;
  const widthPx = visible.width & ~1;
  const strip = stripRect(widthPx);
  const wantedRows = Math.ceil(withPsnr ? strip.topPx + strip.heightPx : bandHeightPx(widthPx));
  // Even rows and origin: chroma planes are subsampled, and copyTo wants the rect aligned to them.
  const rows = Math.min(visible.height & ~1, (wantedRows + 1) & ~1);
  if (widthPx < CODE_COLUMNS || rows < CODE_ROWS) return { stamp: null };
  const rect = { x: visible.x & ~1, y: visible.y & ~1, width: widthPx, height: rows };
  const size = frame.allocationSize({ rect });
  if (buffer.bytes.byteLength < size) buffer.bytes = new Uint8Array(size);
  const layout = await frame.copyTo(buffer.bytes, { rect });
  const luma = buffer.bytes.subarray(layout[0]!.offset);
  const stride = layout[0]!.stride;
  const stamp = decodeStamp(lumaCellBrightness(luma, widthPx, bandHeightPx(widthPx), stride, cells));
  if (!stamp || !withPsnr || rows < wantedRows || !hasStrip(visible.width, visible.height)) return { stamp };
  const scale = lumaScale(cells, encodeStamp(stamp.frame, stamp.sender, stamp.timeLow));
  return scale ? { stamp, psnrDb: stripPsnrDb(luma, stride, widthPx, stamp.frame, scale) } : { stamp };
}

/**
 * Starts reading `track`. `clockOffsetMs` puts the page's times on the run's reference clock, as
 * the sender's stamps are.
 */
export function readStamps(win: Window & typeof globalThis, track: MediaStreamTrack, clockOffsetMs: number): StampReader {
  const tally = new FrameTally();
  const video = win.document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new win.MediaStream([track]);
  const cells: number[] = [];
  const buffer = { bytes: new Uint8Array(0) };
  let canvas: { g: CanvasRenderingContext2D; widthPx: number; heightPx: number } | undefined;
  // Frame times are on the performance clock: on the reference clock through page-clock.ts.
  const onRefClock = (performanceMs: number): number => wallMsOf(win, performanceMs) + clockOffsetMs;
  let reading = true;
  let handle: number | undefined;
  // Copies finish in the order they started: frames are tallied in the order they were shown.
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;

  const stop = (): void => {
    if (!reading) return;
    reading = false;
    if (handle !== undefined) video.cancelVideoFrameCallback(handle);
    video.srcObject = null;
  };
  const readByCanvas = (): Stamp | null => {
    if (!canvas) {
      const c = win.document.createElement('canvas');
      c.width = CODE_COLUMNS * PX_PER_CELL;
      c.height = CODE_ROWS * PX_PER_CELL;
      canvas = { g: c.getContext('2d', { willReadFrequently: true, alpha: false })!, widthPx: c.width, heightPx: c.height };
    }
    const widthPx = video.videoWidth;
    canvas.g.drawImage(video, 0, 0, widthPx, bandHeightPx(widthPx), 0, 0, canvas.widthPx, canvas.heightPx);
    return decodeStamp(cellBrightness(canvas.g.getImageData(0, 0, canvas.widthPx, canvas.heightPx).data, PX_PER_CELL, cells));
  };
  // expectedDisplayTime can lie in the past: for frames recovered late (retransmitted after an
  // outage) Chromium keeps the render time libwebrtc planned for them, which would shorten the
  // latency of stale frames and cut a freeze short. A frame is never on screen before the
  // callback that hands it over (nowMs).
  const tallied = (nowMs: number, meta: VideoFrameCallbackMetadata, stamp: Stamp | null, psnrDb?: number): void => {
    tally.add({
      displayMs: onRefClock(Math.max(nowMs, meta.expectedDisplayTime)),
      stamp,
      ...(psnrDb !== undefined ? { psnrDb } : {}),
      ...(meta.captureTime !== undefined ? { captureTimeMs: onRefClock(meta.captureTime) } : {}),
    });
    if (tally.framesRead === 0 && tally.framesRendered >= GIVE_UP_AFTER_FRAMES) stop();
  };
  const onFrame: FrameCallback = (nowMs, meta) => {
    if (!reading) return;
    handle = video.requestVideoFrameCallback(onFrame);
    if (video.videoWidth === 0) return;
    if (pending >= MAX_PENDING_COPIES) {
      queue = queue.then(() => tallied(nowMs, meta, null));
      return;
    }
    let frame: VideoFrame;
    try {
      // Inside the callback, the element's frame is exactly the one the metadata describes.
      frame = new win.VideoFrame(video, { timestamp: 0 });
    } catch {
      queue = queue.then(() => tallied(nowMs, meta, null));
      return;
    }
    if (!frame.format || !LUMA_FIRST.has(frame.format)) {
      frame.close();
      const stamp = readByCanvas(); // now, while the element still shows this frame
      queue = queue.then(() => tallied(nowMs, meta, stamp));
      return;
    }
    pending++;
    // One copy at a time into one buffer; the frame stays open (and its pixels valid) until then.
    queue = queue
      .then(() => readLuma(frame, buffer, cells, tally.framesRead % PSNR_EVERY_FRAMES === 0))
      .catch((): FrameReading => ({ stamp: null }))
      .then((r) => tallied(nowMs, meta, r.stamp, r.psnrDb))
      .finally(() => {
        frame.close();
        pending--;
      });
  };
  track.addEventListener('ended', stop);
  handle = video.requestVideoFrameCallback(onFrame);
  video.play().catch(() => {
    // Autoplay of a muted element is always allowed; a failure means the track is gone.
  });
  return {
    tally,
    get reading() {
      return reading;
    },
    stop,
  };
}
