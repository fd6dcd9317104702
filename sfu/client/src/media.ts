// Capture: the camera and microphone through getUserMedia (Chromium's fake devices under the
// harness), and a synthetic screen drawn on a canvas, since a headless browser has no screen.
import type { ScreenShareOptions } from './api.ts';
import { errorMessage } from './signaling.ts';

export interface CaptureRequest {
  audio: boolean;
  video: { width: number; height: number; fps: number } | null;
}

export interface Captured {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
}

/** One getUserMedia call for both kinds: one permission prompt, one device start-up. */
export async function captureUserMedia(request: CaptureRequest, where: string): Promise<Captured> {
  if (!request.audio && !request.video) return { audio: null, video: null };
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error(`${where}: getUserMedia is unavailable (the page needs a secure origin: http://localhost or https)`);
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: request.audio,
      video: request.video
        ? {
            width: { ideal: request.video.width },
            height: { ideal: request.video.height },
            frameRate: { ideal: request.video.fps },
          }
        : false,
    });
  } catch (err) {
    throw new Error(
      `${where}: getUserMedia failed: ${errorMessage(err)} (under the harness Chromium needs --use-fake-device-for-media-stream)`,
    );
  }
  return { audio: stream.getAudioTracks()[0] ?? null, video: stream.getVideoTracks()[0] ?? null };
}

export interface SyntheticScreen {
  track: MediaStreamTrack;
  /** Stops drawing and the track. Idempotent. */
  stop(): void;
}

export const SCREEN_DEFAULTS = { width: 1280, height: 720, fps: 10 } as const;

/**
 * A slide-like moving picture: text and blocks that change every frame, so the encoder has work
 * to do (a static canvas would encode to almost nothing and hide bandwidth effects).
 */
export function startSyntheticScreen(options: ScreenShareOptions = {}): SyntheticScreen {
  const width = options.width ?? SCREEN_DEFAULTS.width;
  const height = options.height ?? SCREEN_DEFAULTS.height;
  const fps = options.fps ?? SCREEN_DEFAULTS.fps;
  for (const [key, value, max] of [['width', width, 3840], ['height', height, 2160], ['fps', fps, 60]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`startScreenShare: ${key} must be a whole number from 1 to ${max}, got ${value}`);
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('startScreenShare: the browser gave no 2D canvas context');
  const startedMs = performance.now();
  let frame = 0;
  const draw = (): void => {
    const elapsedS = (performance.now() - startedMs) / 1000;
    ctx.fillStyle = '#f4f4f0';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#203060';
    ctx.fillRect(0, 0, width, Math.round(height * 0.12));
    ctx.fillStyle = '#ffffff';
    ctx.font = `${Math.round(height * 0.06)}px sans-serif`;
    ctx.fillText(`Synthetic screen  ${elapsedS.toFixed(1)} s`, width * 0.03, height * 0.085);
    ctx.fillStyle = '#222222';
    ctx.font = `${Math.round(height * 0.035)}px monospace`;
    for (let line = 0; line < 8; line++) {
      const text = `line ${line + 1}: frame ${frame} ${'#'.repeat((frame + line * 7) % 40)}`;
      ctx.fillText(text, width * 0.05, height * (0.22 + line * 0.08));
    }
    // A block sweeping across: motion the encoder must track.
    const x = ((frame * 8) % (width + 200)) - 200;
    ctx.fillStyle = '#d04020';
    ctx.fillRect(x, height * 0.88, 200, height * 0.08);
    frame++;
  };
  draw();
  // setInterval rather than requestAnimationFrame: rAF stops in background tabs, and the harness
  // launches Chromium with timer throttling disabled.
  const timer = setInterval(draw, Math.round(1000 / fps));
  const stream = canvas.captureStream(fps);
  const track = stream.getVideoTracks()[0];
  if (!track) {
    clearInterval(timer);
    throw new Error('startScreenShare: canvas.captureStream() gave no video track');
  }
  // Tells the encoder to favour sharpness over frame rate, as a real screen share does.
  track.contentHint = 'detail';
  let stopped = false;
  return {
    track,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      track.stop();
    },
  };
}
