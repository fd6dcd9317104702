// CPU and memory of a process tree, read from /proc, by part: the browsers (Chromium), the SFU
// (mediasoup workers) and the harness (everything else). Memory is PSS, so pages shared between
// processes (Chromium's code, a clip every browser maps) count once across the tree.
import { readFileSync } from 'node:fs';
import { descendants, readProc, type ProcInfo } from '../../test/support/cli.ts';

export type Part = 'browsers' | 'sfu' | 'harness';
export const PARTS: readonly Part[] = ['browsers', 'sfu', 'harness'];
export const CLOCK_TICKS_PER_SECOND = 100;

export function partOf(p: ProcInfo): Part {
  if (/chrom/.test(p.cmd)) return 'browsers';
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
    try {
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p.pid}/smaps_rollup`, 'utf8'));
      part.pssBytes += Number(pss?.[1] ?? 0) * 1024;
    } catch {
      // Gone, or a kernel without smaps_rollup: memory reads low rather than failing the bench.
    }
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

/** CPU ticks so far of the tree's Chromium processes, by kind (chromiumKind), and how many of each. */
export function readChromiumKinds(root: number): Map<string, { ticks: number; processes: number }> {
  const out = new Map<string, { ticks: number; processes: number }>();
  for (const p of descendants(root)) {
    if (partOf(p) !== 'browsers') continue;
    const kind = chromiumKind(p.cmd);
    const e = out.get(kind) ?? { ticks: 0, processes: 0 };
    e.ticks += p.cpuTicks;
    e.processes += 1;
    out.set(kind, e);
  }
  return out;
}
