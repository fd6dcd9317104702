// Feeds the run's analysers, in the order given, with the samples, link changes and action events
// as they happen. It builds the pages' observations once per sample, before any analyser sees it,
// so that all of them read the same view. An analyser that throws is logged and skipped for that
// input, never fatal: the samples still reach the store and the other analysers.
import type { Point, Sample } from '../stats/types.ts';
import type { ActionEvent, Analyser } from './analyser.ts';
import type { NetworkChange } from '../results/schema.ts';
import { Observations } from './observations.ts';

export interface AnalysisPipelineOptions {
  /** Where an analyser's failure is told. Default: nowhere. */
  log?: (message: string) => void;
}

export class AnalysisPipeline {
  readonly #analysers: readonly Analyser[];
  readonly #seen = new Observations();
  readonly #log: (message: string) => void;
  /** Analysers already reported as failing: one log line each, not one per sample. */
  readonly #failing = new Set<string>();

  constructor(analysers: readonly Analyser[], options: AnalysisPipelineOptions = {}) {
    this.#analysers = analysers;
    this.#log = options.log ?? (() => {});
  }

  /** The run's clock started, unix ms. */
  start(startMs: number): void {
    for (const a of this.#analysers) this.#guard(a, 'the start', () => a.onStart?.(startMs));
  }

  linkChange(change: NetworkChange): void {
    for (const a of this.#analysers) this.#guard(a, 'a link change', () => a.onLinkChange?.(change));
  }

  action(event: ActionEvent): void {
    for (const a of this.#analysers) this.#guard(a, 'an action', () => a.onAction?.(event));
  }

  /** Takes one participant's sample; returns the points the analysers derived from it, in their order. */
  sample(sample: Sample): Point[] {
    const restartsCompleted = this.#seen.ingest(sample);
    const input = { sample, seen: this.#seen, restartsCompleted };
    const points: Point[] = [];
    for (const a of this.#analysers) this.#guard(a, 'a sample', () => a.onSample && points.push(...a.onSample(input)));
    return points;
  }

  /** The run ended at `endMs` (unix ms): returns the points of what was decided only now. */
  finish(endMs: number): Point[] {
    const points: Point[] = [];
    for (const a of this.#analysers) this.#guard(a, 'the end', () => a.finish && points.push(...a.finish({ endMs, seen: this.#seen })));
    return points;
  }

  #guard(a: Analyser, what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      if (this.#failing.has(a.name)) return;
      this.#failing.add(a.name);
      this.#log(`the ${a.name} analysis failed on ${what} and skips it: ${(err as Error)?.message ?? String(err)}`);
    }
  }
}
