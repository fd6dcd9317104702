// Keeps every point of a run, by series (one metric with one set of tags), and answers
// aggregates over any tag filter. Owned by the runner: one store per run, no shared state.
//
// Memory: each point keeps its value and time as two float64 (16 bytes), in chunks of 4096, plus
// one tag object per series. A 10-minute run of 50 participants with ~45 points each per second
// is 1.35 M points, ~22 MB. Past `maxPoints` (default 8 M, ~128 MB, about an hour at that rate)
// new points are dropped and counted in `size().droppedPoints`, so a long run degrades its
// statistics instead of the machine; the runner should say so in its report.
import { mean, quantileSorted } from 'simple-statistics';
import { METRICS, type MetricName } from './catalogue.ts';
import type { Point, PointTags } from './types.ts';

export interface SeriesStoreOptions {
  /** Most points kept; later ones are dropped and counted. Default 8_000_000 (~128 MB). */
  maxPoints?: number;
}

/** Exact-match tag filter: every key given must be present on the point with that value. */
export type TagFilter = Readonly<Record<string, string>>;

export interface Aggregate {
  count: number;
  min: number;
  max: number;
  avg: number;
  /** Quantiles by linear interpolation between closest ranks (simple-statistics, numpy's default). */
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** The value with the latest time. */
  last: number;
}

export type Aggregates = Partial<Record<MetricName, Aggregate>>;

export interface StoreSize {
  points: number;
  series: number;
  droppedPoints: number;
}

const CHUNK = 4096;
export const DEFAULT_MAX_POINTS = 8_000_000;

class Series {
  readonly tags: Readonly<PointTags>;
  private readonly values: Float64Array[] = [];
  private readonly times: Float64Array[] = [];
  length = 0;
  lastT = -Infinity;
  lastValue = NaN;

  constructor(tags: PointTags) {
    this.tags = Object.freeze({ ...tags });
  }

  push(value: number, t: number): void {
    const i = this.length % CHUNK;
    if (i === 0) {
      this.values.push(new Float64Array(CHUNK));
      this.times.push(new Float64Array(CHUNK));
    }
    (this.values[this.values.length - 1] as Float64Array)[i] = value;
    (this.times[this.times.length - 1] as Float64Array)[i] = t;
    this.length++;
    if (t >= this.lastT) {
      this.lastT = t;
      this.lastValue = value;
    }
  }

  copyInto(target: Float64Array, offset: number): void {
    let left = this.length;
    for (const chunk of this.values) {
      const n = Math.min(left, CHUNK);
      target.set(n === CHUNK ? chunk : chunk.subarray(0, n), offset);
      offset += n;
      left -= n;
    }
  }

  valuesArray(): Float64Array {
    const out = new Float64Array(this.length);
    this.copyInto(out, 0);
    return out;
  }

  appendTo(times: number[], values: number[]): void {
    for (let i = 0; i < this.length; i++) {
      const c = Math.floor(i / CHUNK);
      times.push((this.times[c] as Float64Array)[i % CHUNK] as number);
      values.push((this.values[c] as Float64Array)[i % CHUNK] as number);
    }
  }

  matches(filter: TagFilter): boolean {
    const tags = this.tags as Readonly<Record<string, string | undefined>>;
    for (const key in filter) if (tags[key] !== filter[key]) return false;
    return true;
  }
}

function seriesKey(metric: string, tags: PointTags): string {
  const t = tags as unknown as Record<string, string | undefined>;
  let key = metric;
  for (const k of Object.keys(t).sort()) if (t[k] !== undefined) key += `\u0000${k}=${t[k]}`;
  return key;
}

export class SeriesStore {
  private readonly maxPoints: number;
  private readonly byMetric = new Map<MetricName, Series[]>();
  private readonly byKey = new Map<string, Series>();
  private points = 0;
  private dropped = 0;

  constructor(options: SeriesStoreOptions = {}) {
    const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
    if (!Number.isInteger(maxPoints) || maxPoints < 1) {
      throw new Error(`SeriesStore maxPoints must be a positive integer (got ${String(options.maxPoints)})`);
    }
    this.maxPoints = maxPoints;
  }

  /** Adds points; non-finite values are ignored (they carry no measurement). */
  ingest(points: Iterable<Point>): void {
    for (const p of points) {
      if (!Number.isFinite(p.value)) continue;
      if (this.points >= this.maxPoints) {
        this.dropped++;
        continue;
      }
      const key = seriesKey(p.metric, p.tags);
      let series = this.byKey.get(key);
      if (!series) {
        series = new Series(p.tags);
        this.byKey.set(key, series);
        const list = this.byMetric.get(p.metric);
        if (list) list.push(series);
        else this.byMetric.set(p.metric, [series]);
      }
      series.push(p.value, p.t);
      this.points++;
    }
  }

  size(): StoreSize {
    return { points: this.points, series: this.byKey.size, droppedPoints: this.dropped };
  }

  /** Every series with its points in ingestion order: what a shard hands to the merge (points.jsonl). */
  *series(): Generator<{ metric: MetricName; tags: Readonly<PointTags>; t: number[]; v: number[] }> {
    for (const [metric, list] of this.byMetric) {
      for (const s of list) {
        const t: number[] = [];
        const v: number[] = [];
        s.appendTo(t, v);
        yield { metric, tags: s.tags, t, v };
      }
    }
  }

  /** Metrics that have at least one point, in catalogue order. */
  metrics(): MetricName[] {
    return (Object.keys(METRICS) as MetricName[]).filter((m) => this.byMetric.has(m));
  }

  /**
   * Every value of `metric` whose tags match `filter`, in time order (points of equal time in
   * ingestion order within a series), so that the last one is the latest.
   */
  values(metric: MetricName, filter: TagFilter = {}): number[] {
    const matching = this.matching(metric, filter);
    if (matching.length === 1) return Array.from((matching[0] as Series).valuesArray());
    const times: number[] = [];
    const values: number[] = [];
    for (const s of matching) s.appendTo(times, values);
    const order = Array.from(times.keys()).sort((a, b) => (times[a] as number) - (times[b] as number));
    return order.map((i) => values[i] as number);
  }

  /** Aggregate of the matching values, or undefined when there are none. */
  aggregate(metric: MetricName, filter: TagFilter = {}): Aggregate | undefined {
    const { values, last } = this.collect(metric, filter);
    if (values.length === 0) return undefined;
    values.sort();
    // simple-statistics only reads length and indices, so a sorted Float64Array serves as its array.
    const sorted = values as unknown as readonly number[];
    return {
      count: values.length,
      min: values[0] as number,
      max: values[values.length - 1] as number,
      avg: mean(sorted),
      p50: quantileSorted(sorted, 0.5),
      p90: quantileSorted(sorted, 0.9),
      p95: quantileSorted(sorted, 0.95),
      p99: quantileSorted(sorted, 0.99),
      last,
    };
  }

  /** Any quantile, `q` in [0, 1] (thresholds use p(5), p(99.9)...); undefined when there are no values. */
  quantile(metric: MetricName, filter: TagFilter, q: number): number | undefined {
    if (!(q >= 0 && q <= 1)) throw new Error(`quantile must be between 0 and 1 (got ${q})`);
    const { values } = this.collect(metric, filter);
    if (values.length === 0) return undefined;
    values.sort();
    return quantileSorted(values as unknown as readonly number[], q);
  }

  /** Aggregates of every metric measured for one participant ('viewers[0]'), for results.json. */
  participantAggregates(participant: string): Aggregates {
    return this.allAggregates({ participant });
  }

  /**
   * Aggregates of every metric of the inbound streams that carry one sender's stamped video
   * (tagged from:<its id>), over all its viewers, for results.json.
   */
  senderAggregates(sender: string): Aggregates {
    return this.allAggregates({ from: sender });
  }

  /** Aggregates of every metric over all participants of a group, for results.json. */
  groupAggregates(group: string): Aggregates {
    return this.allAggregates({ group });
  }

  /** Aggregates of every metric over all participants that ran in `browser`, for results.json. */
  browserAggregates(browser: string): Aggregates {
    return this.allAggregates({ browser });
  }

  private allAggregates(filter: TagFilter): Aggregates {
    const out: Aggregates = {};
    for (const metric of this.metrics()) {
      const agg = this.aggregate(metric, filter);
      if (agg) out[metric] = agg;
    }
    return out;
  }

  private matching(metric: MetricName, filter: TagFilter): Series[] {
    return (this.byMetric.get(metric) ?? []).filter((s) => s.matches(filter));
  }

  private collect(metric: MetricName, filter: TagFilter): { values: Float64Array; last: number } {
    const matching = this.matching(metric, filter);
    const values = new Float64Array(matching.reduce((n, s) => n + s.length, 0));
    let offset = 0;
    let lastT = -Infinity;
    let last = NaN;
    for (const s of matching) {
      s.copyInto(values, offset);
      offset += s.length;
      if (s.lastT >= lastT) {
        lastT = s.lastT;
        last = s.lastValue;
      }
    }
    return { values, last };
  }
}
