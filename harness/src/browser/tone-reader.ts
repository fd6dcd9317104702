// Listens to remote audio tracks for the coded tone bursts of stamped microphones
// (stamped-audio.ts): each track feeds an audio worklet (tone-worklet.ts) that finds the bursts'
// onsets to the sample and reads their tones; here each onset becomes a delay on the run's
// reference clock, tallied per track. The page's one agent audio context (audio-context.ts)
// serves every track.
//
// Chromium hands a remote WebRTC track's samples to Web Audio only while a media element plays
// it, so each track also plays in a muted <audio> element of its own.
import type { RawStampedAudio } from '../stats/raw.ts';
import { pageAudioContext } from './audio-context.ts';
import { contextClock } from './stamped-audio.ts';
import type { Clock } from './stamped-source.ts';
import { burstDelayMs } from './tone-code.ts';
import { TONE_WORKLET_PROCESSOR, type ToneWorkletMessage } from './tone-worklet.ts';

/** A track none of whose first onsets reads as a burst has no stamped sender: stop listening to it. */
const GIVE_UP_AFTER_UNREADABLE = 10;

export interface ToneReader {
  /** Totals so far, with the longest delay since the previous take(); undefined when no burst was read yet. */
  take(): RawStampedAudio | undefined;
  /** False once it gave up (no burst in its first onsets) or the track ended. */
  readonly listening: boolean;
  stop(): void;
}

/** The page's audio context and its loaded worklet, shared by every track's reader. */
export class ToneListener {
  readonly #win: Window & typeof globalThis;
  readonly #now: Clock;
  readonly #workletSource: string;
  #ready: Promise<AudioContext> | undefined;

  constructor(win: Window & typeof globalThis, now: Clock, workletSource: string) {
    this.#win = win;
    this.#now = now;
    this.#workletSource = workletSource;
  }

  #context(): Promise<AudioContext> {
    this.#ready ??= (async () => {
      const ctx = pageAudioContext(this.#win);
      const url = this.#win.URL.createObjectURL(new this.#win.Blob([this.#workletSource], { type: 'text/javascript' }));
      try {
        await ctx.audioWorklet.addModule(url);
      } finally {
        this.#win.URL.revokeObjectURL(url);
      }
      await ctx.resume();
      return ctx;
    })();
    return this.#ready;
  }

  /** Starts listening to `track`; `clockOffsetMs` puts the page's times on the reference clock. */
  listen(track: MediaStreamTrack, clockOffsetMs: number): ToneReader {
    const win = this.#win;
    const totals: RawStampedAudio = { bursts: 0, unreadable: 0, delaySumMs: 0 };
    let intervalMaxMs: number | undefined;
    let listening = true;
    const element = win.document.createElement('audio');
    element.muted = true;
    element.srcObject = new win.MediaStream([track]);
    element.play().catch(() => {
      // Autoplay of a muted element is always allowed; a failure means the track is gone.
    });
    let nodes: AudioNode[] = [];

    const stop = (): void => {
      if (!listening) return;
      listening = false;
      for (const n of nodes) n.disconnect();
      nodes = [];
      element.srcObject = null;
    };
    track.addEventListener('ended', stop);

    void this.#context()
      .then((ctx) => {
        if (!listening) return;
        const source = ctx.createMediaStreamSource(new win.MediaStream([track]));
        const reader = new AudioWorkletNode(ctx, TONE_WORKLET_PROCESSOR, { channelCount: 1, channelCountMode: 'explicit', numberOfOutputs: 1 });
        // Pulled by the graph only when it leads to the destination: through a silent gain.
        const mute = ctx.createGain();
        mute.gain.value = 0;
        source.connect(reader).connect(mute).connect(ctx.destination);
        nodes = [source, reader, mute];
        reader.port.onmessage = (ev: MessageEvent<ToneWorkletMessage>) => {
          const clock = contextClock(ctx, win, clockOffsetMs, this.#now);
          for (const b of ev.data.bursts) {
            const delayMs = burstDelayMs(clock.toRefMs(b.onsetSeconds), b.slot);
            totals.sender = b.sender;
            totals.bursts += 1;
            totals.delaySumMs += delayMs;
            intervalMaxMs = Math.max(intervalMaxMs ?? -Infinity, delayMs);
          }
          totals.unreadable = ev.data.unreadable;
          if (totals.bursts === 0 && totals.unreadable >= GIVE_UP_AFTER_UNREADABLE) stop();
        };
      })
      .catch(() => stop()); // No Web Audio or no worklet here (a page's policy): not measured.

    return {
      take() {
        if (totals.bursts === 0 && totals.unreadable === 0) return undefined;
        const out: RawStampedAudio = { ...totals };
        if (intervalMaxMs !== undefined) out.delayMaxMs = intervalMaxMs;
        intervalMaxMs = undefined;
        return out;
      },
      get listening() {
        return listening;
      },
      stop,
    };
  }
}
