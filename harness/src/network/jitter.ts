// Delay variation as a smooth random function of time, not of the packet count.
//
// Drawing an independent jitter value per packet and then forbidding reordering (departure ≥
// the previous departure) makes the delay depend on the packet rate: at 1,000 packets/s each
// packet waits for the worst of its recent neighbours, and 150 ± 40 ms becomes a median of
// ~210 ms. Real queueing delay drifts in time instead. So: normal values ("knots", standard
// deviation jitterMs, AR(1) correlation jitterCorrelation from one knot to the next) spaced
// stepMs apart, linearly interpolated and rescaled to keep the standard deviation at jitterMs
// everywhere. The step is wide enough that the delay rarely falls faster than time passes
// (slope < -1, which would force the in-order clamp), so the median stays at delayMs at any
// packet rate.
import type { RandomStream } from './random.ts';

/** Shortest knot spacing, ms. */
export const MIN_JITTER_STEP_MS = 10;

/** Knot spacing for a jitter: keeps the interpolated slope's standard deviation near 0.5. */
export function jitterStepMs(jitterMs: number, correlation: number): number {
  return Math.max(MIN_JITTER_STEP_MS, 2 * jitterMs * Math.sqrt(2 * (1 - correlation)));
}

/** After this many idle steps the process is drawn afresh (the old value no longer matters). */
const MAX_CATCH_UP_STEPS = 64;

export class JitterProcess {
  readonly #random: RandomStream;
  #jitterMs = 0;
  #correlation = 0;
  #stepMs = MIN_JITTER_STEP_MS;
  /** Time of the knot `#from`; the next knot `#to` is #stepMs later. Both are standard normals. */
  #fromMs = Number.NaN;
  #from = 0;
  #to = 0;

  constructor(random: RandomStream) {
    this.#random = random;
  }

  /** A new jitter or correlation applies from the next knot on (no jump in delay). */
  configure(jitterMs: number, correlation: number): void {
    this.#jitterMs = jitterMs;
    this.#correlation = correlation;
    this.#stepMs = jitterStepMs(jitterMs, correlation);
  }

  #nextKnot(previous: number): number {
    const rho = this.#correlation;
    return rho * previous + Math.sqrt(1 - rho * rho) * this.#random.gaussian();
  }

  /** The jitter at time tMs (non-decreasing across calls), ms; 0 when jitterMs is 0. */
  at(tMs: number): number {
    if (this.#jitterMs === 0) return 0;
    const step = this.#stepMs;
    if (Number.isNaN(this.#fromMs) || tMs - this.#fromMs > step * MAX_CATCH_UP_STEPS) {
      this.#fromMs = tMs;
      this.#from = this.#random.gaussian();
      this.#to = this.#nextKnot(this.#from);
    }
    // A time slightly before the current knot (an outage shortened under a held TCP frame) reads the knot.
    if (tMs < this.#fromMs) tMs = this.#fromMs;
    while (tMs >= this.#fromMs + step) {
      this.#fromMs += step;
      this.#from = this.#to;
      this.#to = this.#nextKnot(this.#from);
    }
    const f = (tMs - this.#fromMs) / step;
    const rho = this.#correlation;
    // Variance of (1-f)·a + f·b for standard normals with correlation rho; rescale it to 1.
    const variance = (1 - f) * (1 - f) + f * f + 2 * f * (1 - f) * rho;
    return (((1 - f) * this.#from + f * this.#to) / Math.sqrt(variance)) * this.#jitterMs;
  }
}
