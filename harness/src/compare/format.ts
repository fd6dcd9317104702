// A comparison as people read it: a text table for the terminal and a Markdown table for CI job
// summaries and pull-request comments.
import { formatDelta, formatNumber, formatValue } from '../results/format.ts';
import { formatTolerance } from './tolerance.ts';
import type { BaselineComparison, ComparisonRow, RowStatus } from '../results/comparison.ts';

export const STATUS_MARK: Record<RowStatus, string> = {
  regressed: '✗',
  improved: '↑',
  unchanged: '·',
  missing: '?',
  new: '+',
};

/** 'video_recv_fps (callers) p50' or the threshold as written. */
export function rowLabel(r: ComparisonRow): string {
  return r.source === 'threshold' ? `threshold ${r.subject}` : `${r.metric} (${r.subject}) ${r.stat}`;
}

export function statusCounts(c: BaselineComparison): string {
  const order: RowStatus[] = ['regressed', 'improved', 'unchanged', 'missing', 'new'];
  return order
    .map((s) => [s, c.rows.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/** Worth a person's attention: changed beyond the tolerance, or gone (a figure only this run has is not). */
export const isNotable = (r: ComparisonRow): boolean => r.status === 'regressed' || r.status === 'improved' || r.status === 'missing';

/** The rows worth a person's attention first: regressions, then improvements, then the rest. */
export function sortedRows(rows: readonly ComparisonRow[]): ComparisonRow[] {
  const rank: Record<RowStatus, number> = { regressed: 0, improved: 1, missing: 2, new: 3, unchanged: 4 };
  return [...rows].sort((a, b) => rank[a.status] - rank[b.status]);
}

/** One line naming what regressed, for headlines: 'video_recv_fps (callers) p50 24.1 fps vs 30.0 fps (-19.7%); …'. */
export function regressionSummary(c: BaselineComparison, max = 3): string | null {
  const bad = c.rows.filter((r) => r.status === 'regressed');
  if (bad.length === 0) return null;
  const parts = bad.slice(0, max).map((r) => `${rowLabel(r)} ${formatValue(r.current, r.unit)} vs ${formatValue(r.baseline, r.unit)}${r.deltaPct === null ? '' : ` (${r.deltaPct > 0 ? '+' : ''}${formatNumber(r.deltaPct)}%)`}`);
  return `${bad.length} figure(s) regressed against the baseline: ${parts.join('; ')}${bad.length > max ? '; …' : ''}`;
}

function baselineLine(c: BaselineComparison): string {
  const commit = c.baselineCommit ? `, commit ${c.baselineCommit.slice(0, 12)}` : '';
  return `${c.baselineFile || 'baseline'} (${c.baselineScenario}, ${c.baselineStartedAt}${commit})`;
}

export interface TextOptions {
  /** Print every row; false: only the notable ones (isNotable). Default true. */
  all?: boolean;
  /** Wraps a regressed row (e.g. in red). Default: as is. */
  bad?: (s: string) => string;
  /** Wraps an improved row. Default: as is. */
  good?: (s: string) => string;
  /** Wraps warnings. Default: as is. */
  warn?: (s: string) => string;
  /** Indent of every line. Default 2 spaces. */
  indent?: string;
}

export function comparisonText(c: BaselineComparison, options: TextOptions = {}): string {
  const id = (s: string) => s;
  const { bad = id, good = id, warn = id, indent = '  ' } = options;
  const rows = sortedRows(c.rows).filter((r) => options.all !== false || isNotable(r));
  const lines = [`${indent}compared with ${baselineLine(c)}`];
  for (const w of c.warnings) lines.push(warn(`${indent}  warning: ${w}`));
  if (rows.length > 0) {
    const width = Math.min(70, Math.max(...rows.map((r) => rowLabel(r).length)));
    lines.push(`${indent}    ${'figure'.padEnd(width)}  ${'baseline'.padStart(12)}  ${'this run'.padStart(12)}  ${'change'.padStart(18)}  tolerance`);
    for (const r of rows) {
      const line =
        `${indent}  ${STATUS_MARK[r.status]} ${rowLabel(r).padEnd(width)}  ${formatValue(r.baseline, r.unit).padStart(12)}  ` +
        `${formatValue(r.current, r.unit).padStart(12)}  ${formatDelta(r.delta, r.deltaPct).padStart(18)}  ${formatTolerance(r.tolerance)}`;
      lines.push(r.status === 'regressed' ? bad(line) : r.status === 'improved' ? good(line) : line);
    }
  }
  const verdict = c.regressed ? bad('REGRESSED') : 'no regression';
  lines.push(`${indent}${statusCounts(c) || 'nothing to compare'}: ${verdict}`);
  return lines.join('\n');
}

const md = (s: string) => s.replaceAll('|', '\\|').replaceAll('<', '&lt;');

function markdownRows(rows: readonly ComparisonRow[]): string[] {
  return [
    '| | figure | baseline | this run | change | tolerance |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${STATUS_MARK[r.status]} ${r.status} | ${md(rowLabel(r))} | ${formatValue(r.baseline, r.unit)} | ${formatValue(r.current, r.unit)} | ` +
        `${formatDelta(r.delta, r.deltaPct)} | ${formatTolerance(r.tolerance)} |`,
    ),
  ];
}

/** A Markdown section: the notable rows in a table, every row in a collapsed table below it. */
export function comparisonMarkdown(c: BaselineComparison, heading = '###'): string {
  const notable = sortedRows(c.rows).filter(isNotable);
  const lines = [
    `${heading} ${c.regressed ? '❌ Regressed' : '✅ No regression'} against the baseline`,
    '',
    `Baseline: \`${md(baselineLine(c))}\`. ${statusCounts(c) || 'Nothing to compare'}.`,
    '',
  ];
  for (const w of c.warnings) lines.push(`> ⚠️ ${md(w)}`, '');
  if (notable.length > 0) lines.push(...markdownRows(notable), '');
  if (c.rows.length > 0) {
    lines.push('<details><summary>Every compared figure</summary>', '', ...markdownRows(sortedRows(c.rows)), '', '</details>', '');
  }
  return lines.join('\n');
}
