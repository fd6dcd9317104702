// The 'replay' camera, the worker side: an RTCRtpScriptTransform on the sender swaps each frame
// the browser's encoder made of the tiny stand-in track for the next frame of the pre-encoded clip
// (replay-clip.ts). The frame keeps its RTP metadata (timestamp, its place in the stream), so
// packetising, pacing, retransmission and the SFU work as for any frame; only the payload is the
// clip's. The receiver gets an unbroken VP8 chain: on each of the encoder's key frames (the first,
// and each one a receiver asks for) and when the loop ends, the clip starts again from its key
// frame; otherwise its next delta frame follows the last one sent.
//
// A codec other than the clip's (VP8) is passed through untouched and reported, so the agent
// knows the stream is not replayed. Runs in the agent's worker (stand-in-worker.ts dispatches).
import type { ReplayFrame } from './replay-clip.ts';

/** Options of `new RTCRtpScriptTransform(worker, options)` for a replaying sender. */
export interface ReplayOptions {
  role: 'replay';
  trackId: string;
}

/** What the worker tells the agent, once per sender: whether its frames are replayed. */
export interface ReplayReport {
  role: 'replay';
  trackId: string;
  replayed: boolean;
  mimeType: string;
}

/** What the agent posts to the worker before any replaying sender: the clip. */
export interface ReplayClipMessage {
  replayClip: ReplayFrame[];
}

/** Which clip frame goes out next, and the position after it. Pure. */
export function nextReplayFrame(encoderKey: boolean, position: number, clipLength: number): { index: number; position: number } {
  const index = encoderKey || position >= clipLength ? 0 : position;
  return { index, position: index + 1 };
}

interface ReplayScope {
  postMessage(message: unknown): void;
}

type Transformer = { readable: ReadableStream<RTCEncodedVideoFrame>; writable: WritableStream<RTCEncodedVideoFrame> };

/** The clip, once the agent sent it. */
let clip: ReplayFrame[] = [];

export function takeReplayClip(message: unknown): boolean {
  const m = message as Partial<ReplayClipMessage> | null;
  if (!m || !Array.isArray(m.replayClip)) return false;
  clip = m.replayClip;
  return true;
}

export function replayTransform(scope: ReplayScope, transformer: Transformer, options: ReplayOptions): void {
  const writer = transformer.writable.getWriter();
  let position = 0;
  let reported: boolean | undefined;
  void transformer.readable.pipeTo(
    new WritableStream<RTCEncodedVideoFrame>({
      async write(frame) {
        const mimeType = frame.getMetadata().mimeType ?? '';
        const replayed = clip.length > 0 && mimeType.toLowerCase() === 'video/vp8';
        if (replayed !== reported) {
          reported = replayed;
          const report: ReplayReport = { role: 'replay', trackId: options.trackId, replayed, mimeType };
          scope.postMessage(report);
        }
        if (replayed) {
          const next = nextReplayFrame(frame.type === 'key', position, clip.length);
          position = next.position;
          // Each frame gets its own copy: the browser takes the buffer over.
          frame.data = clip[next.index]!.data.slice(0);
        }
        await writer.write(frame);
      },
    }),
  );
}
