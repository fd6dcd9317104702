// The load generator's own figures each second: the machine's CPU (fed to the guard), the
// harness process's CPU and the browsers' CPU (their whole process trees), as run-scope points.
import { cpus } from 'node:os';
import type { Point } from '../stats/types.ts';
import { processTable, processTreeCpuSeconds } from './cpu.ts';
import type { LoadGuard } from './guard.ts';

/** Tags of points that describe the load generator rather than a participant. */
export const RUN_TAGS = { group: '_run', participant: '_run' } as const;

export class LoadSampler {
  readonly #guard: LoadGuard;
  readonly #cores = cpus().length;
  #lastOwnCpu = process.cpuUsage();
  #lastBrowserCpuSeconds: number | null = null;
  #lastTickMs = Date.now();

  constructor(guard: LoadGuard) {
    this.#guard = guard;
  }

  /** Takes the readings; `hostCpu` is the machine's CPU percent since the last call (null when unmeasurable). */
  sample(nowMs: number, browserPids: readonly number[]): { hostCpu: number | null; points: Point[] } {
    const table = processTable(); // one pass over /proc for every tree read below
    // This run's processes: the harness and its children (browsers, SFU workers, coturn...).
    const hostCpu = this.#guard.tick(nowMs, processTreeCpuSeconds(process.pid, table));
    const dtSeconds = (nowMs - this.#lastTickMs) / 1000;
    this.#lastTickMs = nowMs;
    const points: Point[] = [];
    const add = (metric: Point['metric'], value: number) => points.push({ metric, value, t: nowMs, tags: RUN_TAGS });
    if (hostCpu !== null) add('host_cpu_percent', hostCpu);
    const own = process.cpuUsage(this.#lastOwnCpu);
    this.#lastOwnCpu = process.cpuUsage();
    if (dtSeconds <= 0) return { hostCpu, points };
    add('harness_cpu_percent', (100 * (own.user + own.system)) / 1e6 / dtSeconds / this.#cores);
    const browserCpuSeconds = browserPids.reduce((sum, pid) => sum + (processTreeCpuSeconds(pid, table) ?? 0), 0);
    // A browser that exited makes the sum go down: skip that interval rather than report a negative.
    if (this.#lastBrowserCpuSeconds !== null && browserCpuSeconds >= this.#lastBrowserCpuSeconds) {
      add('harness_browser_cpu_percent', (100 * (browserCpuSeconds - this.#lastBrowserCpuSeconds)) / dtSeconds / this.#cores);
    }
    this.#lastBrowserCpuSeconds = browserCpuSeconds;
    return { hostCpu, points };
  }
}
