// Runs the rtc-harness CLI as a user would (a child process) and watches its process tree while
// it runs, so a test can tell afterwards whether any process it started outlived it. (Chromium
// clears the environment of its zygote and renderers, so an inherited marker cannot find them;
// the tree can.) Processes are identified by pid and start time, so a reused pid is not confused.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { descendantsIn, procPids, readProcStat, type ProcStat } from '../../harness/src/runner/cpu.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../harness/bin/rtc-harness.mjs', import.meta.url));

/** A process with its command line. */
export interface ProcInfo extends ProcStat {
  cmd: string;
}

export function readProc(pid: number): ProcInfo | null {
  const stat = readProcStat(pid);
  if (!stat) return null;
  try {
    return { ...stat, cmd: readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() };
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root: number): ProcInfo[] {
  const all = (procPids() ?? []).map(readProc).filter((p): p is ProcInfo => p !== null);
  return descendantsIn(root, all);
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Every process seen in the CLI's tree while it ran (polled every 300 ms). */
  seen: ProcInfo[];
}

export interface CliOptions {
  timeoutMs?: number;
  /** Called once the child has started, e.g. to signal it or one of its processes later. */
  onSpawn?: (child: ChildProcess) => void;
  /** Runs the CLI under this command, e.g. ['ip', 'netns', 'exec', 'shard-a'] (its own network). */
  prefix?: readonly string[];
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const started = Date.now();
  const seen = new Map<string, ProcInfo>();
  return new Promise((resolve, reject) => {
    const [command, ...prefixArgs] = [...(options.prefix ?? []), process.execPath, BIN, ...args];
    const child = spawn(command!, prefixArgs, {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const watch = setInterval(() => {
      if (child.pid === undefined) return;
      for (const p of descendants(child.pid)) seen.set(`${p.pid}/${p.start}`, p);
    }, 300);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      resolve({ code, signal, stdout, stderr, wallMs: Date.now() - started, seen: [...seen.values()] });
    });
    options.onSpawn?.(child);
  });
}

/**
 * The processes of a finished run still alive after up to `ms` (a killed process takes a moment
 * to be reaped): `pid command` lines, empty when nothing leaked.
 */
export async function leftoverProcesses(run: CliRun, ms = 3_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = run.seen.filter((p) => readProc(p.pid)?.start === p.start).map((p) => `${p.pid} ${p.cmd.slice(0, 100)}`);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * This test process's descendants whose command matches `pattern`, still alive after up to `ms`
 * (a killed process takes a moment to be reaped): `pid command` lines, empty when none is left.
 */
export async function leftoverChildren(pattern: RegExp, ms = 5_000): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = descendants(process.pid)
      .filter((p) => pattern.test(p.cmd))
      .map((p) => `${p.pid} ${p.cmd.slice(0, 80)}`);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether a process with this pid exists (it can be signalled). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Chromium renderer processes under `root` that can host a web page, busiest first (by CPU time
 * so far). Chromium also keeps idle renderers (a spare one warmed up for the next navigation), so
 * the newest renderer is not necessarily a call page; a page decoding video is always among the
 * busiest. The full browser (CHROMIUM_PATH=/usr/bin/chromium) also runs renderers for its own UI
 * (`--top-chrome-webui`: 156.0.8078.114 has an omnibox popup per browser context, busy enough to
 * outrank a call page): they host no page, and killing one kills no participant.
 */
export function renderersUnder(root: number): number[] {
  return descendants(root)
    .filter((p) => p.cmd.includes('--type=renderer') && !p.cmd.includes('--top-chrome-webui'))
    .sort((a, b) => b.cpuTicks - a.cpuTicks)
    .map((p) => p.pid);
}
