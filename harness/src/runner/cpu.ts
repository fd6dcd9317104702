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

/** One process as /proc/<pid>/stat tells it. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, identifies the process. */
  start: string;
  /** User + system CPU time so far, in clock ticks (utime + stime). */
  cpuTicks: number;
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(rest[1]), start: rest[19] ?? '', cpuTicks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

/** The pids in /proc now; null where there is no /proc. */
export function procPids(): number[] | null {
  try {
    return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  } catch {
    return null;
  }
}

/** Every process now that /proc could tell about; null where there is no /proc. */
export function processTable(): ProcStat[] | null {
  return procPids()?.map(readProcStat).filter((p): p is ProcStat => p !== null) ?? null;
}

/** The descendants of `root` (not `root` itself) among `all`, parents before their children. */
export function descendantsIn<T extends { pid: number; ppid: number }>(root: number, all: readonly T[]): T[] {
  const children = new Map<number, T[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: T[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c.pid);
    }
  }
  return out;
}

/**
 * Total CPU seconds used so far by a process and all its descendants still alive. Pass one
 * `table` to read several trees from a single pass over /proc.
 */
export function processTreeCpuSeconds(rootPid: number, table: readonly ProcStat[] | null = processTable()): number | null {
  const root = table?.find((p) => p.pid === rootPid);
  if (!table || !root) return null;
  const ticks = descendantsIn(rootPid, table).reduce((sum, p) => sum + p.cpuTicks, root.cpuTicks);
  return ticks / CLOCK_TICKS_PER_SECOND;
}
