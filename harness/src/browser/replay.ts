// The 'replay' camera, the page side. getUserMedia answers a camera request with a tiny stand-in
// track (the browser's camera scaled to 32x18, at the rate asked for) once the page's clip is
// encoded (replay-clip.ts); every
// sender that comes to carry such a track gets an RTCRtpScriptTransform on the agent's worker,
// which puts the clip's frames on the wire instead of the encoder's (replay-worker.ts). Receivers
// get the clip at the size asked for, at full rate, from a sender that hardly encodes.
//
// What a replaying sender's own stats would say of its encoder (frame size, encoder, quality
// limitation, target bitrate) is the stand-in's, so it is dropped from its outbound streams (not
// measured), and the streams say `send: 'replay'`. The clip does not adapt to the network: its
// bitrate is what libwebrtc would send at that size on a good link.
import type { RawOutboundRtp } from '../stats/raw.ts';
import { encodeReplayClip, type ReplayFrame } from './replay-clip.ts';
import type { ReplayClipMessage, ReplayOptions, ReplayReport } from './replay-worker.ts';

/** What `__rtcHarnessAgent.setReplay()` takes: the clip's size and rate. */
export interface ReplaySettings {
  widthPx: number;
  heightPx: number;
  fps: number;
}

/** Length of the clip's loop, s: one key frame per loop. */
const CLIP_SECONDS = 5;
const STAND_IN_WIDTH_PX = 32;
const STAND_IN_HEIGHT_PX = 18;

type ScriptTransformClass = new (worker: Worker, options: ReplayOptions) => RTCRtpTransform;

export class Replay {
  readonly #win: Window & typeof globalThis;
  readonly #worker: () => Worker | undefined;
  #clip: Promise<ReplayFrame[]> | undefined;
  #clipSent = false;
  /** Stand-in tracks by id. */
  readonly #tracks = new Set<string>();
  /** Senders given a transform, and those whose frames the worker said it replays (by track id). */
  readonly #senders = new WeakSet<RTCRtpSender>();
  readonly #replayed = new Set<string>();

  /** `worker`: the agent's worker, started on first use (undefined where there is none). */
  constructor(win: Window & typeof globalThis, worker: () => Worker | undefined) {
    this.#win = win;
    this.#worker = worker;
  }

  configure(settings: ReplaySettings): void {
    for (const k of ['widthPx', 'heightPx', 'fps'] as const) {
      const v = settings?.[k];
      if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) throw new Error(`__rtcHarnessAgent.setReplay({ ${k} }): a positive integer, got ${String(v)}`);
    }
    if (this.#clip) return;
    const clip = encodeReplayClip({ widthPx: settings.widthPx, heightPx: settings.heightPx, fps: settings.fps, seconds: CLIP_SECONDS });
    clip.catch(() => undefined); // Reported by getUserMedia, which waits for it.
    this.#clip = clip;
    this.#installCamera(settings.fps);
  }

  /** The worker reported on a sender: whether its frames are the clip's. */
  onReport(report: ReplayReport): void {
    if (report.replayed) this.#replayed.add(report.trackId);
    else this.#replayed.delete(report.trackId);
  }

  /** A sender may carry a stand-in track now: give it the transform (once). */
  attach(sender: RTCRtpSender): void {
    const track = sender.track;
    if (!track || !this.#tracks.has(track.id) || this.#senders.has(sender)) return;
    const Transform = (this.#win as unknown as { RTCRtpScriptTransform?: ScriptTransformClass }).RTCRtpScriptTransform;
    const worker = this.#worker();
    if (!Transform || !worker) return; // Checked by getUserMedia already.
    this.#senders.add(sender);
    sender.transform = new Transform(worker, { role: 'replay', trackId: track.id });
  }

  /** Marks the outbound streams of `pc` that replay the clip (by their transceiver's mid). */
  markOutbound(pc: RTCPeerConnection, outbound: RawOutboundRtp[]): void {
    if (this.#replayed.size === 0) return;
    const mids = new Set<string>();
    try {
      for (const t of pc.getTransceivers()) {
        const id = t.sender.track?.id;
        if (t.mid !== null && id !== undefined && this.#replayed.has(id)) mids.add(t.mid);
      }
    } catch {
      return; // Closed meanwhile.
    }
    for (const s of outbound) {
      if (s.kind !== 'video' || s.mid === undefined || !mids.has(s.mid)) continue;
      s.send = 'replay';
      delete s.frameWidth;
      delete s.frameHeight;
      delete s.encoderImplementation;
      delete s.qualityLimitationReason;
      delete s.qualityLimitationDurations;
      delete s.targetBitrate;
    }
  }

  #installCamera(fps: number): void {
    const win = this.#win;
    const proto = win.MediaDevices?.prototype;
    const desc = proto && Object.getOwnPropertyDescriptor(proto, 'getUserMedia');
    if (!proto || !desc || typeof desc.value !== 'function') return;
    const native = desc.value as MediaDevices['getUserMedia'];
    const replay = this;
    const getUserMedia = async function getUserMedia(this: MediaDevices, constraints?: MediaStreamConstraints): Promise<MediaStream> {
      if (!constraints?.video) return native.call(this, constraints);
      const worker = replay.#worker();
      if (!worker || !('RTCRtpScriptTransform' in win)) {
        throw new DOMException('rtc-harness: the replay camera needs RTCRtpScriptTransform (Chromium)', 'NotReadableError');
      }
      let clip: ReplayFrame[];
      try {
        clip = await replay.#clip!;
      } catch (err) {
        throw new DOMException(`rtc-harness: the replay camera's clip could not be encoded: ${String((err as Error)?.message ?? err)}`, 'NotReadableError');
      }
      if (!replay.#clipSent) {
        replay.#clipSent = true;
        const message: ReplayClipMessage = { replayClip: clip };
        worker.postMessage(message);
      }
      // The stand-in: the browser's own camera scaled down to 32x18. Its frames come from the
      // capture thread at a steady rate, whatever the page's main thread is doing (a track drawn
      // by the page dropped frames whenever the page was busy).
      const stream = await native.call(this, {
        ...(constraints.audio ? { audio: constraints.audio } : {}),
        video: { width: { ideal: STAND_IN_WIDTH_PX }, height: { ideal: STAND_IN_HEIGHT_PX }, frameRate: { ideal: fps }, resizeMode: 'crop-and-scale' } as MediaTrackConstraints,
      });
      for (const track of stream.getVideoTracks()) replay.#tracks.add(track.id);
      return stream;
    };
    Object.defineProperty(getUserMedia, 'length', { value: native.length });
    Object.defineProperty(proto, 'getUserMedia', { ...desc, value: getUserMedia });
  }
}
