// A Markdown summary of a run for a CI job summary ($GITHUB_STEP_SUMMARY) or a pull-request
// comment: the verdict and why first, then the thresholds with measured values, the groups'
// key figures, what went wrong, the baseline comparison, and how to reproduce the run.
import { appendFileSync } from 'node:fs';
import type { Reporter } from './reporter.ts';
import type { RunResults } from '../results/schema.ts';
import { comparisonMarkdown, regressionSummary } from '../compare/format.ts';
import { METRICS, isMetricName, type MetricName } from '../stats/catalogue.ts';
import { SUMMARY_COLUMNS, figure, formatDuration, formatValue, reproduceCommand } from '../results/format.ts';
import { writeReportFile } from './files.ts';

/** At most this many rows of participants or actions that went wrong (a job summary is capped at 1 MiB). */
const MAX_PROBLEM_ROWS = 50;

/** Escapes text for a table cell. */
const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ').replaceAll('<', '&lt;');
const code = (s: string) => `\`${s.replaceAll('`', "'")}\``;

const VERDICT: Record<string, string> = { pass: '✅ PASS', fail: '❌ FAIL', invalid: '⚠️ INVALID', running: '⏳ RUNNING' };

export interface MarkdownOptions {
  /** Files of the run's other reports, linked at the end (names relative to the summary). Default none. */
  reportFiles?: string[];
}

export function renderMarkdown(r: RunResults, options: MarkdownOptions = {}): string {
  const env = r.environment;
  const regressed = r.baseline?.regressed ? ' · ❌ REGRESSED' : '';
  const out: string[] = [`## ${VERDICT[r.verdict] ?? r.verdict}${regressed} · rtc-harness · ${r.scenario}`, ''];
  if (r.verdictReason) out.push(`> ${cell(r.verdictReason)}`, '');
  const regression = r.baseline ? regressionSummary(r.baseline) : null;
  if (regression) out.push(`> ${cell(regression)}`, '');
  const groups = r.groups.map((g) => `${g.name} ×${g.count}`).join(', ');
  const connected = r.participants.filter((p) => p.connected).length;
  const commit = env.gitCommit ? ` · commit ${code(env.gitCommit.slice(0, 12))}${env.gitDirty ? ' (modified)' : ''}` : '';
  out.push(
    `${formatDuration(r.durationSeconds)}${r.interrupted ? ' (stopped early)' : ''} · ${groups} · ${connected}/${r.participants.length} connected · ` +
      `seed ${r.seed} · ${env.chromium ?? 'Chromium ?'} · mediasoup ${env.mediasoup ?? '?'}${commit}`,
    '',
  );

  out.push('### Thresholds', '');
  if (r.thresholds.length === 0) out.push('_None defined: the run cannot fail on quality. Add `thresholds` to the scenario._', '');
  else {
    out.push('| | threshold | measured | why |', '|---|---|---:|---|');
    for (const t of r.thresholds) {
      const unit = isMetricName(t.metric) ? METRICS[t.metric].unit : '';
      const why = t.ok ? cell(t.notAvailable ?? '') : cell(t.reason ?? 'failed') + (t.aborted ? ' (stopped the run)' : '');
      out.push(`| ${t.ok ? '✅' : '❌'} | ${code(t.key)} ${code(t.expression)} | ${formatValue(t.actual, unit)} | ${why} |`);
    }
    out.push('');
  }

  out.push('### Groups', '');
  out.push(`| group | connected | ${SUMMARY_COLUMNS.map((c) => c[0]).join(' | ')} |`, `|---|---:|${SUMMARY_COLUMNS.map(() => '---:').join('|')}|`);
  for (const g of r.groups) {
    const members = r.participants.filter((p) => p.group === g.name);
    const ok = members.filter((p) => p.connected).length;
    out.push(`| ${cell(g.name)} | ${ok}/${g.count} | ${SUMMARY_COLUMNS.map(([, m, s]) => figure(g.aggregates, m, s)).join(' | ')} |`);
  }
  out.push('');

  if ((r.browsers?.length ?? 0) > 1) {
    out.push('### Browsers', '');
    out.push(`| browser | connected | ${SUMMARY_COLUMNS.map((c) => c[0]).join(' | ')} |`, `|---|---:|${SUMMARY_COLUMNS.map(() => '---:').join('|')}|`);
    for (const b of r.browsers!) {
      const ok = r.participants.filter((p) => (p.browser ?? 'chromium') === b.name && p.connected).length;
      out.push(`| ${cell(b.version ?? b.name)} | ${ok}/${b.count} | ${SUMMARY_COLUMNS.map(([, m, s]) => figure(b.aggregates, m, s)).join(' | ')} |`);
    }
    out.push('');
    for (const b of r.browsers!) {
      if (b.notAvailable.length > 0) out.push(`Not available in ${b.name} (its stats lack them): ${b.notAvailable.map(code).join(', ')}.`, '');
    }
  }

  const problems = r.participants.filter((p) => !p.connected || p.error);
  if (problems.length > 0) {
    out.push('### Participants with problems', '', '| participant | problem |', '|---|---|');
    for (const p of problems.slice(0, MAX_PROBLEM_ROWS)) {
      out.push(`| ${cell(p.id)} | ${cell(p.connected ? `dropped out: ${p.error}` : `never connected${p.error ? `: ${p.error}` : ''}`)} |`);
    }
    if (problems.length > MAX_PROBLEM_ROWS) out.push(`| … | ${problems.length - MAX_PROBLEM_ROWS} more in results.json |`);
    out.push('');
  }

  const failedActions = r.actions.filter((a) => !a.ok);
  if (failedActions.length > 0) {
    out.push(`### Timeline actions: ${failedActions.length} of ${r.actions.length} failed`, '', '| at | action | participant | error |', '|---:|---|---|---|');
    for (const a of failedActions.slice(0, MAX_PROBLEM_ROWS)) out.push(`| ${(a.atMs / 1000).toFixed(1)} s | ${a.do} | ${cell(a.participant)} | ${cell(a.error ?? '')} |`);
    out.push('');
  }

  if (r.baseline) out.push(comparisonMarkdown(r.baseline, '###'));

  out.push('<details><summary>Reproduce and environment</summary>', '');
  out.push('```sh', reproduceCommand(r), '```', '');
  out.push(
    `- rtc-harness ${env.harnessVersion}, Node ${env.node}, ${env.chromium ?? 'Chromium unknown'}, mediasoup ${env.mediasoup ?? 'unknown'}`,
    `- machine: ${env.cores} cores${env.cpuModel ? ` (${env.cpuModel})` : ''}, ${env.memoryGiB} GiB, ${env.platform}${env.arch ? ` ${env.arch}` : ''}`,
    `- load generator: CPU max ${formatValue(r.loadGenerator.maxCpuPercent, 'percent')}, average ${formatValue(r.loadGenerator.avgCpuPercent, 'percent')}${r.loadGenerator.avgOthersCpuPercent != null ? ` (not this run's: ${formatValue(r.loadGenerator.avgOthersCpuPercent, 'percent')})` : ''}, ${r.loadGenerator.browsers} browser(s)`,
    `- ${r.sampleCount} samples, started ${r.startedAt}${env.ciJobUrl ? `, [CI job](${env.ciJobUrl})` : ''}`,
  );
  if (r.droppedPoints > 0) out.push(`- ⚠️ ${r.droppedPoints} points dropped (store full): aggregates cover the start of the run only`);
  if (options.reportFiles?.length) out.push(`- reports: ${options.reportFiles.map(code).join(', ')}`);
  out.push('', '</details>', '');
  return out.join('\n');
}

export interface MarkdownReporterOptions {
  /** Where to write. Default: summary.md in the run's output folder. */
  path?: string;
  /**
   * A file the summary is also appended to, for GitHub Actions' job summary. Default:
   * $GITHUB_STEP_SUMMARY when set; null: never.
   */
  stepSummaryPath?: string | null;
  /** See MarkdownOptions.reportFiles. */
  reportFiles?: string[];
}

export class MarkdownReporter implements Reporter {
  readonly name = 'markdown';
  readonly #options: MarkdownReporterOptions;

  constructor(options: MarkdownReporterOptions = {}) {
    this.#options = options;
  }

  onEnd(results: RunResults, outDir: string): void {
    const text = renderMarkdown(results, { reportFiles: this.#options.reportFiles });
    writeReportFile(this.#options.path, outDir, 'summary.md', text);
    const step = this.#options.stepSummaryPath === undefined ? process.env.GITHUB_STEP_SUMMARY : this.#options.stepSummaryPath;
    if (step) appendFileSync(step, `${text}\n`);
  }
}
