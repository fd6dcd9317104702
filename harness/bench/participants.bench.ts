// Participants per machine (npm run bench:participants): the smoke scenario (everyone sends a
// 640x360 camera and microphone and receives everyone else, on the bundled SFU) run by the real
// CLI with 2, 4, 6... callers, one after the other. For each size it prints what the machine paid
// (CPU of the browsers, the SFU worker and the harness; memory as PSS, so shared pages count once)
// and what the call got (frame rate, freezes, first frame, the load guard's verdict). Where the
// received frame rate or the machine gives out is the capacity of this machine at this load.
//
// CPU and memory are read from /proc over the run's steady part (after every join, before the
// end): from 10 s after the start to 2 s before the end.
//
// Environment: PARTICIPANTS_BENCH_COUNTS (default "2,4,6"), PARTICIPANTS_BENCH_DURATION_S
// (default 25). Sizes are capped at 16 and each run at its duration + 60 s.
import type { RunResults } from '../src/results/schema.ts';
import { measureRun, type Part } from './proc-tree.ts';

const COUNTS = (process.env.PARTICIPANTS_BENCH_COUNTS ?? '2,4,6').split(',').map(Number);
const DURATION_S = Number(process.env.PARTICIPANTS_BENCH_DURATION_S ?? 25);
const MAX_COUNT = 16;
const STEADY_FROM_S = 10;

for (const n of COUNTS) {
  if (!Number.isInteger(n) || n < 2 || n > MAX_COUNT) throw new Error(`PARTICIPANTS_BENCH_COUNTS: each size must be an integer 2..${MAX_COUNT}, got ${n}`);
}
if (!(DURATION_S >= STEADY_FROM_S + 5 && DURATION_S <= 600)) throw new Error(`PARTICIPANTS_BENCH_DURATION_S must be ${STEADY_FROM_S + 5}..600, got ${DURATION_S}`);

interface SizeResult {
  count: number;
  exitCode: number | null;
  results: RunResults | null;
  cpuPercentOfOneCore: Record<Part, number> | null;
  pssMb: Record<Part, number> | null;
}

async function runSize(count: number): Promise<SizeResult> {
  // Steady window: from STEADY_FROM_S after the start to 2 s before the end (start-up takes ~3 s).
  const r = await measureRun({
    name: `participants-${count}`,
    args: ['scenarios/smoke.scenario.ts', '--set', `callers.count=${count}`, '--duration', `${DURATION_S}s`],
    durationS: DURATION_S,
    startupS: 3,
    steadyFromS: STEADY_FROM_S,
    steadyEndBeforeS: 2,
    graceS: 60,
  });
  return { count, exitCode: r.exitCode, results: r.results, cpuPercentOfOneCore: r.cpu, pssMb: r.pss };
}

const f = (x: number | null | undefined, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));

console.log(`participants per machine: smoke scenario (640x360 camera + microphone, everyone receives everyone), ${DURATION_S} s per size, sizes ${COUNTS.join(', ')}`);
console.log('CPU in % of one core over the steady part; memory as PSS; fps and freezes over every received video stream\n');
const header = ['n', 'streams received (all)', 'machine cpu avg/max', 'browsers cpu', 'per participant', 'sfu cpu', 'harness cpu', 'browsers MB', 'per participant', 'recv fps p50/min', 'freeze s max', 'first frame p95', 'verdict'];
console.log(header.join(' | '));
const rows: SizeResult[] = [];
for (const count of COUNTS) {
  const r = await runSize(count);
  rows.push(r);
  const agg = r.results?.groups.find((g) => g.name === 'callers')?.aggregates;
  const lg = r.results?.loadGenerator;
  console.log(
    [
      count,
      count * (count - 1) * 2,
      `${f(lg?.avgCpuPercent)}/${f(lg?.maxCpuPercent)} %`,
      `${f(r.cpuPercentOfOneCore?.browsers)} %`,
      `${f(r.cpuPercentOfOneCore ? r.cpuPercentOfOneCore.browsers / count : null, 1)} %`,
      `${f(r.cpuPercentOfOneCore?.sfu, 1)} %`,
      `${f(r.cpuPercentOfOneCore?.harness, 1)} %`,
      f(r.pssMb?.browsers),
      f(r.pssMb ? r.pssMb.browsers / count : null),
      `${f(agg?.video_recv_fps?.p50, 1)}/${f(agg?.video_recv_fps?.min, 1)}`,
      f(agg?.video_freeze_seconds_total?.max, 2),
      `${f(agg?.join_to_first_frame_ms?.p95)} ms`,
      r.results ? `${r.results.verdict}${r.results.loadGenerator.invalidReason ? ` (${r.results.loadGenerator.invalidReason})` : ''} exit ${r.exitCode}` : `no results, exit ${r.exitCode}`,
    ].join(' | '),
  );
}
const ok = rows.filter((r) => r.results?.verdict === 'pass');
console.log(
  ok.length > 0
    ? `\nlargest size that passed the smoke thresholds with the load guard satisfied: ${Math.max(...ok.map((r) => r.count))} participants`
    : '\nno size passed the smoke thresholds with the load guard satisfied',
);
