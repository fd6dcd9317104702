// The audio worklet that listens to one remote audio track for coded tone bursts (tone-code.ts).
// It runs on the audio rendering thread, where each render quantum comes with the context time of
// its first sample: that is what makes an onset's time exact to the sample. The agent
// (tone-reader.ts) maps context time to the reference clock and keeps the tally.
//
// Runs in an AudioWorkletGlobalScope: it may read nothing but that scope's globals.
import { BurstDetector, type HeardBurst } from './tone-code.ts';

export const TONE_WORKLET_PROCESSOR = 'rtc-harness-tone-reader';

/** What the worklet posts: bursts heard (onset in context seconds) and how many could not be read so far. */
export interface ToneWorkletMessage {
  bursts: HeardBurst[];
  unreadable: number;
}

interface WorkletScope {
  currentTime: number;
  sampleRate: number;
  registerProcessor(name: string, ctor: unknown): void;
  AudioWorkletProcessor: new () => { port: MessagePort };
}

export function installToneWorklet(scope: WorkletScope): void {
  class ToneReader extends scope.AudioWorkletProcessor {
    readonly #detector = new BurstDetector(scope.sampleRate);

    process(inputs: Float32Array[][]): boolean {
      const channel = inputs[0]?.[0];
      if (channel && channel.length > 0) {
        const before = this.#detector.unreadable;
        const bursts = this.#detector.push(channel, scope.currentTime);
        if (bursts.length > 0 || this.#detector.unreadable !== before) {
          const message: ToneWorkletMessage = { bursts, unreadable: this.#detector.unreadable };
          this.port.postMessage(message);
        }
      }
      // Kept alive while the agent holds the node: it stops when disconnected.
      return true;
    }
  }
  scope.registerProcessor(TONE_WORKLET_PROCESSOR, ToneReader);
}
