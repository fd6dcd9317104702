// Runs the rtc-harness CLI as a user would (a child process) and watches its process tree while
// it runs, so a test can tell afterwards whether any process it started outlived it. (Chromium
// clears the environment of its zygote and renderers, so an inherited marker cannot find them;
// the tree can.) Processes are identified by pid and start time, so a reused pid is not confused.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../harness/bin/rtc-harness.mjs', import.meta.url));

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, identifies the process. */
  start: string;
  /** User + system CPU time so far, in clock ticks (utime + stime). */
  cpuTicks: number;
  cmd: string;
}

export function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(rest[1]), start: rest[19] ?? '', cpuTicks: Number(rest[11]) + Number(rest[12]), cmd };
  } catch {
    return null;
  }
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root: number): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readProc(Number(n)))
    .filter((p): p is ProcInfo => p !== null);
  const children = new Map<number, ProcInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcInfo[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
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
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const started = Date.now();
  const seen = new Map<string, ProcInfo>();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
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
 * Chromium renderer processes under `root`, busiest first (by CPU time so far). Chromium also
 * keeps idle renderers (a spare one warmed up for the next navigation), so the newest renderer is
 * not necessarily a call page; a page decoding video is always among the busiest.
 */
export function renderersUnder(root: number): number[] {
  return descendants(root)
    .filter((p) => p.cmd.includes('--type=renderer'))
    .sort((a, b) => b.cpuTicks - a.cpuTicks)
    .map((p) => p.pid);
}
