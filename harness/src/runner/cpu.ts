// CPU figures from /proc: the machine's overall use (for the load-generator guard) and a process
// tree's use (for the cost of the browsers and of the harness itself). Linux only; elsewhere the
// readers return null and the guard says it cannot judge.
import { readFileSync, readdirSync } from 'node:fs';

/** Jiffies per second; Linux exposes it as USER_HZ, 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface MachineCpuReading {
  busyTicks: number;
  totalTicks: number;
}

export function readMachineCpu(): MachineCpuReading | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const idleAll = idle + iowait;
    const total = user + nice + system + idleAll + irq + softirq + steal;
    return { busyTicks: total - idleAll, totalTicks: total };
  } catch {
    return null;
  }
}

/** Busy share of all cores between two readings, 0-100. */
export function machineCpuPercent(prev: MachineCpuReading, cur: MachineCpuReading): number {
  const total = cur.totalTicks - prev.totalTicks;
  if (total <= 0) return 0;
  return (100 * (cur.busyTicks - prev.busyTicks)) / total;
}

function readProcTicks(pid: number): { ticks: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return { ticks: utime + stime, ppid };
  } catch {
    return null;
  }
}

/** Total CPU seconds used so far by a process and all its descendants still alive. */
export function processTreeCpuSeconds(rootPid: number): number | null {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return null;
  }
  const children = new Map<number, number[]>();
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const info = readProcTicks(pid);
    if (!info) continue;
    ticks.set(pid, info.ticks);
    const list = children.get(info.ppid) ?? [];
    list.push(pid);
    children.set(info.ppid, list);
  }
  if (!ticks.has(rootPid)) return null;
  let sum = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    sum += ticks.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return sum / CLOCK_TICKS_PER_SECOND;
}
