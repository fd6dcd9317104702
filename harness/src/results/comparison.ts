// The vocabulary of comparing a run with a baseline run: tolerances, one row per compared figure,
// and the comparison as results.json records it (`results.baseline`). compare/ computes it; it is
// part of the schema, so reporters read it from here without the comparison's code.

/**
 * How much worse a figure may get before it counts as a regression. The worsening tolerated is
 * max(relativePct% of the baseline value, absolute): the relative part scales with the figure,
 * the absolute floor keeps noise on small values (1 ms of RTT, 0.2% loss) from failing a build.
 */
export interface Tolerance {
  /** Percent of the baseline value, ≥ 0. */
  relativePct: number;
  /** In the metric's unit (ms, fps, kbps, percentage points), ≥ 0. */
  absolute: number;
}

/**
 * - improved: better than the baseline by more than the tolerance
 * - unchanged: within the tolerance, either way
 * - regressed: worse than the baseline by more than the tolerance (fails the comparison)
 * - missing: measured in the baseline, not in this run (a warning, not a failure: thresholds
 *   catch a figure that should exist)
 * - new: measured in this run only
 */
export type RowStatus = 'improved' | 'unchanged' | 'regressed' | 'missing' | 'new';

export interface ComparisonRow {
  /** 'group': a group's aggregate of a metric; 'threshold': the value a threshold measured. */
  source: 'group' | 'threshold';
  /** The group name, or the threshold as written: 'video_recv_fps{group:viewers} p(5) > 20'. */
  subject: string;
  metric: string;
  /** Which aggregate was compared: 'p50', 'p95', 'max', 'avg', or the threshold's, e.g. 'p(5)'. */
  stat: string;
  /** The metric's unit, from the catalogue. */
  unit: string;
  /** Which way is better (from the catalogue; for a threshold, from its operator). */
  better: 'higher' | 'lower';
  baseline: number | null;
  current: number | null;
  /** current − baseline; null when either is missing. */
  delta: number | null;
  /** delta as a percentage of |baseline|; null when either is missing or the baseline is 0. */
  deltaPct: number | null;
  /** The worsening tolerated, in the unit; null when either value is missing. */
  allowed: number | null;
  tolerance: Tolerance;
  status: RowStatus;
}

export interface BaselineComparison {
  /** The baseline's path as given. */
  baselineFile: string;
  baselineScenario: string;
  baselineStartedAt: string;
  baselineCommit: string | null;
  /** Some row regressed: the comparison fails (exit code 99). */
  regressed: boolean;
  rows: ComparisonRow[];
  /** Why the two runs may not be comparable (different scenario, participants, versions). */
  warnings: string[];
  /** The tolerances in force: the default relative part (each unit adds its floor) and the overrides. */
  tolerances: { defaultRelativePct: number; overrides: Record<string, Tolerance> };
}
