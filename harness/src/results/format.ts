// Numbers as reports and comparisons print them: digits that suit the magnitude, the unit after
// the number; and the figures every report shows of a run.
import type { Aggregate } from './schema.ts';
import { METRICS, type MetricName } from '../stats/catalogue.ts';

const UNIT_SUFFIX: Record<string, string> = {
  kbps: ' kbps',
  fps: ' fps',
  px: ' px',
  ms: ' ms',
  seconds: ' s',
  percent: '%',
  per_second: '/s',
  db: ' dB',
};

/** 3 significant-ish digits: 1234, 123, 12.3, 1.23, 0.123; '-' for null or non-finite. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const a = Math.abs(v);
  const digits = a >= 100 || Number.isInteger(v) ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return v.toFixed(digits);
}

/** A value with its catalogue unit: '30.1 fps', '1.5%', '180 ms'. */
export function formatValue(v: number | null | undefined, unit = ''): string {
  const n = formatNumber(v);
  return n === '-' ? n : `${n}${UNIT_SUFFIX[unit] ?? ''}`;
}

/** A signed change: '+1.20 (+4.1%)', '-35 (-12%)'. */
export function formatDelta(delta: number | null, deltaPct: number | null): string {
  if (delta === null) return '-';
  const sign = delta > 0 ? '+' : '';
  const pct = deltaPct === null ? '' : ` (${deltaPct > 0 ? '+' : ''}${formatNumber(deltaPct)}%)`;
  return `${sign}${formatNumber(delta)}${pct}`;
}

/** Seconds as '45s' or '2m05s'. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The command that repeats a run: the scenario, its seed and the overrides it ran with. */
export function reproduceCommand(r: { scenarioFile: string; seed: number; overrides?: readonly string[] }): string {
  const quote = (s: string) => (/^[\w@%+=:,./[\]-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  // Overrides are recorded as written ('--set viewers.count=4'); the seed is always given, so a
  // recorded '--seed' override is not repeated.
  const overrides = (r.overrides ?? []).filter((o) => !o.startsWith('--seed')).flatMap((o) => {
    const space = o.indexOf(' ');
    return space < 0 ? [o] : [o.slice(0, space), quote(o.slice(space + 1))];
  });
  return ['rtc-harness', 'run', quote(r.scenarioFile), ...overrides, '--seed', String(r.seed)].join(' ');
}

/** The key figures of a participant or group in every report, in order: [column, metric, aggregate]. */
export const SUMMARY_COLUMNS: readonly [string, MetricName, keyof Aggregate][] = [
  ['recv fps p50', 'video_recv_fps', 'p50'],
  ['recv video p50', 'video_recv_bitrate_kbps', 'p50'],
  ['send video p50', 'video_send_bitrate_kbps', 'p50'],
  ['RTT p95', 'rtt_ms', 'p95'],
  ['loss p95', 'recv_loss_percent', 'p95'],
  ['first frame p95', 'join_to_first_frame_ms', 'p95'],
  ['freezes max', 'video_freeze_seconds_total', 'max'],
];

/** One aggregate of one metric, formatted with its unit; '-' when it has no samples. */
export function figure(a: Record<string, Aggregate>, metric: MetricName, stat: keyof Aggregate): string {
  const agg = a[metric];
  return agg && agg.count > 0 ? formatValue(agg[stat], METRICS[metric].unit) : '-';
}
