// The 'stamped' microphone: a Web Audio track of quiet noise and a coded tone burst (tone-code.ts)
// starting on every whole second of the run's reference clock. A receiver that
// hears a burst's onset knows when it was sent, so the audio's delay needs nothing but the clock
// the machines already share (or their measured offsets).
//
// Timing: bursts are scheduled on the context's clock, placed with getOutputTimestamp() (context
// time <-> performance time). The reader maps its onsets the same way, so the output latency both
// mappings include cancels out between two contexts of the same browser.
import { BURST_MS, BURST_PERIOD_MS, burstTones, nextBurstMs, NOISE_AMPLITUDE, TONE_AMPLITUDE } from './tone-code.ts';
import type { Clock, StampedSourceOptions } from './stamped-source.ts';
import { pageAudioContext } from './audio-context.ts';
import { wallMsOf } from './page-clock.ts';

/** Bursts are scheduled this far ahead of the reference clock, ms: over a timer's worst lateness in a busy page. */
const LOOKAHEAD_MS = 1500;
/** How often the scheduler looks ahead, ms. */
const SCHEDULE_EVERY_MS = 250;
/** Rise and fall of each burst, s: no click, and an onset still sharp to a fraction of a ms. */
const RAMP_S = 0.001;

/** Context seconds <-> the reference clock (unix ms plus the machine's offset), through the output timestamp. */
export interface ContextClock {
  toContextSeconds(refMs: number): number;
  toRefMs(contextSeconds: number): number;
}

/**
 * The mapping as of now. Until the context has rendered (the output timestamp is all zeros) it
 * falls back to currentTime against the page's clock, a render quantum coarser.
 */
export function contextClock(ctx: AudioContext, win: Window & typeof globalThis, clockOffsetMs: number, now: Clock): ContextClock {
  const ts = ctx.getOutputTimestamp?.();
  const [contextS, refMs] =
    ts && ts.contextTime && ts.performanceTime
      ? [ts.contextTime, wallMsOf(win, ts.performanceTime) + clockOffsetMs]
      : [ctx.currentTime, now() + clockOffsetMs];
  return {
    toContextSeconds: (ms) => contextS + (ms - refMs) / 1000,
    toRefMs: (s) => refMs + (s - contextS) * 1000,
  };
}

/** A mono track of coded bursts for `options.sender`; it stops scheduling (and its noise) once the track ends. */
export function createStampedAudioTrack(win: Window & typeof globalThis, options: StampedSourceOptions, now: Clock): MediaStreamTrack {
  const ctx = pageAudioContext(win);
  const destination = ctx.createMediaStreamDestination();
  destination.channelCount = 1;
  const track = destination.stream.getAudioTracks()[0]!;
  // The noise floor: two seconds of seeded uniform noise, looped.
  const noise = ctx.createBuffer(1, 2 * ctx.sampleRate, ctx.sampleRate);
  const samples = noise.getChannelData(0);
  let seed = 0x9e3779b9;
  for (let i = 0; i < samples.length; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    samples[i] = NOISE_AMPLITUDE * (((seed >>> 0) / 2 ** 32) * 2 - 1);
  }
  const floor = ctx.createBufferSource();
  floor.buffer = noise;
  floor.loop = true;
  floor.connect(destination);
  floor.start();
  let lastBurstMs = -Infinity;
  const burstS = BURST_MS / 1000;

  const schedule = (): void => {
    if (track.readyState === 'ended') {
      // The context is the page's (audio-context.ts): only this track's nodes go.
      floor.stop();
      floor.disconnect();
      return;
    }
    if (ctx.state === 'running') {
      const clock = contextClock(ctx, win, options.clockOffsetMs, now);
      const refNow = now() + options.clockOffsetMs;
      for (let burstMs = nextBurstMs(Math.max(refNow, lastBurstMs + 1)); burstMs < refNow + LOOKAHEAD_MS; burstMs += BURST_PERIOD_MS) {
        lastBurstMs = burstMs;
        const at = clock.toContextSeconds(burstMs);
        // Too late to start on time: skipped, rather than sent with a wrong time.
        if (at < ctx.currentTime + 0.005) continue;
        const gain = ctx.createGain();
        gain.gain.setValueAtTime(0, 0);
        gain.gain.setValueAtTime(0, at);
        gain.gain.linearRampToValueAtTime(TONE_AMPLITUDE, at + RAMP_S);
        gain.gain.setValueAtTime(TONE_AMPLITUDE, at + burstS - RAMP_S);
        gain.gain.linearRampToValueAtTime(0, at + burstS);
        gain.connect(destination);
        const oscillators = burstTones(options.sender, burstMs).map((hz) => {
          const o = ctx.createOscillator();
          o.frequency.value = hz;
          o.connect(gain);
          o.start(at);
          o.stop(at + burstS);
          return o;
        });
        oscillators[0]!.onended = () => gain.disconnect();
      }
    }
    win.setTimeout(schedule, SCHEDULE_EVERY_MS);
  };
  schedule();
  return track;
}
