// Cost of the stats agent (npm run bench:stats): one Chromium page holding a loopback call (two
// peer connections, audio + video each way one direction: the shape of an SFU participant's send
// and receive transports), measured with collection off and on. ~60 s in all.
//
// Windows of off (no collect), on (one collect per second, as a run does) and fast (one per
// 100 ms) alternate on the same page and call, so drift and the neighbours' load hit every mode
// alike. Browser CPU is the whole Chromium process tree from /proc; Node CPU is
// process.cpuUsage() (evaluate + derive + points + store).
// - on - off: the cost per participant at the run's rate; a difference of ~1 % in ~25 %, so noisy.
// - (fast - off) / collects: the cost of one collect, with 10x the signal. Not back-to-back:
//   Chromium answers getStats() from a 50 ms cache, which would make collects look cheaper.
//
// Environment: STATS_BENCH_WINDOW_S (default 5), STATS_BENCH_WINDOWS (rounds, default 4).
import { buildAgentScript } from '../src/browser/bundle.ts';
import { AgentBridge } from '../src/participants/agent-bridge.ts';
import { launchChromium } from '../src/participants/chromium.ts';
import { processTreeCpuSeconds } from '../src/runner/cpu.ts';
import { SeriesStore } from '../src/stats/aggregate.ts';
import { deriveSample } from '../src/stats/derive.ts';
import type { RawSnapshot } from '../src/stats/raw.ts';
import { samplePoints, type Sample } from '../src/stats/types.ts';
import { startLoopbackCallServer, type LoopbackPageResult } from '../../test/support/loopback-call.ts';

const WINDOW_S = Number(process.env.STATS_BENCH_WINDOW_S ?? 5);
const WINDOWS = Number(process.env.STATS_BENCH_WINDOWS ?? 4);
const INTERVAL_MS = 1000;
const FAST_INTERVAL_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nodeCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const fmt = (x: number, d = 2) => x.toFixed(d);

type Mode = 'off' | 'on' | 'fast';

interface WindowResult {
  mode: Mode;
  seconds: number;
  browserPct: number;
  nodePct: number;
  collects: number;
}

const server = await startLoopbackCallServer();
const chromium = await launchChromium();
try {
  const pid = chromium.browser.process()?.pid;
  if (pid === undefined) throw new Error('Chromium has no process id: cannot read its CPU');
  const page = await chromium.browser.newPage();
  const agent = new AgentBridge(page);
  await page.evaluateOnNewDocument(await buildAgentScript());
  await page.goto(server.url);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await page.evaluate(() => (window as unknown as { pageResult: LoopbackPageResult }).pageResult);
    if (r.errors.length > 0) throw new Error(`call page failed: ${r.errors.join('; ')}`);
    if (r.started && r.connectedSeen && r.videoPlaying) break;
    if (Date.now() > deadline) throw new Error('the loopback call did not connect within 20 s');
    await sleep(200);
  }
  await sleep(3000); // Let the encoder settle at its bitrate.

  const store = new SeriesStore();
  let prev: RawSnapshot | undefined;
  let prevSample: Sample | undefined;
  const latencies: number[] = [];
  let snapshotBytes = 0;
  const collectOnce = async (): Promise<void> => {
    const t = performance.now();
    const snap = (await agent.collect())!;
    latencies.push(performance.now() - t);
    snapshotBytes = JSON.stringify(snap).length;
    prevSample = deriveSample(prev, snap, { participant: 'bench[0]', group: 'bench', previous: prevSample });
    prev = snap;
    store.ingest(samplePoints(prevSample));
  };

  /** One window: no collect ('off'), one per second ('on') or one per 100 ms ('fast'). */
  const measure = async (mode: Mode, seconds: number): Promise<WindowResult> => {
    const b0 = processTreeCpuSeconds(pid) ?? NaN;
    const n0 = nodeCpuSeconds();
    const t0 = performance.now();
    let collects = 0;
    if (mode === 'off') await sleep(seconds * 1000);
    while (mode !== 'off' && performance.now() - t0 < seconds * 1000) {
      const started = performance.now();
      await collectOnce();
      collects++;
      await sleep(Math.max(0, started + (mode === 'on' ? INTERVAL_MS : FAST_INTERVAL_MS) - performance.now()));
    }
    const elapsed = (performance.now() - t0) / 1000;
    return {
      mode,
      seconds: elapsed,
      browserPct: (100 * ((processTreeCpuSeconds(pid) ?? NaN) - b0)) / elapsed,
      nodePct: (100 * (nodeCpuSeconds() - n0)) / elapsed,
      collects,
    };
  };

  console.log(
    `stats agent cost: 1 page, 2 peer connections, 4 streams; ${WINDOWS} rounds of ${WINDOW_S} s windows ` +
      `off / on (every ${INTERVAL_MS} ms) / fast (every ${FAST_INTERVAL_MS} ms)`,
  );
  const windows: WindowResult[] = [];
  for (let i = 0; i < WINDOWS; i++) {
    for (const mode of ['off', 'on', 'fast'] as const) windows.push(await measure(mode, WINDOW_S));
  }
  const summary = (mode: Mode) => {
    const w = windows.filter((x) => x.mode === mode);
    const mean = (f: (x: WindowResult) => number) => w.reduce((a, x) => a + f(x), 0) / w.length;
    const range = `${fmt(Math.min(...w.map((x) => x.browserPct)), 1)}..${fmt(Math.max(...w.map((x) => x.browserPct)), 1)}`;
    const seconds = w.reduce((a, x) => a + x.seconds, 0);
    return { browser: mean((x) => x.browserPct), node: mean((x) => x.nodePct), range, collects: w.reduce((a, x) => a + x.collects, 0), seconds };
  };
  const off = summary('off');
  const on = summary('on');
  const fast = summary('fast');
  console.log('\nmode   browser CPU, % of one core (mean; window range)   node CPU, %   collects');
  for (const [name, m] of [['off', off], ['on', on], ['fast', fast]] as const) {
    console.log(`${name.padEnd(6)} ${fmt(m.browser).padStart(6)} (${m.range})`.padEnd(56) + `${fmt(m.node, 3).padStart(8)}   ${m.collects}`);
  }
  console.log(`on-off ${fmt(on.browser - off.browser).padStart(6)}`.padEnd(56) + `${fmt(on.node - off.node, 3).padStart(8)}   (per participant at 1 collect/s)`);

  // Per collect, from the 10/s windows: extra CPU over the off windows, per collect.
  const perSecond = fast.collects / fast.seconds;
  const browserMs = ((fast.browser - off.browser) / 100 / perSecond) * 1000;
  const nodeMs = ((fast.node - off.node) / 100 / perSecond) * 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`\nper collect (from ${fast.collects} collects at ${fmt(perSecond, 1)}/s):`);
  console.log(`  browser CPU ${fmt(browserMs)} ms -> ${fmt(browserMs / 10, 3)} % of one core per participant at 1/s`);
  console.log(`  node CPU    ${fmt(nodeMs)} ms -> ${fmt(nodeMs / 10, 3)} % of one core per participant at 1/s (evaluate + derive + points + store)`);
  console.log(`  latency p50 ${fmt(sorted[Math.floor(sorted.length / 2)] ?? NaN, 1)} ms, p99 ${fmt(sorted[Math.floor(sorted.length * 0.99)] ?? NaN, 1)} ms; snapshot ${snapshotBytes} bytes of JSON`);
  console.log(`  store: ${store.size().points} points in ${store.size().series} series`);
} finally {
  await chromium.close();
  await server.close();
}
