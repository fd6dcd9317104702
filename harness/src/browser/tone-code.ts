// The coded tone a stamped microphone sends (stamped-audio.ts) and a receiver reads
// (tone-worklet.ts): quiet noise, broken once a second by a short burst of three sine tones
// that starts on a whole second of the run's reference clock. The first tone carries the low
// nibble of the sender's number, the second its high nibble, the third which second it is modulo
// SLOTS, so a receiver can time the burst's onset against the second it was sent on, unambiguously
// for delays under SLOTS seconds. Pure: no Web Audio here, only numbers.
//
// Why tones, not a data-over-sound modem: Opus keeps steady tones a few hundred Hz apart intact at
// any bitrate WebRTC uses, and an onset after silence is sharp after decoding; the burst needs no
// synchronisation beyond "it starts on a whole second".

/** A burst starts every this many ms, on whole multiples of it (reference clock). */
export const BURST_PERIOD_MS = 1000;
/** A burst lasts this long, ms: long enough for DECODE_WINDOW_MS after an onset found late. */
export const BURST_MS = 80;
/** The window after the onset in which the tones are identified, ms (25 Hz bins). */
export const DECODE_WINDOW_MS = 40;
/** Delays are read modulo SLOTS x BURST_PERIOD_MS. */
export const SLOTS = 4;
/** Each tone's amplitude (three together stay under full scale). */
export const TONE_AMPLITUDE = 0.25;

/** Nibble tones: 16 frequencies 50 Hz apart, low and high sets an octave-plus apart. */
const LOW_BASE_HZ = 600;
const HIGH_BASE_HZ = 2000;
const NIBBLE_STEP_HZ = 50;
const SLOT_BASE_HZ = 3400;
const SLOT_STEP_HZ = 100;

/**
 * Onset: a block louder than this RMS after at least QUIET_MS quieter. Opus's comfort noise and
 * pre-echo sit far below a burst of three tones at TONE_AMPLITUDE (RMS ~0.3).
 */
export const ONSET_RMS = 0.03;
/**
 * The sender's noise floor between bursts (uniform, peak): a microphone is never digitally silent,
 * and a track that is would let Opus and NetEq run in their silence modes (DTX, comfort noise),
 * timing each burst as speech resuming rather than as speech. Peaks stay under a third of ONSET_RMS's edge.
 */
export const NOISE_AMPLITUDE = 0.01;
export const QUIET_MS = 300;
/** A tone is identified when its power is this many times the next strongest in its set... */
const DOMINANCE = 4;
/**
 * ...and at least this share of the power a tone of TONE_AMPLITUDE would have: a beep or a voice
 * that happens to be strongest in a set is not a burst.
 */
const MIN_TONE_SHARE = 0.05;

export const lowToneHz = (nibble: number): number => LOW_BASE_HZ + nibble * NIBBLE_STEP_HZ;
export const highToneHz = (nibble: number): number => HIGH_BASE_HZ + nibble * NIBBLE_STEP_HZ;
export const slotToneHz = (slot: number): number => SLOT_BASE_HZ + slot * SLOT_STEP_HZ;

/** The three frequencies of the burst that `sender` sends on the burst that starts at `burstMs` (reference clock, ms). */
export function burstTones(sender: number, burstMs: number): [number, number, number] {
  if (!(Number.isInteger(sender) && sender >= 0 && sender <= 255)) throw new RangeError(`sender: an integer 0..255, got ${sender}`);
  return [lowToneHz(sender & 15), highToneHz(sender >> 4), slotToneHz(slotOf(burstMs))];
}

/** Which slot the burst starting at `burstMs` is in. */
export function slotOf(burstMs: number): number {
  return ((Math.round(burstMs / BURST_PERIOD_MS) % SLOTS) + SLOTS) % SLOTS;
}

/** The first burst start at or after `ms`. */
export function nextBurstMs(ms: number): number {
  return Math.ceil(ms / BURST_PERIOD_MS) * BURST_PERIOD_MS;
}

/**
 * The delay of a burst heard at `onsetMs` in slot `slot`: onset minus the latest burst start of
 * that slot at or before the onset (both on the reference clock).
 */
export function burstDelayMs(onsetMs: number, slot: number): number {
  const cycle = SLOTS * BURST_PERIOD_MS;
  const offset = slot * BURST_PERIOD_MS;
  return (((onsetMs - offset) % cycle) + cycle) % cycle;
}

/** Power of `freqHz` in `x` (Goertzel over a Hann window). */
function tonePower(x: Float32Array, sampleRate: number, freqHz: number): number {
  const n = x.length;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const s = x[i]! * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** The index of the strongest of `freqs` in `x`, or null when none dominates the others. */
function strongest(x: Float32Array, sampleRate: number, freqs: number[]): number | null {
  const powers = freqs.map((f) => tonePower(x, sampleRate, f));
  let best = 0;
  for (let i = 1; i < powers.length; i++) if (powers[i]! > powers[best]!) best = i;
  const runnerUp = Math.max(...powers.filter((_, i) => i !== best));
  // A Hann-windowed sine of amplitude A over n samples: Goertzel power (A n / 4)^2.
  const full = ((TONE_AMPLITUDE * x.length) / 4) ** 2;
  return powers[best]! >= MIN_TONE_SHARE * full && powers[best]! >= DOMINANCE * runnerUp ? best : null;
}

const NIBBLES = Array.from({ length: 16 }, (_, i) => i);
const LOW_SET = NIBBLES.map(lowToneHz);
const HIGH_SET = NIBBLES.map(highToneHz);
const SLOT_SET = Array.from({ length: SLOTS }, (_, i) => slotToneHz(i));

/** Reads the sender and slot of a burst from DECODE_WINDOW_MS of samples after its onset; null when unreadable. */
export function decodeBurst(x: Float32Array, sampleRate: number): { sender: number; slot: number } | null {
  const low = strongest(x, sampleRate, LOW_SET);
  const high = strongest(x, sampleRate, HIGH_SET);
  const slot = strongest(x, sampleRate, SLOT_SET);
  if (low === null || high === null || slot === null) return null;
  return { sender: (high << 4) | low, slot };
}

export interface HeardBurst {
  /** Time of the onset's first loud sample, in the caller's clock (seconds, as given to push()). */
  onsetSeconds: number;
  sender: number;
  slot: number;
}

/**
 * Finds bursts in a stream of sample blocks: an onset (the first sample over ONSET_RMS's amplitude
 * in a loud block after QUIET_MS of quiet blocks), then DECODE_WINDOW_MS of samples from there to
 * read it. Bursts it cannot read are counted, not reported.
 */
export class BurstDetector {
  readonly #sampleRate: number;
  readonly #quietSamples: number;
  readonly #window: Float32Array;
  #quietRun = 0;
  /** Samples gathered into #window for the burst being read, or -1 when not reading one. */
  #filled = -1;
  #onsetSeconds = 0;
  unreadable = 0;

  constructor(sampleRate: number) {
    this.#sampleRate = sampleRate;
    this.#quietSamples = Math.round((QUIET_MS / 1000) * sampleRate);
    this.#window = new Float32Array(Math.round((DECODE_WINDOW_MS / 1000) * sampleRate));
  }

  /** Feeds one block whose first sample is at `startSeconds`; returns the bursts it completed. */
  push(block: Float32Array, startSeconds: number): HeardBurst[] {
    const out: HeardBurst[] = [];
    let from = 0;
    if (this.#filled < 0) {
      let sum = 0;
      for (let i = 0; i < block.length; i++) sum += block[i]! * block[i]!;
      const loud = Math.sqrt(sum / Math.max(1, block.length)) > ONSET_RMS;
      if (!loud || this.#quietRun < this.#quietSamples) {
        this.#quietRun = loud ? 0 : this.#quietRun + block.length;
        return out;
      }
      // The onset: the first sample of the block as loud as a tone's rise past the threshold.
      const edge = ONSET_RMS * Math.SQRT2;
      from = Math.max(0, block.findIndex((v) => Math.abs(v) >= edge));
      this.#onsetSeconds = startSeconds + from / this.#sampleRate;
      this.#filled = 0;
      this.#quietRun = 0;
    }
    const take = Math.min(block.length - from, this.#window.length - this.#filled);
    this.#window.set(block.subarray(from, from + take), this.#filled);
    this.#filled += take;
    if (this.#filled === this.#window.length) {
      const read = decodeBurst(this.#window, this.#sampleRate);
      if (read) out.push({ onsetSeconds: this.#onsetSeconds, ...read });
      else this.unreadable += 1;
      this.#filled = -1;
    }
    return out;
  }
}
