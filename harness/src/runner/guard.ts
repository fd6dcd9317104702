// The load-generator guard: when the machine that runs the browsers is saturated, measured
// quality says more about this machine than about the system under test. A run whose CPU stayed
// over the limit for a sustained time, or whose senders reported CPU-limited encoding for that
// long, gets the verdict `invalid` with the reason, instead of a false `fail`.
import { cpus } from 'node:os';
import { machineCpuPercent, readMachineCpu, type MachineCpuReading } from './cpu.ts';

export interface GuardOptions {
  /** Machine CPU use (all cores) above which the load generator counts as saturated, percent. Default 90. */
  cpuPercent: number;
  /** How long saturation must last before the run is invalid, ms. Default 10 000. */
  sustainedMs: number;
}

export interface GuardVerdict {
  /** Why the run is invalid, or null when the load generator kept up. */
  invalidReason: string | null;
  /** Highest machine CPU use seen over one reading interval, percent (null where unmeasurable). */
  maxCpuPercent: number | null;
  /** Mean machine CPU use over the run, percent. */
  avgCpuPercent: number | null;
  /**
   * Mean machine CPU use that was not this run's, percent of all cores: other processes, and time
   * the hypervisor gave to other machines (steal). A remote browser on this machine counts here.
   * Null where the run's own use could not be read.
   */
  avgOthersCpuPercent: number | null;
}

export class LoadGuard {
  readonly #options: GuardOptions;
  readonly #cores = cpus().length;
  #prev: MachineCpuReading | null = readMachineCpu();
  #prevAtMs = Date.now();
  #overSinceMs: number | null = null;
  #cpuLimitedSinceMs = new Map<string, number>();
  #invalidReason: string | null = null;
  #maxCpu: number | null = null;
  #sumCpu = 0;
  #readings = 0;
  #prevOwnCpuSeconds: number | null = null;
  #sumOthersCpu = 0;
  #othersReadings = 0;

  constructor(options: GuardOptions) {
    this.#options = options;
  }

  /**
   * Takes a CPU reading; call every second or two. Returns the machine CPU percent since the last
   * call. `ownCpuSeconds`: CPU time used so far by this run's processes (the harness and all its
   * children), to tell the machine's load that was not the run's.
   */
  tick(nowMs = Date.now(), ownCpuSeconds: number | null = null): number | null {
    const cur = readMachineCpu();
    if (!cur || !this.#prev || nowMs - this.#prevAtMs < 200) return null;
    const pct = machineCpuPercent(this.#prev, cur);
    // A child that exited takes its time out of the tree's sum: skip that interval.
    if (ownCpuSeconds !== null && this.#prevOwnCpuSeconds !== null && ownCpuSeconds >= this.#prevOwnCpuSeconds) {
      const ownPct = (100 * (ownCpuSeconds - this.#prevOwnCpuSeconds)) / ((nowMs - this.#prevAtMs) / 1000) / this.#cores;
      this.#sumOthersCpu += Math.max(0, pct - ownPct);
      this.#othersReadings += 1;
    }
    this.#prevOwnCpuSeconds = ownCpuSeconds;
    this.#prev = cur;
    this.#prevAtMs = nowMs;
    this.#maxCpu = Math.max(this.#maxCpu ?? 0, pct);
    this.#sumCpu += pct;
    this.#readings += 1;
    if (pct > this.#options.cpuPercent) {
      this.#overSinceMs ??= nowMs;
      const overMs = nowMs - this.#overSinceMs;
      if (overMs >= this.#options.sustainedMs && !this.#invalidReason) {
        this.#invalidReason =
          `the load generator was saturated: machine CPU above ${this.#options.cpuPercent}% for ` +
          `${(overMs / 1000).toFixed(0)} s (run fewer participants per machine, or raise guard.cpuPercent)`;
      }
    } else {
      this.#overSinceMs = null;
    }
    return pct;
  }

  /** Records whether a participant's video encoder reported CPU as its quality limitation. */
  noteCpuLimited(participantId: string, cpuLimited: boolean, nowMs = Date.now()): void {
    if (!cpuLimited) {
      this.#cpuLimitedSinceMs.delete(participantId);
      return;
    }
    const since = this.#cpuLimitedSinceMs.get(participantId) ?? nowMs;
    this.#cpuLimitedSinceMs.set(participantId, since);
    if (nowMs - since >= this.#options.sustainedMs && !this.#invalidReason) {
      this.#invalidReason =
        `the load generator was saturated: ${participantId}'s video encoder was limited by CPU for ` +
        `${((nowMs - since) / 1000).toFixed(0)} s`;
    }
  }

  verdict(): GuardVerdict {
    return {
      invalidReason: this.#invalidReason,
      maxCpuPercent: this.#maxCpu,
      avgCpuPercent: this.#readings > 0 ? this.#sumCpu / this.#readings : null,
      avgOthersCpuPercent: this.#othersReadings > 0 ? this.#sumOthersCpu / this.#othersReadings : null,
    };
  }
}

