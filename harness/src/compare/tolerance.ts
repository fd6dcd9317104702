// Tolerances for baseline comparisons: defaults by unit, and `--tolerance` overrides parsed once
// at the boundary. Syntax, per metric (repeat the flag or separate with commas):
//   video_recv_fps=15%      15% of the baseline value (the unit's absolute floor still applies)
//   rtt_ms=20               20 ms, whatever the baseline (no relative part)
//   rtt_ms=15%:20           15% of the baseline, and at least 20 ms
//   *=20%                   20% instead of 10% for every metric without its own override
import { METRICS, isMetricName, type MetricName, type MetricUnit } from '../stats/catalogue.ts';
import { closest } from '../util/suggest.ts';
import type { Tolerance } from '../results/comparison.ts';

/** A metric may get this much worse, relative to the baseline, before it regresses. */
export const DEFAULT_RELATIVE_PCT = 10;

/**
 * The least worsening that counts, per unit: differences below these are run-to-run noise on
 * loopback (RTT of 1–3 ms, a lost packet or two, one fps of a decoder warming up).
 */
export const ABSOLUTE_FLOOR_BY_UNIT: Readonly<Record<MetricUnit, number>> = {
  kbps: 25,
  fps: 1,
  px: 1,
  ms: 10,
  seconds: 0.5,
  percent: 1,
  count: 1,
  per_second: 1,
  ratio: 0.05,
  // Half a decibel of PSNR: a frame or two scored differently.
  db: 0.5,
  // A whole layer: the average layer index moving by less is one switch more or less.
  layer: 0.5,
  // The share of samples where the participant was connected (the `connected` metric's average).
  bool: 0.05,
};

/**
 * Metrics whose run-to-run spread on an unchanged system exceeds the default: the time to the
 * first frame waits for a key frame (a few hundred ms either way), connecting for ICE checks.
 */
export const DEFAULT_METRIC_TOLERANCES: Readonly<Partial<Record<MetricName, Tolerance>>> = {
  join_to_first_frame_ms: { relativePct: 25, absolute: 250 },
  time_to_connected_ms: { relativePct: 25, absolute: 100 },
};

export interface ToleranceSettings {
  /** Relative part for every metric without an override, percent. Default DEFAULT_RELATIVE_PCT. */
  defaultRelativePct: number;
  /** Per metric name. */
  overrides: Record<string, Tolerance>;
}

export const DEFAULT_TOLERANCES: ToleranceSettings = Object.freeze({ defaultRelativePct: DEFAULT_RELATIVE_PCT, overrides: Object.freeze({}) });

export class ToleranceError extends Error {
  override name = 'ToleranceError';
}

/**
 * The tolerance for a metric: its --tolerance override, else its own default
 * (DEFAULT_METRIC_TOLERANCES), else the default relative part with its unit's floor.
 */
export function toleranceFor(metric: string, settings: ToleranceSettings = DEFAULT_TOLERANCES): Tolerance {
  const own = settings.overrides[metric];
  if (own) return own;
  if (!isMetricName(metric)) return { relativePct: settings.defaultRelativePct, absolute: 0 };
  const preset = DEFAULT_METRIC_TOLERANCES[metric];
  if (preset) return preset;
  const unit = METRICS[metric].unit;
  return { relativePct: settings.defaultRelativePct, absolute: ABSOLUTE_FLOOR_BY_UNIT[unit] };
}

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;
const VALUE = new RegExp(`^(?:${NUMBER}%(?::${NUMBER})?|${NUMBER})$`);

/**
 * Parses `--tolerance` values into settings. Each value may hold several comma-separated
 * `metric=spec` pairs. Throws ToleranceError with a message that quotes the bad part.
 */
export function parseTolerances(values: readonly string[]): ToleranceSettings {
  const settings: ToleranceSettings = { defaultRelativePct: DEFAULT_RELATIVE_PCT, overrides: {} };
  for (const part of values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ToleranceError(`--tolerance '${part}': expected metric=15%, metric=20 or metric=15%:20 (e.g. video_recv_fps=15%)`);
    const metric = part.slice(0, eq).trim();
    const spec = part.slice(eq + 1).trim().replace(/\s+/g, '');
    const m = VALUE.exec(spec);
    if (!m) {
      throw new ToleranceError(
        `--tolerance '${part}': '${spec}' is not a tolerance; write 15% (relative), 20 (absolute, in the metric's unit) or 15%:20 (both)`,
      );
    }
    if (metric === '*') {
      if (m[3] !== undefined || m[2] !== undefined) {
        throw new ToleranceError(`--tolerance '${part}': '*' takes a percentage only (e.g. *=20%): absolute values depend on each metric's unit`);
      }
      settings.defaultRelativePct = Number(m[1]);
      continue;
    }
    if (!isMetricName(metric)) {
      const suggestion = closest(metric, Object.keys(METRICS));
      throw new ToleranceError(
        `--tolerance '${part}': unknown metric '${metric}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}; 'rtc-harness metrics' lists them`,
      );
    }
    if (METRICS[metric].better === 'none') {
      throw new ToleranceError(`--tolerance '${part}': ${metric} has neither a better nor a worse direction (see the catalogue), so it is never compared`);
    }
    settings.overrides[metric] =
      m[3] !== undefined
        ? { relativePct: 0, absolute: Number(m[3]) }
        : { relativePct: Number(m[1]), absolute: m[2] !== undefined ? Number(m[2]) : ABSOLUTE_FLOOR_BY_UNIT[METRICS[metric].unit] };
  }
  return settings;
}

/** The tolerance as written on the command line: '10%:1', '20'. */
export function formatTolerance(t: Tolerance): string {
  if (t.relativePct === 0) return `${t.absolute}`;
  return t.absolute === 0 ? `${t.relativePct}%` : `${t.relativePct}%:${t.absolute}`;
}
