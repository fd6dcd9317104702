// Receiving without decoding ("count" mode), the worker side. The agent (agent.ts) starts one
// dedicated worker per page and gives each video receiver of a count-mode participant an
// RTCRtpScriptTransform on it. Every assembled frame passes through here on its way to the
// decoder, and its payload is swapped for a stand-in: a 16x16 key frame of the same codec, encoded
// once with WebCodecs. The frame keeps its RTP metadata, so the frame buffer, the reference finder
// and the freeze detector still see every real frame when it arrives (framesDecoded, freezes and
// keyframe requests keep their meaning), while decoding it costs next to nothing.
//
// Why not drop the frames: a decoder that gets none asks for a key frame every ~250 ms and one
// that gets only key frames every ~3 s, so count-mode viewers would flood the publisher with key
// frames (measured with harness/bench/count-mode.scenario.ts). A codec the worker cannot stand
// in for (no WebCodecs encoder for it) is passed through untouched and decoded as usual; the agent
// hears of it and reports that receiver as decoding.
//
// Runs in a worker: it may read nothing but the worker's globals.

import { replayTransform, takeReplayClip, type ReplayOptions } from './replay-worker.ts';

/** What the worker tells the agent, once per receiver: whether its frames are stood in for. */
export interface StandInReport {
  trackId: string;
  standIn: boolean;
  /** The codec's mime type as the frames name it ('video/VP8'). */
  mimeType: string;
}

/** Options of `new RTCRtpScriptTransform(worker, options)` that the agent passes. */
export interface StandInOptions {
  trackId: string;
}

/** Side of the stand-in frame, px: the smallest all of VP8, VP9, AV1 and H.264 encode. */
const STAND_IN_SIDE_PX = 16;

/** The WebCodecs encoder configuration for a received codec's mime type; null: no stand-in. */
export function encoderConfigFor(mimeType: string): VideoEncoderConfig | null {
  const base = { width: STAND_IN_SIDE_PX, height: STAND_IN_SIDE_PX, bitrate: 20_000, framerate: 30 };
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return { ...base, codec: 'vp8' };
    case 'video/vp9':
      return { ...base, codec: 'vp09.00.10.08' };
    case 'video/av1':
      return { ...base, codec: 'av01.0.04M.08' };
    case 'video/h264':
      // Annex B: the start-code framing WebRTC's H.264 frames carry.
      return { ...base, codec: 'avc1.42001f', avc: { format: 'annexb' } };
    default:
      return null;
  }
}

interface WorkerScope {
  onrtctransform: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

interface TransformEvent extends Event {
  transformer: { readable: ReadableStream<RTCEncodedVideoFrame>; writable: WritableStream<RTCEncodedVideoFrame>; options?: unknown };
}

/** One key frame of `config`, or null when this browser cannot encode it. */
async function encodeStandIn(config: VideoEncoderConfig): Promise<ArrayBuffer | null> {
  try {
    if (!(await VideoEncoder.isConfigSupported(config)).supported) return null;
    let out: ArrayBuffer | null = null;
    const encoder = new VideoEncoder({
      output: (chunk) => {
        out ??= new ArrayBuffer(chunk.byteLength);
        chunk.copyTo(out);
      },
      error: () => undefined,
    });
    encoder.configure(config);
    const pixels = new Uint8Array(STAND_IN_SIDE_PX * STAND_IN_SIDE_PX * 4);
    const frame = new VideoFrame(pixels, { format: 'RGBA', codedWidth: STAND_IN_SIDE_PX, codedHeight: STAND_IN_SIDE_PX, timestamp: 0 });
    encoder.encode(frame, { keyFrame: true });
    frame.close();
    await encoder.flush();
    encoder.close();
    return out;
  } catch {
    return null;
  }
}

/** Installs the transform handler on the worker's global scope. */
export function installStandInWorker(scope: WorkerScope): void {
  // One stand-in per codec for the whole worker: every receiver of that codec shares it.
  const standIns = new Map<string, Promise<ArrayBuffer | null>>();
  // The same worker serves the page's replaying senders (replay-worker.ts): their clip comes as a
  // message, their transforms say so in their options.
  scope.onmessage = (ev: MessageEvent) => void takeReplayClip(ev.data);
  scope.onrtctransform = (ev: Event) => {
    const { transformer } = ev as TransformEvent;
    const options = transformer.options as Partial<ReplayOptions> | undefined;
    if (options?.role === 'replay') {
      replayTransform(scope, transformer, { role: 'replay', trackId: String(options.trackId ?? '') });
      return;
    }
    const trackId = String((transformer.options as Partial<StandInOptions> | undefined)?.trackId ?? '');
    const writer = transformer.writable.getWriter();
    let standIn: ArrayBuffer | null | undefined; // undefined: not known yet
    let mimeType = '';
    void transformer.readable.pipeTo(
      new WritableStream<RTCEncodedVideoFrame>({
        async write(frame) {
          const mime = frame.getMetadata().mimeType ?? '';
          if (standIn === undefined || mime !== mimeType) {
            // The first frame, or a codec change (the sender's changeCodec): find its stand-in.
            mimeType = mime;
            const config = encoderConfigFor(mime);
            if (!standIns.has(mime)) standIns.set(mime, config ? encodeStandIn(config) : Promise.resolve(null));
            standIn = await standIns.get(mime)!;
            const report: StandInReport = { trackId, standIn: standIn !== null, mimeType: mime };
            scope.postMessage(report);
          }
          // Each frame gets its own copy: the browser takes the buffer over.
          if (standIn) frame.data = standIn.slice(0);
          await writer.write(frame);
        },
      }),
    );
  };
}
