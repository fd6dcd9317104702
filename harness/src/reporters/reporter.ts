// Reporters turn a run's events into something a person or a machine reads. Every method is
// optional; the multiplexer calls each reporter in turn and isolates failures, so a broken
// reporter costs its own output only.
import type { RunResults } from '../results/schema.ts';
import type { Point, Sample } from '../stats/types.ts';

export interface RunStartInfo {
  scenario: string;
  scenarioFile: string;
  outDir: string;
  durationMs: number;
  groups: { name: string; count: number }[];
  seed: number;
}

/** A periodic view of the run for progress displays. */
export interface ProgressSnapshot {
  elapsedMs: number;
  durationMs: number;
  joined: number;
  participants: number;
  crashed: number;
  /** Key figures per group over the last interval; null where nothing was measured yet. */
  groups: {
    name: string;
    recvFps: number | null;
    recvKbps: number | null;
    sendKbps: number | null;
    rttMs: number | null;
    lossPct: number | null;
  }[];
  machineCpuPercent: number | null;
}

export interface Reporter {
  readonly name: string;
  onStart?(info: RunStartInfo): void | Promise<void>;
  onProgress?(progress: ProgressSnapshot): void;
  /**
   * Every sample as it arrives (one per participant per interval), with its flattened points;
   * also called with a null sample for points about the run itself (the load generator's CPU).
   * Called on the hot path: keep it cheap.
   */
  onSample?(sample: Sample | null, points: readonly Point[]): void;
  /** A line worth telling the user now (a participant joined or crashed, an action failed). */
  onLog?(level: 'info' | 'warn' | 'error', message: string): void;
  onEnd?(results: RunResults, outDir: string): void | Promise<void>;
}

export class ReporterMux implements Reporter {
  readonly name = 'mux';
  readonly #reporters: Reporter[];
  readonly failures: { reporter: string; error: string }[] = [];

  constructor(reporters: Reporter[]) {
    this.#reporters = reporters;
  }

  async onStart(info: RunStartInfo): Promise<void> {
    for (const r of this.#reporters) await this.#guard(r, () => r.onStart?.(info));
  }

  onProgress(progress: ProgressSnapshot): void {
    for (const r of this.#reporters) void this.#guard(r, () => r.onProgress?.(progress));
  }

  onSample(sample: Sample | null, points: readonly Point[]): void {
    for (const r of this.#reporters) {
      if (!r.onSample) continue;
      try {
        r.onSample(sample, points);
      } catch (err) {
        this.#record(r, err);
      }
    }
  }

  onLog(level: 'info' | 'warn' | 'error', message: string): void {
    for (const r of this.#reporters) void this.#guard(r, () => r.onLog?.(level, message));
  }

  async onEnd(results: RunResults, outDir: string): Promise<void> {
    for (const r of this.#reporters) await this.#guard(r, () => r.onEnd?.(results, outDir));
  }

  async #guard(r: Reporter, fn: () => void | Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.#record(r, err);
    }
  }

  #record(r: Reporter, err: unknown): void {
    const error = (err as Error)?.message ?? String(err);
    // One line per reporter, not one per sample: a reporter failing on every sample would flood.
    if (this.failures.some((f) => f.reporter === r.name && f.error === error)) return;
    this.failures.push({ reporter: r.name, error });
    process.stderr.write(`rtc-harness: the ${r.name} reporter failed: ${error}\n`);
  }
}
