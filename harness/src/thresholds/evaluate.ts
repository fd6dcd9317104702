// Evaluates thresholds against the samples a run recorded. Pure: the samples come from a query
// function (the stats SeriesStore provides it), so this runs the same at the end of a run, during
// it (abortOnFail) and in tests.
import { max, mean, median, min, quantileSorted } from 'simple-statistics';
import type { MetricName } from '../stats/catalogue.ts';
import { describeUnavailable, type Unavailability } from '../stats/browsers.ts';
import { formatAggregation, type Aggregation, type Comparison, type ThresholdDef } from './parse.ts';

/**
 * The values of every sample of `metric` whose tags include all of `filter`, in time order
 * (`last` takes the final one).
 */
export type SeriesQuery = (metric: MetricName, filter: Readonly<Record<string, string>>) => readonly number[];

/**
 * The participants `filter` selects whose browser cannot measure `metric` (stats/browsers.ts);
 * default: none. Their absence is then said, not taken for a lack of data.
 */
export type AvailabilityQuery = (metric: MetricName, filter: Readonly<Record<string, string>>) => readonly Unavailability[];

export interface ThresholdResult {
  /** The selector as written, e.g. 'video_recv_fps{group:viewers}'. */
  key: string;
  metric: MetricName;
  filter: Record<string, string>;
  /** The expression as written, e.g. 'p(5) > 20'. */
  expression: string;
  ok: boolean;
  /** The aggregate the expression was tested with; null when there were no samples. */
  actual: number | null;
  /** Why it failed, in a line: "p(95) was 180 over 40 samples, needs < 150". Absent when ok. */
  reason?: string;
  /**
   * Participants it selects whose browser cannot measure the metric, in a line: "not available in
   * firefox (its stats have no outbound-rtp targetBitrate): presenter[0]". It is tested on the
   * others; with no others it fails with this as its reason. Absent when every one can.
   */
  notAvailable?: string;
}

/**
 * One aggregate of the values; null for an empty list (except `count`, which is 0). Non-finite
 * values (a stat that could not be computed) are ignored.
 */
export function aggregate(values: readonly number[], aggregation: Aggregation): number | null {
  const finite = values.filter(Number.isFinite);
  if (aggregation.kind === 'count') return finite.length;
  if (finite.length === 0) return null;
  switch (aggregation.kind) {
    case 'avg':
      return mean(finite);
    case 'min':
      return min(finite);
    case 'max':
      return max(finite);
    case 'med':
      return median(finite);
    case 'last':
      return finite[finite.length - 1]!;
    case 'p':
      return quantileSorted(
        [...finite].sort((a, b) => a - b),
        aggregation.percentile / 100,
      );
  }
}

export function compare(actual: number, op: Comparison, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/** A figure for messages: at most 3 decimals, no trailing zeros. */
function figure(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/**
 * Tests one threshold. No samples is a failure with its reason, never a silent pass: a threshold
 * on a metric nobody reported usually means a typo in a tag or a participant that never received
 * media. `count` is the exception, as zero samples is a count.
 */
export function evaluateThreshold(def: ThresholdDef, query: SeriesQuery, availability?: AvailabilityQuery): ThresholdResult {
  const values = query(def.metric, def.filter);
  const { aggregation, op, value } = def.parsed;
  const unavailable = availability?.(def.metric, def.filter) ?? [];
  const notAvailable = unavailable.length > 0 ? describeUnavailable(unavailable) : undefined;
  const actual = notAvailable !== undefined && values.filter(Number.isFinite).length === 0 ? null : aggregate(values, aggregation);
  const base = { key: def.key, metric: def.metric, filter: { ...def.filter }, expression: def.expression, ...(notAvailable ? { notAvailable } : {}) };
  if (actual === null) return { ...base, ok: false, actual: null, reason: notAvailable ? `${def.metric} is ${notAvailable}` : `no samples for ${def.key}` };
  if (compare(actual, op, value)) return { ...base, ok: true, actual };
  const n = values.filter(Number.isFinite).length;
  return {
    ...base,
    ok: false,
    actual,
    reason: `${formatAggregation(aggregation)} was ${figure(actual)} over ${n} sample${n === 1 ? '' : 's'}, needs ${op} ${figure(value)}`,
  };
}

/** Every threshold, in order. */
export function evaluateThresholds(defs: readonly ThresholdDef[], query: SeriesQuery, availability?: AvailabilityQuery): ThresholdResult[] {
  return defs.map((def) => evaluateThreshold(def, query, availability));
}

/**
 * For the periodic check during a run: the abortOnFail thresholds that fail now, `elapsedMs`
 * after the run's start, skipping those still inside their delayAbortEvalMs. A threshold with no
 * samples yet does not abort (its data may still come); the final evaluation still fails it.
 * Empty: keep running.
 */
export function thresholdsToAbort(
  defs: readonly ThresholdDef[],
  query: SeriesQuery,
  elapsedMs: number,
): ThresholdResult[] {
  return defs
    .filter((def) => def.abortOnFail && elapsedMs >= def.delayAbortEvalMs)
    .map((def) => evaluateThreshold(def, query))
    .filter((r) => !r.ok && r.actual !== null);
}
