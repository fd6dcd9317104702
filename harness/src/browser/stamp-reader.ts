// Reads the block code of every frame a remote video track renders: an off-screen <video> of its
// own plays the track, and requestVideoFrameCallback hands each frame with the time it is expected
// on screen; the code band, drawn into a canvas of a few cells' pixels, gives the frame number and
// capture time (stamp-code.ts), which the track's FrameTally turns into latency, skips and freezes.
import { CODE_COLUMNS, CODE_ROWS, bandHeightPx, cellBrightness, decodeStamp } from './stamp-code.ts';
import { FrameTally } from './frame-tally.ts';

/** Canvas pixels per cell each way: enough for an inner 2x2 away from the cell's edges. */
const PX_PER_CELL = 4;
/** A track none of whose first frames carries a code has no stamped sender: stop reading it. */
const GIVE_UP_AFTER_FRAMES = 90;

type FrameCallback = (nowMs: number, meta: VideoFrameCallbackMetadata) => void;

export interface StampReader {
  readonly tally: FrameTally;
  /** False once it gave up (no code in its first frames) or the track ended. */
  readonly reading: boolean;
  stop(): void;
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
  const canvas = win.document.createElement('canvas');
  canvas.width = CODE_COLUMNS * PX_PER_CELL;
  canvas.height = CODE_ROWS * PX_PER_CELL;
  const g = canvas.getContext('2d', { willReadFrequently: true, alpha: false })!;
  const cells: number[] = [];
  const origin = win.performance.timeOrigin + clockOffsetMs;
  let reading = true;
  let handle: number | undefined;

  const stop = (): void => {
    if (!reading) return;
    reading = false;
    if (handle !== undefined) video.cancelVideoFrameCallback(handle);
    video.srcObject = null;
  };
  const onFrame: FrameCallback = (nowMs, meta) => {
    if (!reading) return;
    handle = video.requestVideoFrameCallback(onFrame);
    const widthPx = video.videoWidth;
    if (widthPx === 0) return;
    // Drawn inside the callback, drawImage paints exactly the frame the metadata describes.
    g.drawImage(video, 0, 0, widthPx, bandHeightPx(widthPx), 0, 0, canvas.width, canvas.height);
    const stamp = decodeStamp(cellBrightness(g.getImageData(0, 0, canvas.width, canvas.height).data, PX_PER_CELL, cells));
    // expectedDisplayTime can lie in the past: for frames recovered late (retransmitted after an
    // outage) Chromium keeps the render time libwebrtc planned for them, which would cut one long
    // freeze into pieces and shorten the latency of stale frames. A frame is never on screen
    // before the callback that hands it over.
    tally.add({
      displayMs: origin + Math.max(nowMs, meta.expectedDisplayTime),
      stamp,
      ...(meta.captureTime !== undefined ? { captureTimeMs: origin + meta.captureTime } : {}),
    });
    if (tally.framesRead === 0 && tally.framesRendered >= GIVE_UP_AFTER_FRAMES) stop();
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
