// The terminal: progress while the run goes (a line every few seconds: plain when the output is
// not a terminal, so CI logs stay readable) and a k6-style summary at the end.
import pc from 'picocolors';
import type { Reporter, RunStartInfo, ProgressSnapshot } from './reporter.ts';
import type { RunResults, Aggregate } from '../results/schema.ts';
import { comparisonText } from '../compare/format.ts';

export interface ConsoleReporterOptions {
  /** Where to write. Default process.stdout. */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Print only the summary. Default false. */
  quiet?: boolean;
  /** Colours. Default: when `out` is a terminal and NO_COLOR is unset. */
  color?: boolean;
  /** Report files the other reporters write (report.html, junit.xml), listed at the end. Default none. */
  reportFiles?: string[];
}

/** Mean CPU share of the machine not used by the run from which the summary warns, percent. */
const OTHERS_CPU_WARN_PERCENT = 10;

const fmt = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);

export function formatSeconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class ConsoleReporter implements Reporter {
  readonly name = 'console';
  readonly #out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #quiet: boolean;
  readonly #c: ReturnType<typeof pc.createColors>;
  readonly #reportFiles: string[];

  constructor(options: ConsoleReporterOptions = {}) {
    this.#out = options.out ?? process.stdout;
    this.#quiet = options.quiet ?? false;
    this.#reportFiles = options.reportFiles ?? [];
    this.#c = pc.createColors(options.color ?? (Boolean(this.#out.isTTY) && !process.env.NO_COLOR));
  }

  #line(s = ''): void {
    this.#out.write(`${s}\n`);
  }

  onStart(info: RunStartInfo): void {
    const c = this.#c;
    const groups = info.groups.map((g) => `${g.name} x${g.count}`).join(', ');
    this.#line(`${c.bold('rtc-harness')} ${c.cyan(info.scenario)} (${info.scenarioFile})`);
    this.#line(`  duration ${formatSeconds(info.durationMs)}, participants: ${groups}, seed ${info.seed}`);
    this.#line(`  output   ${info.outDir}`);
    this.#line();
  }

  onProgress(p: ProgressSnapshot): void {
    if (this.#quiet) return;
    const c = this.#c;
    const head = `${formatSeconds(p.elapsedMs).padStart(6)}/${formatSeconds(p.durationMs)}  joined ${p.joined}/${p.participants}`;
    const crashed = p.crashed > 0 ? c.red(`  crashed ${p.crashed}`) : '';
    const cpu = p.machineCpuPercent === null ? '' : c.dim(`  cpu ${fmt(p.machineCpuPercent, 0)}%`);
    this.#line(`${head}${crashed}${cpu}`);
    for (const g of p.groups) {
      this.#line(
        c.dim(
          `        ${g.name}: recv ${fmt(g.recvFps)} fps, in ${fmt(g.recvKbps, 0)} kbps, out ${fmt(g.sendKbps, 0)} kbps, ` +
            `rtt ${fmt(g.rttMs)} ms, loss ${fmt(g.lossPct)}%`,
        ),
      );
    }
  }

  onLog(level: 'info' | 'warn' | 'error', message: string): void {
    if (this.#quiet && level === 'info') return;
    const c = this.#c;
    const tag = level === 'error' ? c.red('error') : level === 'warn' ? c.yellow('warn ') : c.dim('info ');
    this.#line(`  ${tag} ${message}`);
  }

  onEnd(r: RunResults, outDir: string): void {
    const c = this.#c;
    this.#line();
    this.#line(c.bold(`  thresholds`));
    if (r.thresholds.length === 0) this.#line(c.dim('    (none)'));
    const width = Math.min(48, Math.max(0, ...r.thresholds.map((t) => t.key.length)));
    for (const t of r.thresholds) {
      const mark = t.ok ? c.green('✓') : c.red('✗');
      const key = `${t.key} `.padEnd(width + 2, '.');
      const actual = t.actual === null ? (t.reason ?? 'no data') : `actual ${fmt(t.actual, 2)}`;
      this.#line(`    ${mark} ${key} ${t.expression.padEnd(14)} ${t.ok ? c.dim(actual) : c.red(actual)}`);
      if (t.notAvailable && t.actual !== null) this.#line(c.dim(`        ${t.notAvailable}`));
    }
    this.#line();
    this.#line(c.bold('  groups'));
    for (const g of r.groups) this.#line(`    ${g.name} (${g.count}): ${summariseAggregates(g.aggregates)}`);
    // One browser says nothing the groups did not; two are compared side by side.
    if ((r.browsers?.length ?? 0) > 1) {
      this.#line();
      this.#line(c.bold('  browsers'));
      for (const b of r.browsers!) {
        this.#line(`    ${b.name} (${b.count}${b.version ? `, ${b.version}` : ''}): ${summariseAggregates(b.aggregates)}`);
        if (b.notAvailable.length > 0) this.#line(c.dim(`      not available in ${b.name}: ${b.notAvailable.join(', ')}`));
      }
    }
    const failedActions = r.actions.filter((a) => !a.ok);
    if (r.actions.length > 0) {
      this.#line();
      this.#line(`  ${c.bold('actions')} ${r.actions.length - failedActions.length}/${r.actions.length} ok`);
      for (const a of failedActions.slice(0, 10)) this.#line(c.red(`    ✗ ${a.do} ${a.participant} at ${formatSeconds(a.atMs)}: ${a.error}`));
    }
    const lost = r.participants.filter((p) => p.error);
    for (const p of lost) this.#line(c.red(`    ✗ ${p.id}: ${p.error}`));
    if (r.baseline) {
      this.#line();
      this.#line(c.bold('  baseline'));
      // Only what changed beyond the tolerance: `rtc-harness compare` prints every row.
      this.#line(comparisonText(r.baseline, { all: false, bad: c.red, good: c.green, warn: c.yellow, indent: '  ' }));
    }
    const lg = r.loadGenerator;
    this.#line();
    this.#line(
      c.dim(
        `  load generator: cpu max ${fmt(lg.maxCpuPercent, 0)}% avg ${fmt(lg.avgCpuPercent, 0)}%` +
          `${lg.avgOthersCpuPercent != null ? ` (not this run's: ${fmt(lg.avgOthersCpuPercent, 0)}%)` : ''}, ${lg.browsers} browser(s), ${r.sampleCount} samples`,
      ),
    );
    if ((lg.avgOthersCpuPercent ?? 0) >= OTHERS_CPU_WARN_PERCENT) {
      this.#line(
        c.yellow(
          `  other processes (or the hypervisor) took ${fmt(lg.avgOthersCpuPercent, 0)}% of this machine's CPU during the run: ` +
            'what it measured may say more about them than about the call',
        ),
      );
    }
    this.#line(c.dim(`  results: ${outDir}/results.json, samples: ${outDir}/samples.jsonl`));
    if (this.#reportFiles.length > 0) this.#line(c.dim(`  reports: ${this.#reportFiles.join(', ')}`));
    const verdict =
      r.verdict === 'pass' ? c.green(c.bold('PASS')) : r.verdict === 'fail' ? c.red(c.bold('FAIL')) : c.yellow(c.bold(r.verdict.toUpperCase()));
    const regressed = r.baseline?.regressed ? c.red(c.bold(' REGRESSED against the baseline')) : '';
    this.#line(`  verdict: ${verdict}${regressed}${r.verdictReason ? ` — ${r.verdictReason}` : ''}${r.interrupted ? c.yellow(' (interrupted)') : ''}`);
  }
}

function summariseAggregates(a: Record<string, Aggregate>): string {
  const parts: string[] = [];
  const add = (label: string, metric: string, key: keyof Aggregate, digits = 1, unit = '') => {
    const agg = a[metric];
    if (agg && agg.count > 0) parts.push(`${label} ${fmt(agg[key], digits)}${unit}`);
  };
  add('recv fps p50', 'video_recv_fps', 'p50');
  add('video in', 'video_recv_bitrate_kbps', 'avg', 0, ' kbps/stream');
  add('video out', 'video_send_bitrate_kbps', 'avg', 0, ' kbps/stream');
  add('rtt p50', 'rtt_ms', 'p50', 1, ' ms');
  add('first frame p95', 'join_to_first_frame_ms', 'p95', 0, ' ms');
  add('freezes', 'video_freeze_seconds_total', 'max', 2, ' s');
  add('glass-to-glass p50', 'video_e2e_latency_ms', 'p50', 0, ' ms');
  add('mouth-to-ear p50', 'audio_e2e_latency_ms', 'p50', 0, ' ms');
  add('skipped frames', 'video_skipped_frame_count_total', 'max', 0);
  return parts.length > 0 ? parts.join(', ') : 'no samples';
}
