// Participants per machine (npm run bench:capacity): ramps the number of participants of a room
// shape, one real CLI run per size, until the load guard trips (the machine's CPU above the
// guard's limit for 10 s: the run is INVALID, exit 2) or the sizes run out. Two shapes:
//
//   pairs     rooms of two; each participant sends 640x360@30 video and audio and receives the
//             other's (harness/bench/capacity-pairs.scenario.ts)
//   townhall  one presenter sends 640x360@30 in three simulcast layers and audio to N viewers
//             (harness/bench/capacity-townhall.scenario.ts)
//
// For each size it prints what the machine paid, from /proc over the steady part of the run
// (after every join, before the end): % of a core and PSS per participant, participants per
// core; and what the call got: received fps p50/min, the longest freeze, the key frames the
// senders were asked for (PLIs per second and sender, which a keyframe storm would raise).
//
//   npm run bench:capacity                                   both shapes, their default sizes
//   CAPACITY_SHAPES=townhall CAPACITY_TOWNHALL_SIZES=20,30,40 npm run bench:capacity
//   CAPACITY_SOURCE=pattern CAPACITY_RECEIVE=decode npm run bench:capacity   (as before count mode and clips)
//   CAPACITY_SOURCE=stamped npm run bench:capacity    (what stamping and reading every frame cost,
//                                                     against the default clip; adds glass-to-glass p50)
//   CAPACITY_BROWSER=firefox CAPACITY_SHAPES=pairs npm run bench:capacity   (the cost per Firefox
//                                                     participant: its fake camera, decoded; compare
//                                                     with CAPACITY_SOURCE=pattern for Chromium)
//
// Environment: CAPACITY_BROWSER (chromium; or firefox: source pattern, receive decode), CAPACITY_SHAPES (pairs,townhall), CAPACITY_PAIRS_SIZES (2,4,6,8),
// CAPACITY_TOWNHALL_SIZES (10,20,30,40), CAPACITY_SOURCE (clip; or pattern, stamped, replay: pairs only, the town hall's presenter sends simulcast), CAPACITY_RECEIVE (pairs:
// decode, townhall: count; count-mode viewers read no stamps), CAPACITY_PER_BROWSER (the harness's default), CAPACITY_DURATION_S
// (40). Sizes are capped at 64; each run at its duration + 90 s.
import { cpus } from 'node:os';
import { measureRun, PARTS, type MeasuredRun, type Part } from './proc-tree.ts';

type Shape = 'pairs' | 'townhall';
const SHAPES = (process.env.CAPACITY_SHAPES ?? 'pairs,townhall').split(',') as Shape[];
const SIZES: Record<Shape, number[]> = {
  pairs: (process.env.CAPACITY_PAIRS_SIZES ?? '2,4,6,8').split(',').map(Number),
  townhall: (process.env.CAPACITY_TOWNHALL_SIZES ?? '10,20,30,40').split(',').map(Number),
};
const DURATION_S = Number(process.env.CAPACITY_DURATION_S ?? 40);
const MAX_SIZE = 64;
/** The steady part: from this long after the start (joins spread over up to ~10 s) to 3 s before the end. */
const STEADY_FROM_S = 15;
const BROWSER = process.env.CAPACITY_BROWSER ?? 'chromium';
if (BROWSER !== 'chromium' && BROWSER !== 'firefox') throw new Error(`CAPACITY_BROWSER: 'chromium' or 'firefox', got '${BROWSER}'`);
/** A size "holds" when the guard did not trip and the receivers got this frame rate (p50); both browsers' fake cameras send 30. */
const FPS_TARGET = 29;

for (const shape of SHAPES) {
  if (shape !== 'pairs' && shape !== 'townhall') throw new Error(`CAPACITY_SHAPES: 'pairs' and/or 'townhall', got '${shape}'`);
  for (const n of SIZES[shape]) {
    const ok = Number.isInteger(n) && n >= 1 && n <= MAX_SIZE && (shape !== 'pairs' || n % 2 === 0);
    if (!ok) throw new Error(`CAPACITY_${shape.toUpperCase()}_SIZES: each size must be a whole number 1..${MAX_SIZE}${shape === 'pairs' ? ', even' : ''}, got ${n}`);
  }
}
if (!(DURATION_S >= STEADY_FROM_S + 10 && DURATION_S <= 600)) throw new Error(`CAPACITY_DURATION_S must be ${STEADY_FROM_S + 10}..600, got ${DURATION_S}`);

/** One size's run, measured (MeasuredRun: exit, results, CPU and PSS by part and by process kind). */
interface SizeResult extends MeasuredRun {
  shape: Shape;
  size: number;
  participants: number;
}

async function runSize(shape: Shape, size: number): Promise<SizeResult> {
  const r = await measureRun({
    name: `capacity-${shape}-${size}`,
    args: [`harness/bench/capacity-${shape}.scenario.ts`],
    env: { ...process.env, CAPACITY_SIZE: String(size), CAPACITY_DURATION_S: String(DURATION_S) },
    durationS: DURATION_S,
    startupS: 4,
    steadyFromS: STEADY_FROM_S,
    steadyEndBeforeS: 3,
    graceS: 90,
  });
  return { shape, size, participants: shape === 'pairs' ? size : size + 1, ...r };
}

const f = (x: number | null | undefined, digits = 0) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const sum = (r: Record<Part, number>) => PARTS.reduce((s, p) => s + r[p], 0);

/** The receivers' groups: everyone in pairs, the viewers in a town hall. */
function receiverFigures(r: SizeResult): {
  fpsP50: number | undefined;
  fpsMin: number | undefined;
  freezeMaxMs: number | undefined;
  plisPerSender: number | undefined;
  e2eLatencyP50Ms: number | undefined;
} {
  const groups = r.results?.groups ?? [];
  const receivers = groups.filter((g) => r.shape === 'pairs' || g.name === 'viewers');
  const senders = groups.filter((g) => r.shape === 'pairs' || g.name === 'presenter');
  const p50s = receivers.map((g) => g.aggregates.video_recv_fps?.p50).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const mins = receivers.map((g) => g.aggregates.video_recv_fps?.min).filter((x): x is number => x !== undefined);
  const freezes = receivers.map((g) => g.aggregates.video_freeze_max_ms?.max).filter((x): x is number => x !== undefined);
  const plis = senders.map((g) => g.aggregates.video_send_plis_per_second?.avg).filter((x): x is number => x !== undefined);
  const e2e = receivers.map((g) => g.aggregates.video_e2e_latency_ms?.p50).filter((x): x is number => x !== undefined);
  return {
    e2eLatencyP50Ms: e2e.length ? Math.max(...e2e) : undefined,
    fpsP50: p50s[Math.floor(p50s.length / 2)],
    fpsMin: mins.length ? Math.min(...mins) : undefined,
    freezeMaxMs: freezes.length ? Math.max(...freezes) : undefined,
    plisPerSender: plis.length ? plis.reduce((a, b) => a + b, 0) / plis.length : undefined,
  };
}

const holds = (r: SizeResult): boolean => {
  const fps = receiverFigures(r).fpsP50;
  return !!r.results && r.results.loadGenerator.invalidReason === null && fps !== undefined && fps >= FPS_TARGET;
};

const cores = cpus().length;
console.log(
  `capacity on ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${DURATION_S} s per size; browser ${BROWSER}, ` +
    `source ${process.env.CAPACITY_SOURCE ?? (BROWSER === 'firefox' ? 'pattern' : 'clip')}, ` +
    `receive ${process.env.CAPACITY_RECEIVE ?? (BROWSER === 'firefox' ? 'decode' : 'pairs: decode, townhall: count')}, participants per browser ${process.env.CAPACITY_PER_BROWSER ?? 'default'}`,
);
console.log(`CPU in % of one core and PSS over the steady part (${STEADY_FROM_S} s from the start to 3 s before the end); "holds": guard not tripped and received fps p50 >= ${FPS_TARGET}\n`);
console.log(
  ['shape', 'size', 'participants', 'machine cpu avg/max', 'cpu per participant', 'browsers/sfu/harness cpu', 'PSS per participant', 'participants per core', 'recv fps p50/min', 'freeze max', 'PLIs/s per sender', 'glass-to-glass p50', 'verdict'].join(' | '),
);
const all: SizeResult[] = [];
for (const shape of SHAPES) {
  for (const size of SIZES[shape]) {
    const r = await runSize(shape, size);
    all.push(r);
    const lg = r.results?.loadGenerator;
    const q = receiverFigures(r);
    const total = r.cpu ? sum(r.cpu) : null;
    console.log(
      [
        shape,
        size,
        r.participants,
        `${f(lg?.avgCpuPercent)}/${f(lg?.maxCpuPercent)} %`,
        `${f(total === null ? null : total / r.participants, 1)} %`,
        r.cpu ? `${f(r.cpu.browsers)}/${f(r.cpu.sfu, 1)}/${f(r.cpu.harness, 1)} %` : '-',
        `${f(r.pss ? sum(r.pss) / r.participants : null)} MiB`,
        f(total ? (r.participants * 100) / total : null, 1),
        `${f(q.fpsP50, 1)}/${f(q.fpsMin, 1)}`,
        `${f(q.freezeMaxMs)} ms`,
        f(q.plisPerSender, 2),
        q.e2eLatencyP50Ms === undefined ? '-' : `${f(q.e2eLatencyP50Ms)} ms`,
        r.results ? `${r.results.verdict}${lg?.invalidReason ? ' (guard tripped)' : ''} exit ${r.exitCode}${holds(r) ? '' : ' (does not hold)'}` : `no results, exit ${r.exitCode}`,
      ].join(' | '),
    );
    if (r.byKind) console.log(`    browsers' CPU by process kind, % of a core: ${r.byKind}`);
    if (r.pssByKind) console.log(`    browsers' PSS by process kind: ${r.pssByKind}`);
    // The guard tripped: a bigger size would only trip it again.
    if (lg?.invalidReason) break;
  }
  const held = all.filter((r) => r.shape === shape && holds(r));
  const best = held.sort((a, b) => b.participants - a.participants)[0];
  console.log(
    best
      ? `${shape}: largest size that holds: ${best.size} (${best.participants} participants, ${f(best.participants / cores, 1)} per core of this machine)\n`
      : `${shape}: no size holds\n`,
  );
}
