// JUnit XML, the test-report format CI systems read (Jenkins, GitLab, GitHub actions that
// publish test results): one <testsuite> per run, and a <testcase> for each thing that can fail
// it, so the CI page lists the reason with the measured value:
//   - each threshold (failure type "threshold": the measured value and what it needed)
//   - each participant (failure type "participant": it never connected, or dropped out)
//   - the run itself (error type "invalid": the load generator was saturated, the run could not
//     be carried out or was interrupted: no pass/fail can be read from it)
//   - each figure compared with a baseline, with `--baseline` (failure type "regression";
//     skipped when either run did not measure it)
// The format is checked against junit.xsd (next to this file) in the tests.
import { create } from 'xmlbuilder2';
import type { Reporter } from './reporter.ts';
import type { RunResults } from '../results/schema.ts';
import { rowLabel } from '../compare/format.ts';
import { formatTolerance } from '../compare/tolerance.ts';
import { formatDelta, formatNumber, formatValue, reproduceCommand } from '../results/format.ts';
import { METRICS, isMetricName } from '../stats/catalogue.ts';
import { writeReportFile } from './files.ts';

type XMLBuilder = ReturnType<typeof create>;

/** XML 1.0 allows no control characters but tab and newlines; colour codes become noise. */
const clean = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g, '');

/** ISO 8601 without zone or fraction: the strictest timestamp form JUnit readers accept (Ant's). */
const junitTimestamp = (iso: string) => iso.replace(/\.\d+Z?$|Z$/, '');

type Outcome = { kind: 'failure' | 'error' | 'skipped'; message: string; type?: string; detail?: string } | null;

interface Case {
  name: string;
  classname: string;
  timeSeconds: number;
  outcome: Outcome;
  out?: string;
}

function unitOf(metric: string): string {
  return isMetricName(metric) ? METRICS[metric].unit : '';
}

function thresholdCases(r: RunResults, prefix: string): Case[] {
  return r.thresholds.map((t) => {
    const measured = t.actual === null ? 'no samples' : `measured ${formatValue(t.actual, unitOf(t.metric))}`;
    return {
      name: `${t.key} ${t.expression}`,
      classname: `${prefix}.thresholds`,
      timeSeconds: 0,
      outcome: t.ok
        ? null
        : {
            kind: 'failure',
            type: 'threshold',
            message: `${t.key} ${t.expression} failed: ${t.reason ?? measured}`,
            detail: [`selector: ${t.key}`, `expression: ${t.expression}`, `${measured}`, t.aborted ? 'this failure stopped the run early (abortOnFail)' : '']
              .filter(Boolean)
              .join('\n'),
          },
      out: t.actual === null ? undefined : `${measured} (${t.expression})${t.notAvailable ? `; ${t.notAvailable}` : ''}`,
    };
  });
}

function participantCases(r: RunResults, prefix: string): Case[] {
  return r.participants.map((p) => {
    let outcome: Outcome = null;
    if (!p.connected) {
      outcome = { kind: 'failure', type: 'participant', message: `${p.id} never connected${p.error ? `: ${p.error}` : ' (no peer connection reached connected)'}` };
    } else if (p.error) {
      outcome = { kind: 'failure', type: 'participant', message: `${p.id} connected, then dropped out: ${p.error}` };
    }
    const fps = p.aggregates.video_recv_fps;
    return {
      name: `${p.id} connects and stays`,
      classname: `${prefix}.participants.${p.group}`,
      timeSeconds: 0,
      outcome,
      out: `browser: ${p.browser ?? 'chromium'}${fps && fps.count > 0 ? `; video received: fps p50 ${formatNumber(fps.p50)}` : ''}`,
    };
  });
}

function runCase(r: RunResults, prefix: string): Case {
  let outcome: Outcome = null;
  if (r.verdict === 'invalid') outcome = { kind: 'error', type: 'invalid', message: r.verdictReason ?? 'the run is invalid' };
  else if (r.interrupted && !r.thresholds.some((t) => t.aborted)) outcome = { kind: 'error', type: 'interrupted', message: r.verdictReason ?? 'the run was interrupted' };
  return {
    name: 'run is valid (carried out in full, load generator not saturated)',
    classname: `${prefix}.run`,
    timeSeconds: r.durationSeconds,
    outcome,
    out: `load generator: cpu max ${formatNumber(r.loadGenerator.maxCpuPercent)}%, ${r.loadGenerator.browsers} browser(s), ${r.sampleCount} samples`,
  };
}

function baselineCases(r: RunResults, prefix: string): Case[] {
  const c = r.baseline;
  if (!c) return [];
  return c.rows.map((row) => {
    const change = `${formatValue(row.current, row.unit)} vs ${formatValue(row.baseline, row.unit)} in the baseline, ${formatDelta(row.delta, row.deltaPct)}`;
    let outcome: Outcome = null;
    if (row.status === 'regressed') {
      outcome = { kind: 'failure', type: 'regression', message: `${rowLabel(row)} regressed: ${change}; tolerance ${formatTolerance(row.tolerance)} (${row.better} is better)` };
    } else if (row.status === 'missing') outcome = { kind: 'skipped', message: 'measured in the baseline, not in this run' };
    else if (row.status === 'new') outcome = { kind: 'skipped', message: 'not measured in the baseline' };
    return { name: rowLabel(row), classname: `${prefix}.baseline`, timeSeconds: 0, outcome, out: row.status === 'regressed' ? undefined : `${row.status}: ${change}` };
  });
}

/** The run as a JUnit XML document. */
export function renderJUnit(r: RunResults): string {
  const prefix = `rtc-harness.${r.scenario}`;
  const cases = [runCase(r, prefix), ...thresholdCases(r, prefix), ...participantCases(r, prefix), ...baselineCases(r, prefix)];
  const count = (kind: 'failure' | 'error' | 'skipped') => cases.filter((c) => c.outcome?.kind === kind).length;
  const totals = {
    tests: String(cases.length),
    failures: String(count('failure')),
    errors: String(count('error')),
    skipped: String(count('skipped')),
    time: r.durationSeconds.toFixed(3),
  };
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name: 'rtc-harness', ...totals });
  const suite = root.ele('testsuite', { name: r.scenario, ...totals, timestamp: junitTimestamp(r.startedAt) });
  const props = suite.ele('properties');
  const env = r.environment;
  const properties: [string, string | number | null | undefined][] = [
    ['scenarioFile', r.scenarioFile],
    ['verdict', r.verdict],
    ['seed', r.seed],
    ['reproduce', reproduceCommand(r)],
    ['harnessVersion', env.harnessVersion],
    ['gitCommit', env.gitCommit],
    ['chromium', env.chromium],
    ['mediasoup', env.mediasoup],
    ['node', env.node],
    ['machine', `${env.cores} cores, ${env.memoryGiB} GiB, ${env.platform}`],
    ['ciJobUrl', env.ciJobUrl],
  ];
  for (const [name, value] of properties) if (value !== null && value !== undefined) props.ele('property', { name, value: clean(String(value)) });
  for (const c of cases) addCase(suite, c);
  const summary = [`verdict: ${r.verdict}${r.verdictReason ? ` (${r.verdictReason})` : ''}`, `reproduce: ${reproduceCommand(r)}`];
  const failedActions = r.actions.filter((a) => !a.ok).map((a) => `action ${a.do} ${a.participant} at ${(a.atMs / 1000).toFixed(1)} s failed: ${a.error}`);
  suite.ele('system-out').txt(clean(summary.join('\n')));
  if (failedActions.length > 0) suite.ele('system-err').txt(clean(failedActions.join('\n')));
  return root.end({ prettyPrint: true });
}

function addCase(suite: XMLBuilder, c: Case): void {
  const el = suite.ele('testcase', { name: clean(c.name), classname: clean(c.classname), time: c.timeSeconds.toFixed(3) });
  const o = c.outcome;
  if (o) {
    const attrs: Record<string, string> = { message: clean(o.message) };
    if (o.kind !== 'skipped' && o.type) attrs.type = o.type;
    const child = el.ele(o.kind, attrs);
    if (o.kind !== 'skipped') child.txt(clean(o.detail ?? o.message));
  }
  if (c.out) el.ele('system-out').txt(clean(c.out));
}

export interface JUnitReporterOptions {
  /** Where to write. Default: junit.xml in the run's output folder. */
  path?: string;
}

export class JUnitReporter implements Reporter {
  readonly name = 'junit';
  readonly #path: string | undefined;

  constructor(options: JUnitReporterOptions = {}) {
    this.#path = options.path;
  }

  onEnd(results: RunResults, outDir: string): void {
    writeReportFile(this.#path, outDir, 'junit.xml', renderJUnit(results));
  }
}
