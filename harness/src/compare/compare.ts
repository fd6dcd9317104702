// Compares a run with a baseline run, metric by metric. Pure: two results in, rows out.
//
// What is compared:
// - every group present in either run, for the metrics a release gate is about
//   (DEFAULT_COMPARED_METRICS, chosen because they hold steady run to run on an unchanged system;
//   the bandwidth estimate, jitter and the like swing by more than 10% between identical runs) and
//   any other metric given its own --tolerance, on one aggregate chosen by the metric's kind:
//     gauge, better higher (fps, bitrate, resolution)   p50: the typical value (results keep no
//                                                       low quantile; thresholds below cover p(5))
//     gauge, better lower (RTT, loss, jitter)           p95: the bad tail
//     event (time to first frame, time to connect)      p95
//     counter (freeze seconds, freeze count)            max: the worst stream
//     bool (connected)                                  avg: the share of samples connected
// - every threshold present in either run (matched by selector and expression), on the value it
//   measured; better is its operator's direction ('>' higher, '<' lower; '==' and '!=' skipped).
//   So `video_recv_fps: ['p(5) > 20']` also catches a slow slide of fps p5 that stays above 20.
// Run-scope metrics (the load generator's CPU) describe the machine, not the system under test,
// and are not compared.
import { METRICS, METRIC_NAMES, isMetricName, type MetricName } from '../stats/catalogue.ts';
import { formatAggregation, parseExpression } from '../thresholds/parse.ts';
import type { Aggregate } from '../results/schema.ts';
import type { BaselineComparison, ComparisonRow, RowStatus, Tolerance } from '../results/comparison.ts';
// What a comparison reads of a results.json: the core every one has (older files may lack the rest).
import type { ResultsCore } from '../results/load.ts';
import { DEFAULT_TOLERANCES, toleranceFor, type ToleranceSettings } from './tolerance.ts';

/** The aggregate compared for a metric (see the header). */
export function statFor(metric: MetricName): keyof Aggregate {
  const def = METRICS[metric];
  if (def.unit === 'bool') return 'avg';
  if (def.kind === 'counter') return 'max';
  if (def.kind === 'event') return 'p95';
  return def.better === 'higher' ? 'p50' : 'p95';
}

/** Compared per group by default; every other metric with a better direction on request (--tolerance). */
export const DEFAULT_COMPARED_METRICS: readonly MetricName[] = [
  'video_recv_fps',
  'video_recv_bitrate_kbps',
  'video_recv_height_px',
  'video_recv_spatial_layer',
  'video_send_fps',
  'video_send_bitrate_kbps',
  'rtt_ms',
  'recv_loss_percent',
  'video_freeze_count_total',
  'video_freeze_seconds_total',
  'join_to_first_frame_ms',
  'time_to_connected_ms',
  'connected',
];

/** The metrics compared per group: the defaults and those given a tolerance, in catalogue order. */
export function comparedMetrics(tolerances: ToleranceSettings): MetricName[] {
  return METRIC_NAMES.filter(
    (m) => (DEFAULT_COMPARED_METRICS.includes(m) || Object.hasOwn(tolerances.overrides, m)) && METRICS[m].better !== 'none' && METRICS[m].scope !== 'run',
  );
}

/** Judges one figure. Exported for tests; compareRuns uses it for every row. */
export function judge(
  baseline: number | null,
  current: number | null,
  better: 'higher' | 'lower',
  tolerance: Tolerance,
): Pick<ComparisonRow, 'delta' | 'deltaPct' | 'allowed' | 'status'> {
  if (baseline === null && current === null) return { delta: null, deltaPct: null, allowed: null, status: 'missing' };
  if (baseline === null) return { delta: null, deltaPct: null, allowed: null, status: 'new' };
  if (current === null) return { delta: null, deltaPct: null, allowed: null, status: 'missing' };
  const delta = current - baseline;
  const deltaPct = baseline === 0 ? null : (100 * delta) / Math.abs(baseline);
  const allowed = Math.max((tolerance.relativePct / 100) * Math.abs(baseline), tolerance.absolute);
  const worsening = better === 'higher' ? -delta : delta;
  // A tiny epsilon so that a value exactly at the tolerance (after float rounding) is within it.
  const eps = 1e-9 * Math.max(1, Math.abs(baseline));
  const status: RowStatus = worsening > allowed + eps ? 'regressed' : -worsening > allowed + eps ? 'improved' : 'unchanged';
  return { delta, deltaPct, allowed, status };
}

function aggregateValue(agg: Aggregate | undefined, stat: keyof Aggregate): number | null {
  if (!agg || agg.count === 0) return null;
  const v = agg[stat];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function groupRows(baseline: ResultsCore, current: ResultsCore, tolerances: ToleranceSettings): ComparisonRow[] {
  const names = [...new Set([...baseline.groups.map((g) => g.name), ...current.groups.map((g) => g.name)])];
  const rows: ComparisonRow[] = [];
  for (const name of names) {
    const b = baseline.groups.find((g) => g.name === name)?.aggregates ?? {};
    const c = current.groups.find((g) => g.name === name)?.aggregates ?? {};
    for (const metric of comparedMetrics(tolerances)) {
      const stat = statFor(metric);
      const bv = aggregateValue(b[metric], stat);
      const cv = aggregateValue(c[metric], stat);
      if (bv === null && cv === null) continue;
      const better = METRICS[metric].better as 'higher' | 'lower';
      const tolerance = toleranceFor(metric, tolerances);
      rows.push({
        source: 'group',
        subject: name,
        metric,
        stat,
        unit: METRICS[metric].unit,
        better,
        baseline: bv,
        current: cv,
        tolerance,
        ...judge(bv, cv, better, tolerance),
      });
    }
  }
  return rows;
}

function thresholdRows(baseline: ResultsCore, current: ResultsCore, tolerances: ToleranceSettings): ComparisonRow[] {
  const id = (t: { key: string; expression: string }) => `${t.key} ${t.expression}`;
  const ids = [...new Set([...baseline.thresholds.map(id), ...current.thresholds.map(id)])];
  const rows: ComparisonRow[] = [];
  for (const subject of ids) {
    const b = baseline.thresholds.find((t) => id(t) === subject);
    const c = current.thresholds.find((t) => id(t) === subject);
    const t = (c ?? b)!;
    let parsed;
    try {
      parsed = parseExpression(t.expression);
    } catch {
      continue; // An expression this version cannot parse (an older or newer syntax): nothing to compare.
    }
    const better = parsed.op.startsWith('>') ? 'higher' : parsed.op.startsWith('<') ? 'lower' : null;
    if (better === null) continue;
    const counting = parsed.aggregation.kind === 'count';
    const unit = counting ? 'count' : isMetricName(t.metric) ? METRICS[t.metric].unit : '';
    const tolerance = counting ? { relativePct: tolerances.defaultRelativePct, absolute: 1 } : toleranceFor(t.metric, tolerances);
    const bv = b?.actual ?? null;
    const cv = c?.actual ?? null;
    rows.push({
      source: 'threshold',
      subject,
      metric: t.metric,
      stat: formatAggregation(parsed.aggregation),
      unit,
      better,
      baseline: bv,
      current: cv,
      tolerance,
      ...judge(bv, cv, better, tolerance),
    });
  }
  return rows;
}

/** Reasons the two runs may not be comparable; the comparison still runs. */
export function comparabilityWarnings(baseline: ResultsCore, current: ResultsCore): string[] {
  const w: string[] = [];
  if (baseline.scenario !== current.scenario) w.push(`different scenarios: the baseline ran '${baseline.scenario}', this run '${current.scenario}'`);
  if (baseline.verdict !== 'pass') w.push(`the baseline's verdict was '${baseline.verdict}', not 'pass': compare against a good run`);
  for (const g of current.groups) {
    const b = baseline.groups.find((x) => x.name === g.name);
    if (!b) w.push(`group ${g.name} is not in the baseline`);
    else if (b.count !== g.count) w.push(`group ${g.name} has ${g.count} participant(s), the baseline had ${b.count}: figures that depend on load are not comparable`);
  }
  for (const b of baseline.groups) if (!current.groups.some((g) => g.name === b.name)) w.push(`group ${b.name} of the baseline is not in this run`);
  const [bd, cd] = [baseline.durationSeconds, current.durationSeconds];
  if (bd > 0 && cd > 0 && Math.abs(cd - bd) / bd > 0.2) w.push(`durations differ: ${bd.toFixed(0)} s in the baseline, ${cd.toFixed(0)} s now`);
  const be = baseline.environment ?? {};
  const ce = current.environment ?? {};
  for (const [field, label] of [
    ['chromium', 'Chromium'],
    ['mediasoup', 'mediasoup'],
    ['harnessVersion', 'rtc-harness'],
    ['cores', 'CPU cores'],
  ] as const) {
    if (be[field] != null && ce[field] != null && be[field] !== ce[field]) w.push(`${label} differs: ${be[field]} in the baseline, ${ce[field]} now`);
  }
  return w;
}

export interface CompareOptions {
  /** Default: DEFAULT_TOLERANCES (10%, with a floor per unit). */
  tolerances?: ToleranceSettings;
  /** The baseline's path, recorded in the comparison. Default ''. */
  baselineFile?: string;
}

export function compareRuns(baseline: ResultsCore, current: ResultsCore, options: CompareOptions = {}): BaselineComparison {
  const tolerances = options.tolerances ?? DEFAULT_TOLERANCES;
  const rows = [...thresholdRows(baseline, current, tolerances), ...groupRows(baseline, current, tolerances)];
  const missing = rows.filter((r) => r.status === 'missing');
  const warnings = comparabilityWarnings(baseline, current);
  if (missing.length > 0) {
    const names = missing.map((r) => `${r.metric} (${r.subject})`);
    warnings.push(`measured in the baseline but not in this run: ${names.slice(0, 5).join(', ')}${names.length > 5 ? `, and ${names.length - 5} more` : ''}`);
  }
  return {
    baselineFile: options.baselineFile ?? '',
    baselineScenario: baseline.scenario,
    baselineStartedAt: baseline.startedAt,
    baselineCommit: baseline.environment?.gitCommit ?? null,
    regressed: rows.some((r) => r.status === 'regressed'),
    rows,
    warnings,
    tolerances: { defaultRelativePct: tolerances.defaultRelativePct, overrides: tolerances.overrides },
  };
}
