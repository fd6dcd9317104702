// The command-line side of comparisons: `rtc-harness compare <baseline> <results>` and the
// `--baseline` of `run`. Exit codes as for a run: 0 no regression, 99 regressed, 1 bad input.
import pc from 'picocolors';
import { compareRuns } from './compare.ts';
import { comparisonMarkdown, comparisonText } from './format.ts';
import { parseTolerances } from './tolerance.ts';
import { loadResults } from '../results/load.ts';
import type { RunResults } from '../results/schema.ts';

export const COMPARE_FORMATS = ['text', 'markdown', 'json'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

export interface CompareFlags {
  /** --tolerance values as given (repeatable, comma-separated). Default none. */
  tolerance?: string[];
  /** Default 'text'. */
  format?: CompareFormat;
}

/** Runs `compare`: prints the comparison and returns the exit code. Throws ResultsFileError / ToleranceError on bad input. */
export function compareCommand(baselinePath: string, currentPath: string, flags: CompareFlags, out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout): number {
  const tolerances = parseTolerances(flags.tolerance ?? []);
  const baseline = loadResults(baselinePath, 'baseline');
  const current = loadResults(currentPath, 'results');
  const comparison = compareRuns(baseline, current, { tolerances, baselineFile: baselinePath });
  const format = flags.format ?? 'text';
  if (format === 'json') out.write(`${JSON.stringify(comparison, null, 2)}\n`);
  else if (format === 'markdown') out.write(comparisonMarkdown(comparison, '##'));
  else {
    const c = pc.createColors(Boolean(out.isTTY) && !process.env.NO_COLOR);
    out.write(`${comparisonText(comparison, { bad: c.red, good: c.green, warn: c.yellow, indent: '' })}\n`);
  }
  return comparison.regressed ? 99 : 0;
}

/**
 * For `run --baseline FILE`: loads and checks the baseline and tolerances before the run starts
 * (a typo fails in a second, not after the run), and returns the run's `finish` step that adds
 * the comparison to its results.
 */
export function baselineFinisher(baselinePath: string, toleranceFlags: readonly string[] = []): (results: RunResults) => RunResults {
  const tolerances = parseTolerances(toleranceFlags);
  const baseline = loadResults(baselinePath, 'baseline');
  return (results) => ({ ...results, baseline: compareRuns(baseline, results, { tolerances, baselineFile: baselinePath }) });
}
