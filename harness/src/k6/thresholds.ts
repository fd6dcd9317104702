// Our thresholds as k6 thresholds. The syntax is k6's already; what differs is the metric types:
// k6 aggregates a Trend with avg, min, max, med and p(N), a Gauge with value (its last sample) and
// a Counter with count (and rate). A metric is recorded as one type only, so it becomes
// - a Gauge when all its thresholds use `last` (`last == 0` becomes `value==0`),
// - a Counter of its samples (1 each) when all use `count`,
// - a Trend otherwise, where `last` and `count` have no equivalent and are left out.
// A threshold is never dropped silently: every one left out comes back with its reason. Pure.
import type { MetricName } from '../stats/catalogue.ts';
import { formatAggregation, type ThresholdDef } from '../thresholds/parse.ts';

export type K6MetricType = 'trend' | 'gauge' | 'counter';

/** One k6 threshold expression under its selector. */
export interface K6Threshold {
  /** The k6 selector: 'video_recv_fps{group:viewers}'. */
  selector: string;
  /** The k6 expression: 'p(95)<5000'. */
  expression: string;
  abortOnFail: boolean;
  /** With abortOnFail: k6's delayAbortEval ('10s'); absent for none. */
  delayAbortEval?: string;
}

/** A threshold of the scenario that the k6 script does not carry. */
export interface LeftOutThreshold {
  /** As written in the scenario. */
  key: string;
  expression: string;
  reason: string;
}

export interface ThresholdTranslation {
  /** The k6 type of every metric that has a threshold here (others are Trends). */
  metricTypes: Map<MetricName, K6MetricType>;
  /** In the scenario's order. */
  thresholds: K6Threshold[];
  leftOut: LeftOutThreshold[];
}

/**
 * Translates `defs`. `notMeasured(metric)` says why a metric is not recorded in the k6 script
 * (undefined: it is); thresholds on such metrics are left out with that reason.
 */
export function translateThresholds(defs: readonly ThresholdDef[], notMeasured: (metric: MetricName) => string | undefined): ThresholdTranslation {
  const measured = defs.filter((d) => notMeasured(d.metric) === undefined);
  const metricTypes = new Map<MetricName, K6MetricType>();
  for (const metric of new Set(measured.map((d) => d.metric))) {
    metricTypes.set(metric, metricType(measured.filter((d) => d.metric === metric)));
  }
  const thresholds: K6Threshold[] = [];
  const leftOut: LeftOutThreshold[] = [];
  for (const def of defs) {
    const why = notMeasured(def.metric);
    if (why !== undefined) {
      leftOut.push({ key: def.key, expression: def.expression, reason: `${def.metric} is not recorded in k6: ${why}` });
      continue;
    }
    const translated = translateOne(def, metricTypes.get(def.metric)!);
    if ('reason' in translated) leftOut.push({ key: def.key, expression: def.expression, reason: translated.reason });
    else thresholds.push(translated);
  }
  return { metricTypes, thresholds, leftOut };
}

/** The one k6 type that carries the most of a metric's thresholds. */
function metricType(defs: readonly ThresholdDef[]): K6MetricType {
  const kinds = new Set(defs.map((d) => d.parsed.aggregation.kind));
  if (kinds.size === 1 && kinds.has('last')) return 'gauge';
  if (kinds.size === 1 && kinds.has('count')) return 'counter';
  return 'trend';
}

/** 'video_recv_fps{group:viewers,kind:video}': the selector rebuilt from the parsed one, spaces dropped. */
export function k6Selector(def: Pick<ThresholdDef, 'metric' | 'filter'>): string {
  const tags = Object.entries(def.filter).map(([tag, value]) => `${tag}:${value}`);
  return tags.length === 0 ? def.metric : `${def.metric}{${tags.join(',')}}`;
}

/** k6 writes durations like '10s'; a part of a second stays exact in ms. */
export function k6Duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function translateOne(def: ThresholdDef, type: K6MetricType): K6Threshold | { reason: string } {
  const { aggregation, op, value } = def.parsed;
  let k6Aggregation: string;
  if (aggregation.kind === 'last') {
    if (type !== 'gauge') return { reason: `k6 has no 'last' for a Trend, and ${def.metric} is a Trend here for its other thresholds` };
    k6Aggregation = 'value';
  } else if (aggregation.kind === 'count') {
    if (type !== 'counter') return { reason: `k6 has no 'count' for a Trend, and ${def.metric} is a Trend here for its other thresholds` };
    k6Aggregation = 'count';
  } else {
    k6Aggregation = formatAggregation(aggregation);
  }
  const threshold: K6Threshold = { selector: k6Selector(def), expression: `${k6Aggregation}${op}${value}`, abortOnFail: def.abortOnFail };
  if (def.abortOnFail && def.delayAbortEvalMs > 0) threshold.delayAbortEval = k6Duration(def.delayAbortEvalMs);
  return threshold;
}
