// Simulcast end to end, as a user runs it: the CLI runs the simulcast scenarios on the bundled SFU
// with real Chromium, and the test reads what the viewers decoded (samples.jsonl) and the layer
// switches the harness timed (results.json). The chain checked: the presenter's three encodings
// -> the layer the SFU forwards to each viewer -> the resolution each viewer decodes, while one
// viewer's downlink drops to 300 kbps and recovers. The run keeps its Prometheus data
// (--prometheus): the simulcast dashboard's switch-time panel is proven on it.
//
// Needs from Chromium (checked with 156.0.8078.114): three simulcast layers from a 1280x720
// source, and the temporal layers of 'L1T3'.
//
// On a shared machine the load-generator guard may call a run invalid (exit 2); the assertions
// are on what was measured, which a busy machine blurs but does not fake. The switch times and
// the CPU the run used are printed.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.mjs';
import type { RunResults } from '../../harness/src/results/schema.ts';
import type { Sample } from '../../harness/src/stats/types.ts';
import { leftoverProcesses, runCli } from '../support/cli.ts';
import { checkKeptHistory, PANELS_NEEDING } from '../support/dashboard-data.ts';
import { tempOutDir, readResults, readSamples, EXIT_OF_VERDICT } from '../support/results.ts';
import { checkUnlessStarved } from '../support/starved.ts';

const outDir = () => tempOutDir('simulcast');

/** A viewer's decoded height and SFU spatial layer over the run: [seconds from the start, height, layer]. */
function timeline(samples: Sample[], results: RunResults, participant: string): [number, number, number | undefined][] {
  const start = results.timelineStartUnixMs!;
  return samples
    .filter((s) => s.participant === participant)
    .flatMap((s) => {
      const video = s.streams.find((st) => st.direction === 'in' && st.kind === 'video');
      const height = video?.values.video_recv_height_px;
      return height === undefined ? [] : [[(s.t - start) / 1000, height, video!.values.video_recv_spatial_layer] as [number, number, number | undefined]];
    });
}

/** How early a timer may fire against Date.now(), ms. */
const TIMER_SLACK_MS = 5;

describe('simulcast through the bundled SFU', () => {
  beforeAll(async () => {
    // The SFU serves sfu/client/dist: build it from the sources under test.
    await buildClient();
  });

  it('lowers the constrained viewer and brings it back, keeping the others on the top layer', async () => {
    const out = outDir();
    const startSeconds = Date.now() / 1000;
    const run = await runCli(['run', 'scenarios/simulcast.scenario.ts', '--prometheus', '--out', out], { timeoutMs: 150_000 });
    const endSeconds = Date.now() / 1000;
    const results = readResults(out);
    console.log(run.stdout.split('\n').filter((l) => /✓|✗|verdict|load generator/.test(l)).join('\n'));
    expect(run.code, run.stderr).toBe(EXIT_OF_VERDICT[results.verdict as keyof typeof EXIT_OF_VERDICT]);
    const samples = readSamples(out);

    // The constrained viewer: a lower layer during the drop than before it, 720p after recovery.
    const v0 = timeline(samples, results, 'viewers[0]');
    const heights = (from: number, to: number) => v0.filter(([t]) => t >= from && t < to).map(([, h]) => h);
    console.log(`viewers[0] decoded height by second: ${v0.map(([t, h, l]) => `${t.toFixed(0)}s:${h}/L${l ?? '?'}`).join(' ')}`);
    // Before the drop it is on whatever layer the SFU's estimate had reached by then (720p in most
    // runs; 360p in some, where the ramp-up took over 20 s): the resolution must fall below that.
    const before = heights(15, 20).at(-1)!;
    expect(before, 'viewers[0] decodes 360p or more before the drop').toBeGreaterThanOrEqual(360);
    expect(Math.min(...heights(21, 40)), 'viewers[0] decodes a lower layer while constrained').toBeLessThan(before);
    expect(Math.max(...heights(41, 61)), 'viewers[0] back at 720p after the recovery').toBe(720);

    // The SFU's own account, timed by the harness against the network changes.
    const layers = results.participants.find((p) => p.id === 'viewers[0]')!.layers!;
    const down = layers.downswitches[0]!;
    const recovery = layers.recoveries[0]!;
    console.log(
      `viewers[0]: first down-switch ${down.seconds} s after the drop at ${down.triggerAtMs} ms; ` +
        `back on the top layer ${recovery.seconds} s after the recovery at ${recovery.triggerAtMs} ms`,
    );
    console.log(`viewers[0] switches: ${layers.switches.map((s) => `${s.atMs}ms ${s.from}->${s.to} (freeze ${s.freezeSecondsAround} s)`).join(', ')}`);
    // The change is timed when it took effect: a Node timer may fire a millisecond before
    // Date.now() reaches its time (CI measured 39 999 for the change at 40 s).
    expect(down.triggerAtMs).toBeGreaterThanOrEqual(20_000 - TIMER_SLACK_MS);
    expect(down.seconds, 'a down-switch after the drop').not.toBeNull();
    // Before the recovery at 40 s; within 5 s is the scenario's threshold (measured 0.8–4 s).
    expect(down.seconds!).toBeLessThan(20);
    expect(recovery.triggerAtMs).toBeGreaterThanOrEqual(40_000 - TIMER_SLACK_MS);
    expect(recovery.seconds, 'back on the top layer after the recovery').not.toBeNull();
    // It must come back before the run ends (20 s after the recovery). Whether it comes back
    // within 15 s is the scenario's threshold, i.e. the verdict under test, and it varies with the
    // SFU's bandwidth estimate (3–16 s measured here); a timed assertion on it would only flake.
    expect(recovery.seconds!).toBeLessThan(20);
    // Every switch is listed with its time, and the thresholds saw the same figures.
    expect(layers.switches.some((s) => s.from !== null && s.to !== null && s.to < s.from && s.atMs > 20_000)).toBe(true);
    const downThreshold = results.thresholds.find((t) => t.metric === 'layer_downswitch_seconds')!;
    expect(downThreshold.actual).toBeCloseTo(down.seconds!, 3);

    // The unconstrained viewers: the other's drop never takes them down, and they end on the top
    // layer. (Their ramp-up to it usually ends by 10 s; a slow one is the SFU's estimate, not the
    // drop, so it is not held against them here.)
    for (const id of ['viewers[1]', 'viewers[2]']) {
      const v = timeline(samples, results, id).filter(([t]) => t >= 20);
      expect(v.length, `${id} samples`).toBeGreaterThan(30);
      const end = v.filter(([t]) => t >= 50);
      expect(end.length > 5 && end.every(([, h, l]) => h === 720 && l === 2), `${id} at 720p on layer 2 at the end: ${JSON.stringify(v)}`).toBe(true);
      const onTopFromDrop = v.every(([, h, l]) => h === 720 && l === 2);
      console.log(`${id}: ${onTopFromDrop ? 'on the top layer from the drop to the end' : `reached the top layer at ${v.find(([, h, l]) => h === 720 && l === 2)?.[0].toFixed(0)} s`}`);
      // No down-switch from the drop on (one during the ramp-up, while the SFU's estimate climbs, happens).
      const switches = results.participants.find((x) => x.id === id)!.layers?.switches ?? [];
      const down = switches.filter((s) => s.atMs >= 20_000 && s.from !== null && (s.to === null || s.to < s.from));
      expect(down, `${id} down-switches from the drop on`).toEqual([]);
    }
    // The presenter sends three layers, the top one at 1280x720.
    const presenter = samples.filter((s) => s.participant === 'presenter[0]').at(-1)!;
    const sent = presenter.streams.filter((s) => s.direction === 'out' && s.kind === 'video');
    expect(sent.map((s) => s.rid).sort()).toEqual(['r0', 'r1', 'r2']);
    expect(sent.find((s) => s.rid === 'r2')?.values.video_send_height_px).toBe(720);
    expect(presenter.values.video_send_active_layer_count).toBe(3);
    expect(await leftoverProcesses(run)).toEqual([]);

    // The simulcast dashboard's switch-time panel, which only a network change can fill, has data
    // in the Prometheus that scraped this run.
    const { failures, queries } = await checkKeptHistory(out, ['simulcast.json'], { startSeconds, endSeconds }, { only: PANELS_NEEDING.networkChangeUnderSimulcast });
    expect(failures).toEqual([]);
    expect(queries).toBe(2);
  }, 180_000);

  it('gives a viewer that asks for layer 0 the lowest resolution within a few seconds', async () => {
    // Layer choices need a quiet machine (a starved viewer's bandwidth estimate drops it to the
    // lowest layer before it asks): a run the harness calls starved is run again (test/support/starved.ts).
    const attempt = async () => {
      const out = outDir();
      return { out, run: await runCli(['run', 'scenarios/simulcast-low-layer.scenario.ts', '--out', out]) };
    };
    await checkUnlessStarved(attempt, async ({ out, run }) => {
      const results = readResults(out);
      console.log(run.stdout.split('\n').filter((l) => /✓|✗|verdict|load generator/.test(l)).join('\n'));
      expect(run.code, run.stderr).toBe(EXIT_OF_VERDICT[results.verdict as keyof typeof EXIT_OF_VERDICT]);
      const samples = readSamples(out);
      const action = results.actions.find((a) => a.do === 'layers')!;
      expect(action.ok).toBe(true);
      const askedAt = action.startedMs / 1000;
      const v1 = timeline(samples, results, 'viewers[1]');
      console.log(`viewers[1] decoded height by second: ${v1.map(([t, h, l]) => `${t.toFixed(1)}s:${h}/L${l ?? '?'}`).join(' ')}`);
      expect(v1.filter(([t]) => t < askedAt).at(-1)?.[1], 'viewers[1] above the lowest layer before asking').toBeGreaterThan(180);
      const low = v1.find(([t, h]) => t > askedAt && h === 180);
      expect(low, 'viewers[1] decodes 320x180').toBeDefined();
      console.log(`viewers[1]: layers action at ${askedAt} s, first 180p sample ${(low![0] - askedAt).toFixed(2)} s later`);
      expect(low![0] - askedAt).toBeLessThan(4);
      expect(v1.filter(([t]) => t > low![0]).every(([, h, l]) => h === 180 && l === 0), 'and stays there').toBe(true);
      const request = results.participants.find((p) => p.id === 'viewers[1]')!.layers!.requests[0]!;
      console.log(`viewers[1]: on layer 0 ${request.seconds} s after asking`);
      expect(request).toMatchObject({ spatial: 0 });
      expect(request.seconds!).toBeLessThan(3);
      // The other viewer is unaffected: never moved down, at 720p at the end.
      const v0 = results.participants.find((p) => p.id === 'viewers[0]')!;
      expect(v0.aggregates.video_recv_layer_downswitch_count_total?.max).toBe(0);
      expect(timeline(samples, results, 'viewers[0]').at(-1)?.[1]).toBe(720);
      expect(await leftoverProcesses(run)).toEqual([]);
    });
  }, 300_000);
});
