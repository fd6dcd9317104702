// The agent's stamped media: the camera and microphone stand-ins on the sending side
// (stamped-source.ts, stamped-audio.ts), a stamp reader per remote video track (stamp-reader.ts)
// and a tone reader per remote audio track (tone-reader.ts) on the receiving side. One per agent.
import type { RawStampedAudio, RawStampedFrames } from '../stats/raw.ts';
import { installStampedDevices, type Clock } from './stamped-source.ts';
import { readStamps, type StampReader } from './stamp-reader.ts';
import { ToneListener, type ToneReader } from './tone-reader.ts';

/** What `__rtcHarnessAgent.setStamps()` takes. */
export interface StampOptions {
  /**
   * Answer the page's camera and microphone requests with stamped tracks carrying this sender
   * number (0..255). Absent: the browser's own devices.
   */
  camera?: { sender: number };
  /** Read the code of every remote video track, and the tones of every remote audio track, the page receives from now on. Default false. */
  read?: boolean;
  /** This machine's clock offset to the run's reference clock, ms, added to stamps and reads. Default 0. */
  clockOffsetMs?: number;
}

export class Stamping {
  readonly #win: Window & typeof globalThis;
  readonly #now: Clock;
  #read = false;
  #clockOffsetMs = 0;
  #cameraInstalled = false;
  /** By track id. */
  readonly #readers = new Map<string, StampReader>();
  readonly #toneReaders = new Map<string, ToneReader>();
  /** Undefined where the agent was bundled without the tone worklet: audio is not read. */
  readonly #tones: ToneListener | undefined;

  constructor(win: Window & typeof globalThis, now: Clock, toneWorkletSource?: string) {
    this.#win = win;
    this.#now = now;
    this.#tones = toneWorkletSource === undefined ? undefined : new ToneListener(win, now, toneWorkletSource);
  }

  configure(options: StampOptions): void {
    const sender = options.camera?.sender;
    if (options.camera && !(Number.isInteger(sender) && sender! >= 0 && sender! <= 255)) {
      throw new Error(`__rtcHarnessAgent.setStamps({ camera: { sender } }): an integer 0..255, got ${String(sender)}`);
    }
    const offset = options.clockOffsetMs ?? 0;
    if (!Number.isFinite(offset)) throw new Error(`__rtcHarnessAgent.setStamps({ clockOffsetMs }): a number of ms, got ${String(offset)}`);
    this.#clockOffsetMs = offset;
    this.#read = options.read === true;
    if (options.camera && !this.#cameraInstalled) {
      this.#cameraInstalled = true;
      installStampedDevices(this.#win, { sender: sender!, clockOffsetMs: offset }, this.#now);
    }
  }

  /** A remote track the page was given: read it if reading is on. */
  watch(track: MediaStreamTrack): void {
    if (!this.#read) return;
    if (track.kind === 'video' && !this.#readers.has(track.id)) this.#readers.set(track.id, readStamps(this.#win, track, this.#clockOffsetMs));
    if (track.kind === 'audio' && this.#tones && !this.#toneReaders.has(track.id)) this.#toneReaders.set(track.id, this.#tones.listen(track, this.#clockOffsetMs));
  }

  /** What was heard of an audio track's tones so far; undefined when no burst was. */
  reportAudio(trackId: string): RawStampedAudio | undefined {
    const reader = this.#toneReaders.get(trackId);
    if (!reader) return undefined;
    const out = reader.take();
    if (!reader.listening) this.#toneReaders.delete(trackId); // Ended or gave up: reported one last time.
    return out;
  }

  /** What was read of a track so far; undefined when nothing was (not read, or not a stamped sender). */
  report(trackId: string): RawStampedFrames | undefined {
    const reader = this.#readers.get(trackId);
    if (!reader || reader.tally.framesRead === 0) return undefined;
    const out = reader.tally.take();
    if (!reader.reading) this.#readers.delete(trackId); // Ended: reported one last time.
    return out;
  }
}
