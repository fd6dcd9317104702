// Turns a run's samples and points into the report's charts: one value per participant per
// sample (its streams reduced), then buckets on a shared time axis (wider buckets for long runs,
// so a report stays a few MB), then lines per participant and the mean per group. Pure: samples
// and points go in through add*(), the payload comes out of build().
import { METRICS } from '../../stats/catalogue.ts';
import type { Point, Sample } from '../../stats/types.ts';
import type { RunResults } from '../../results/schema.ts';
import { averageLossPct } from '../../network/settings.ts';
import { LINK_CHARTS, LINK_METRICS, RUN_CHART, SAMPLE_CHARTS, SETTING_CHARTS, type SampleChartDef } from './charts.ts';
import type { ChartData, ChartSection, ChartSeries, Marker, ReportPayload } from './payload.ts';

export interface SeriesBuilderOptions {
  /** Most points per line; longer runs get wider buckets. Default 600 (1 s buckets up to 10 minutes). */
  maxPoints?: number;
  /** Narrowest bucket, s. Default 1 (the default stats interval). */
  minBucketSeconds?: number;
  /** Most participant lines per chart; the group mean always covers all of them. Default 24. */
  maxLinesPerChart?: number;
}

/** Growing (unix ms, value) pairs of one line. */
class Raw {
  readonly t: number[] = [];
  readonly v: number[] = [];
  push(t: number, v: number): void {
    this.t.push(t);
    this.v.push(v);
  }
}

/** A participant's value of a chart in one sample: a participant metric as is, or its streams reduced. */
export function sampleValue(sample: Sample, def: SampleChartDef): number | null {
  if (METRICS[def.metric].scope === 'participant') {
    const v = sample.values[def.metric];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  const values: number[] = [];
  for (const s of sample.streams) {
    if (def.kind && s.kind !== def.kind) continue;
    if (def.direction && s.direction !== def.direction) continue;
    const v = s.values[def.metric];
    if (typeof v === 'number' && Number.isFinite(v)) values.push(v);
  }
  if (values.length === 0) return null;
  if (def.reduce === 'sum') return values.reduce((a, b) => a + b, 0);
  if (def.reduce === 'max') return Math.max(...values);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const safeId = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '-');
const key = (participant: string, chart: string) => `${participant}\u0000${chart}`;

export class SeriesBuilder {
  readonly #options: Required<SeriesBuilderOptions>;
  /** participant \0 chart id -> its values. */
  readonly #lines = new Map<string, Raw>();
  /** Run-scope metric -> values. */
  readonly #run = new Map<string, Raw>();
  #firstT = Infinity;
  #lastT = -Infinity;
  #samples = 0;

  constructor(options: SeriesBuilderOptions = {}) {
    this.#options = { maxPoints: 600, minBucketSeconds: 1, maxLinesPerChart: 24, ...options };
  }

  get sampleCount(): number {
    return this.#samples;
  }

  #t(t: number): number {
    if (t < this.#firstT) this.#firstT = t;
    if (t > this.#lastT) this.#lastT = t;
    return t;
  }

  #line(map: Map<string, Raw>, k: string): Raw {
    let raw = map.get(k);
    if (!raw) map.set(k, (raw = new Raw()));
    return raw;
  }

  addSample(sample: Sample): void {
    this.#samples++;
    const t = this.#t(sample.t);
    for (const def of SAMPLE_CHARTS) {
      const v = sampleValue(sample, def);
      if (v !== null) this.#line(this.#lines, key(sample.participant, def.id)).push(t, v);
    }
  }

  /** Points with no sample: the load generator's CPU, and the simulated links' ground truth. */
  addRunPoints(points: readonly Point[]): void {
    for (const p of points) {
      if ((RUN_CHART.metrics as readonly string[]).includes(p.metric)) this.#line(this.#run, p.metric).push(this.#t(p.t), p.value);
      else if (LINK_METRICS.includes(p.metric)) this.#line(this.#lines, key(p.tags.participant, p.metric)).push(this.#t(p.t), p.value);
    }
  }

  /**
   * The report's charts for this run. x = 0 is the run's start (results.timelineStartUnixMs;
   * for results written before it was recorded, the first measurement).
   */
  build(results: RunResults): ReportPayload {
    const startUnixMs = results.timelineStartUnixMs ?? (Number.isFinite(this.#firstT) ? this.#firstT : 0);
    const lastX = Number.isFinite(this.#lastT) ? (this.#lastT - startUnixMs) / 1000 : 0;
    const xMax = Math.max(lastX, results.durationSeconds, 1);
    const xMin = 0;
    const o = this.#options;
    const width = Math.max(o.minBucketSeconds, Math.ceil(((xMax - xMin) / o.maxPoints) * 10) / 10);
    const buckets = Math.floor((xMax - xMin) / width) + 1;
    const grid = Array.from({ length: buckets }, (_, i) => round(xMin + (i + 0.5) * width));
    const bucketed = (raw: Raw | undefined): (number | null)[] => {
      const sum = new Float64Array(buckets);
      const n = new Uint32Array(buckets);
      if (raw) {
        for (let i = 0; i < raw.t.length; i++) {
          const x = (raw.t[i]! - startUnixMs) / 1000;
          const b = Math.min(buckets - 1, Math.max(0, Math.floor((x - xMin) / width)));
          sum[b]! += raw.v[i]!;
          n[b]!++;
        }
      }
      return Array.from(sum, (s, i) => (n[i]! > 0 ? round(s / n[i]!) : null));
    };
    const hasData = (s: ChartSeries) => s.values.some((v) => v !== null);
    const chart = (c: Omit<ChartData, 'series'>, series: ChartSeries[]): ChartData | null => (series.some(hasData) ? { ...c, series: series.filter(hasData) } : null);

    const groups = results.groups.map((g) => ({ name: g.name, ids: results.participants.filter((p) => p.group === g.name).map((p) => p.id) }));
    const groupMeans = new Map<string, Map<string, (number | null)[]>>();
    const sections: ChartSection[] = [];

    for (const g of groups) {
      const charts: ChartData[] = [];
      const means = new Map<string, (number | null)[]>();
      groupMeans.set(g.name, means);
      const lines = (chartId: string) => g.ids.map((id) => ({ id, values: bucketed(this.#lines.get(key(id, chartId))) }));
      for (const def of SAMPLE_CHARTS) {
        const own = lines(def.id);
        const mean = meanOf(own.map((l) => l.values), buckets);
        means.set(def.id, mean);
        const shown = own.filter((l) => hasData({ label: '', values: l.values })).slice(0, o.maxLinesPerChart);
        const series: ChartSeries[] = [...(g.ids.length > 1 ? [{ label: `${g.name} mean`, values: mean, emphasis: true }] : []), ...shown.map((l) => ({ label: l.id, values: l.values }))];
        const c = chart({ id: `${safeId(g.name)}-${def.id}`, title: def.title, yLabel: def.yLabel, x: grid, markersFor: g.ids, ...(def.stepped ? { stepped: true } : {}) }, series);
        if (c) charts.push(c);
      }
      charts.push(...this.#networkCharts(results, g, grid, xMax, bucketed));
      const hidden = g.ids.length > o.maxLinesPerChart ? `; the first ${o.maxLinesPerChart} of ${g.ids.length} participants are drawn, the mean covers all` : '';
      sections.push({
        id: `group-${safeId(g.name)}`,
        title: `Group ${g.name} (${g.ids.length} participant${g.ids.length === 1 ? '' : 's'})`,
        note: `One line per participant${g.ids.length > 1 ? `, the group mean in black` : ''}${hidden}. Vertical lines: timeline actions. ${width} s buckets.`,
        charts,
      });
    }

    if (groups.length > 1) {
      const charts = SAMPLE_CHARTS.map((def) =>
        chart(
          { id: `overview-${def.id}`, title: def.title, yLabel: def.yLabel, x: grid, markersFor: 'all', ...(def.stepped ? { stepped: true } : {}) },
          groups.map((g) => ({ label: g.name, values: groupMeans.get(g.name)!.get(def.id)! })),
        ),
      ).filter((c): c is ChartData => c !== null);
      sections.unshift({ id: 'overview', title: 'All groups', note: 'The mean of each group over its participants.', charts });
    }

    const cpu = chart(
      { id: RUN_CHART.id, title: RUN_CHART.title, yLabel: RUN_CHART.yLabel, x: grid, markersFor: [] },
      RUN_CHART.metrics.map((m) => ({ label: m, values: bucketed(this.#run.get(m)) })),
    );
    if (cpu) sections.push({ id: 'load-generator', title: 'Load generator', note: 'Above ~90% for long, the measurements describe this machine rather than the system under test.', charts: [cpu] });

    return { xMin, xMax: round(xMax), sections, markers: markers(results) };
  }

  #networkCharts(
    results: RunResults,
    g: { name: string; ids: string[] },
    grid: number[],
    xMax: number,
    bucketed: (raw: Raw | undefined) => (number | null)[],
  ): ChartData[] {
    const charts: ChartData[] = [];
    const changes = (results.networkChanges ?? []).filter((c) => g.ids.includes(c.participant));
    const shaped = [...new Set(changes.map((c) => c.participant))].slice(0, this.#options.maxLinesPerChart);
    if (changes.length > 0) {
      // Every change time (initial settings count from 0), then the end: each value holds until the next x.
      // A change's x is rounded once, and the same value decides which setting is in force at each x.
      const at = (c: { atMs: number }) => round(Math.max(0, c.atMs / 1000));
      const xs = [...new Set([0, ...changes.map(at), round(xMax)])].sort((a, b) => a - b);
      for (const def of SETTING_CHARTS) {
        const series: ChartSeries[] = [];
        for (const id of shaped) {
          const own = changes.filter((c) => c.participant === id).sort((a, b) => a.atMs - b.atMs);
          for (const dir of ['down', 'up'] as const) {
            const values = xs.map((x) => {
              const current = own.filter((c) => at(c) <= x).at(-1);
              if (!current) return null;
              const s = current.profile[dir];
              const v = def.field === 'lossPct' ? averageLossPct(s) : s[def.field];
              return def.zeroIsNone && v === 0 ? null : round(v);
            });
            series.push({ label: `${id} ${dir === 'down' ? '↓ down' : '↑ up'}`, values, dashed: dir === 'up' });
          }
        }
        // A setting left at 0 everywhere (no delay, no loss) says nothing: skip the chart.
        if (series.some((s) => s.values.some((v) => v !== null && v !== 0))) {
          charts.push({ id: `${safeId(g.name)}-${def.id}`, title: def.title, yLabel: def.yLabel, x: xs, series, stepped: true, showGaps: true, markersFor: g.ids });
        }
      }
    }
    for (const def of LINK_CHARTS) {
      const series: ChartSeries[] = [];
      for (const id of g.ids.slice(0, this.#options.maxLinesPerChart)) {
        for (const [dir, metric] of [['down', def.down], ['up', def.up]] as const) {
          const values = bucketed(this.#lines.get(key(id, metric)));
          if (values.some((v) => v !== null)) series.push({ label: `${id} ${dir === 'down' ? '↓ down' : '↑ up'}`, values, dashed: dir === 'up' });
        }
      }
      if (series.length > 0) charts.push({ id: `${safeId(g.name)}-${def.id}`, title: def.title, yLabel: def.yLabel, x: grid, series, markersFor: g.ids });
    }
    return charts;
  }
}

function meanOf(lines: (number | null)[][], buckets: number): (number | null)[] {
  return Array.from({ length: buckets }, (_, i) => {
    let sum = 0;
    let n = 0;
    for (const l of lines) {
      const v = l[i];
      if (v !== null && v !== undefined) {
        sum += v;
        n++;
      }
    }
    return n > 0 ? round(sum / n) : null;
  });
}

/** 4 significant digits is what a chart can show; it keeps the report small. */
function round(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(v))));
  const f = 10 ** Math.min(digits, 6);
  return Math.round(v * f) / f;
}

/** Timeline actions as markers; simultaneous equal actions of one group become one ('join ×3'). */
export function markers(results: RunResults): Marker[] {
  const groupOf = new Map(results.participants.map((p) => [p.id, p.group]));
  const merged = new Map<string, Marker & { count: number; group: string; action: string }>();
  for (const a of results.actions) {
    const t = Math.round((a.startedMs / 1000) * 4) / 4;
    const group = groupOf.get(a.participant) ?? '';
    const k = `${t}|${a.do}|${a.ok}|${group}`;
    const m = merged.get(k);
    if (m) {
      m.count++;
      m.participants.push(a.participant);
    } else {
      merged.set(k, { t, label: '', ok: a.ok, participants: [a.participant], count: 1, group, action: a.do });
    }
  }
  return [...merged.values()]
    .sort((a, b) => a.t - b.t)
    .map((m) => ({
      t: m.t,
      ok: m.ok,
      participants: m.participants,
      label: `${m.ok ? '' : '✗ '}${m.action} ${m.count > 1 ? `${m.group} ×${m.count}` : m.participants[0]}`,
    }));
}
