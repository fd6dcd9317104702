// The agent's stamped video: the camera stand-in on the sending side (stamped-source.ts) and a
// stamp reader per remote video track on the receiving side (stamp-reader.ts). One per agent.
import type { RawStampedFrames } from '../stats/raw.ts';
import { installStampedCamera, type Clock } from './stamped-source.ts';
import { readStamps, type StampReader } from './stamp-reader.ts';

/** What `__rtcHarnessAgent.setStamps()` takes. */
export interface StampOptions {
  /** Answer the page's camera requests with a stamped track carrying this sender number (0..255). Absent: the real camera. */
  camera?: { sender: number };
  /** Read the code of every remote video track the page receives from now on. Default false. */
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

  constructor(win: Window & typeof globalThis, now: Clock) {
    this.#win = win;
    this.#now = now;
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
      installStampedCamera(this.#win, { sender: sender!, clockOffsetMs: offset }, this.#now);
    }
  }

  /** A remote track the page was given: read it if reading is on and it is video. */
  watch(track: MediaStreamTrack): void {
    if (!this.#read || track.kind !== 'video' || this.#readers.has(track.id)) return;
    this.#readers.set(track.id, readStamps(this.#win, track, this.#clockOffsetMs));
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
