// Runs of the real CLI measured from /proc (measureRun), for the benches. CPU and memory of a process tree, by part: the browsers (Chromium, Firefox), the SFU
// (mediasoup workers) and the harness (everything else). Memory is PSS, so pages shared between
// processes (Chromium's code, a clip every browser maps) count once across the tree.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResults } from '../src/results/schema.ts';
import { descendants, readProc, REPO_ROOT, type ProcInfo } from '../../test/support/cli.ts';
import { readResults } from '../../test/support/results.ts';

export type Part = 'browsers' | 'sfu' | 'harness';
export const PARTS: readonly Part[] = ['browsers', 'sfu', 'harness'];
export const CLOCK_TICKS_PER_SECOND = 100;

export function partOf(p: ProcInfo): Part {
  if (/chrom|firefox/.test(p.cmd)) return 'browsers';
  if (/mediasoup-worker/.test(p.cmd)) return 'sfu';
  return 'harness';
}

export type TreeReading = Record<Part, { ticks: number; pssBytes: number }>;

/** The root and its descendants, by part: CPU ticks so far and PSS in bytes now. */
export function readTree(root: number): TreeReading {
  const out: TreeReading = { browsers: { ticks: 0, pssBytes: 0 }, sfu: { ticks: 0, pssBytes: 0 }, harness: { ticks: 0, pssBytes: 0 } };
  const self = readProc(root);
  for (const p of [...(self ? [self] : []), ...descendants(root)]) {
    const part = out[partOf(p)];
    part.ticks += p.cpuTicks;
    part.pssBytes += pssOf(p.pid);
  }
  return out;
}

/** % of one core each part used between two readings `seconds` apart. */
export function cpuPercent(a: TreeReading, b: TreeReading, seconds: number): Record<Part, number> {
  const pct = (part: Part) => (100 * (b[part].ticks - a[part].ticks)) / CLOCK_TICKS_PER_SECOND / seconds;
  return { browsers: pct('browsers'), sfu: pct('sfu'), harness: pct('harness') };
}

/** PSS of each part, MiB. */
export function pssMiB(r: TreeReading): Record<Part, number> {
  return { browsers: r.browsers.pssBytes / 2 ** 20, sfu: r.sfu.pssBytes / 2 ** 20, harness: r.harness.pssBytes / 2 ** 20 };
}

/**
 * What a Chromium process is, from its command line: 'browser', 'renderer', 'gpu-process',
 * 'utility:AudioService'... Chromium rewrites its process title, so the flags are space-separated.
 */
export function chromiumKind(cmd: string): string {
  const type = /--type=(\S+)/.exec(cmd)?.[1];
  const sub = /--utility-sub-type=(\S+)/.exec(cmd)?.[1]?.split('.').pop();
  return type ? (sub ? `${type}:${sub}` : type) : 'browser';
}

/** PSS of one process now, bytes; 0 when it is gone (memory reads low rather than failing the bench). */
function pssOf(pid: number): number {
  try {
    const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return Number(pss?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * What a Firefox process is: 'firefox:browser' (the parent), else 'firefox:' and the type its
 * command line ends with after -contentproc ('tab', 'rdd', 'socket', 'utility'...).
 */
export function firefoxKind(cmd: string): string {
  if (!/\s-contentproc\b/.test(cmd)) return 'firefox:browser';
  return `firefox:${cmd.trim().split(/\s+/).pop()}`;
}

/** The kind of a browser process, Chromium's (chromiumKind) or Firefox's (firefoxKind). */
export function browserKind(cmd: string): string {
  return /firefox/.test(cmd) ? firefoxKind(cmd) : chromiumKind(cmd);
}

/** CPU ticks so far and PSS now of the tree's browser processes, by kind (browserKind), and how many of each. */
export function readChromiumKinds(root: number): Map<string, { ticks: number; processes: number; pssBytes: number }> {
  const out = new Map<string, { ticks: number; processes: number; pssBytes: number }>();
  for (const p of descendants(root)) {
    if (partOf(p) !== 'browsers') continue;
    const kind = browserKind(p.cmd);
    const e = out.get(kind) ?? { ticks: 0, processes: 0, pssBytes: 0 };
    e.ticks += p.cpuTicks;
    e.processes += 1;
    e.pssBytes += pssOf(p.pid);
    out.set(kind, e);
  }
  return out;
}

export interface MeasuredRun {
  exitCode: number | null;
  results: RunResults | null;
  /** Over the steady window; null when the run ended before it. */
  cpu: Record<Part, number> | null;
  /** At the end of the steady window. */
  pss: Record<Part, number> | null;
  /** The browsers' CPU by process kind, % of a core ('renderer ×8 35.1%, firefox:tab ×2 20.3%, ...'). */
  byKind: string | null;
  /** The browsers' PSS by Chromium process kind at the end of the steady window ('renderer ×8 410 MiB, ...'). */
  pssByKind: string | null;
}

export interface MeasuredRunOptions {
  /** Arguments of `rtc-harness run` after the scenario; --reporter json, --quiet and --out are added. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The run's duration, s. */
  durationS: number;
  /** How long the CLI takes to start the run's clock (SFU, browsers, pages), s. */
  startupS: number;
  /** The steady window, on the run's clock: from this long after its start ... */
  steadyFromS: number;
  /** ... to this long before its end. */
  steadyEndBeforeS: number;
  /** Interrupted (SIGINT) if still running this long after its duration. */
  graceS: number;
  /** Prefix of its output folder in the temp folder (removed afterwards). */
  name: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the real CLI and reads what the machine paid over the steady part of the run. */
export async function measureRun(options: MeasuredRunOptions): Promise<MeasuredRun> {
  const out = mkdtempSync(join(tmpdir(), `rtc-harness-bench-${options.name}-`));
  const child = spawn(process.execPath, ['harness/bin/rtc-harness.mjs', 'run', ...options.args, '--reporter', 'json', '--quiet', '--out', out], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: options.env ?? process.env,
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const killTimer = setTimeout(() => child.kill('SIGINT'), (options.durationS + options.graceS) * 1000);
  const measured: Pick<MeasuredRun, 'cpu' | 'pss' | 'byKind' | 'pssByKind'> = { cpu: null, pss: null, byKind: null, pssByKind: null };
  const steady = (async () => {
    await sleep((options.startupS + options.steadyFromS) * 1000);
    if (child.exitCode !== null) return;
    const a = readTree(child.pid!);
    const kindsA = readChromiumKinds(child.pid!);
    const t0 = performance.now();
    await sleep((options.durationS - options.steadyFromS - options.steadyEndBeforeS) * 1000);
    if (child.exitCode !== null) return;
    const b = readTree(child.pid!);
    const seconds = (performance.now() - t0) / 1000;
    measured.cpu = cpuPercent(a, b, seconds);
    measured.pss = pssMiB(b);
    const kindsB = [...readChromiumKinds(child.pid!)];
    measured.byKind = kindsB
      .map(([kind, e]) => ({ kind, processes: e.processes, pct: (100 * (e.ticks - (kindsA.get(kind)?.ticks ?? 0))) / CLOCK_TICKS_PER_SECOND / seconds }))
      .sort((x, y) => y.pct - x.pct)
      .map((k) => `${k.kind} ×${k.processes} ${k.pct.toFixed(1)}%`)
      .join(', ');
    measured.pssByKind = kindsB
      .sort(([, x], [, y]) => y.pssBytes - x.pssBytes)
      .map(([kind, e]) => `${kind} ×${e.processes} ${(e.pssBytes / 2 ** 20).toFixed(0)} MiB`)
      .join(', ');
  })();
  const exitCode = await exited;
  clearTimeout(killTimer);
  await steady;
  let results: RunResults | null = null;
  try {
    results = readResults(out);
  } catch {
    // Reported by the caller as a run without results.
  }
  rmSync(out, { recursive: true, force: true });
  return { exitCode, results, ...measured };
}
