// Churn end to end, as a user runs it: the CLI runs scenarios/churn.scenario.ts on the bundled SFU
// with real Chromium (two hosts stay, two guests leave and rejoin 40 times in turn), and the test
// reads every leave and join in results.json with what the others saw, the rejoined guests' first
// frames, the hosts' connections over the run (samples.jsonl), and the SFU's own counts read from
// its /metrics: with everyone still in, exactly what the pages account for; after everyone left,
// nothing. A transport, producer or consumer left behind by any of the 80 leaves and joins fails it.
//
// On a shared machine the load-generator guard may call the run invalid (exit 2); the assertions
// are on what was measured.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.mjs';
import { leftoverProcesses, runCli } from '../support/cli.ts';
import { EXIT_OF_VERDICT, readResults, readSamples, tempOutDir } from '../support/results.ts';

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The scenario's churn: 40 cycles (60 s at 40 a minute), the guests in turn. */
const CYCLES = 40;
const GUESTS = ['guests[0]', 'guests[1]'];

describe('churn on the bundled SFU', () => {
  beforeAll(async () => {
    await buildClient();
  });

  it('survives 40 leaves and 40 joins with every one seen by the others and nothing leaked on the SFU', async () => {
    const out = tempOutDir('churn');
    const run = await runCli(['run', 'scenarios/churn.scenario.ts', '--out', out], { timeoutMs: 110_000 });
    const results = readResults(out);
    console.log(run.stdout.split('\n').filter((l) => /✓|✗|verdict|load generator|actions/.test(l)).join('\n'));
    expect(run.code, run.stderr).toBe(EXIT_OF_VERDICT[results.verdict as keyof typeof EXIT_OF_VERDICT]);

    // Every cycle, in order, the guests in turn, each a leave and a join that worked.
    const cycles = results.actions.filter((a) => a.do === 'rejoin');
    expect(cycles.map((a) => a.churnCycle)).toEqual(Array.from({ length: CYCLES }, (_, i) => i));
    expect(cycles.filter((a) => !a.ok).map((a) => `${a.participant} @${a.startedMs}: ${a.error}`)).toEqual([]);
    expect(new Set(cycles.map((a) => a.participant))).toEqual(new Set(GUESTS));
    // The initial joins worked too (a publish cut short by a leave failed them before).
    expect(results.actions.filter((a) => !a.ok).map((a) => `${a.do} ${a.participant}: ${a.error}`)).toEqual([]);

    // Every other participant in the room saw each guest go, and come back (its first frame).
    const effects = cycles.flatMap((a) => a.effects ?? []);
    const times = (seen: string) => effects.filter((e) => e.seen === seen && e.seconds !== null).map((e) => e.seconds!);
    const unseen = effects.filter((e) => e.seconds === null);
    console.log(
      `${effects.length} effects: departure seen p50 ${quantile(times('left'), 0.5)} s, p95 ${quantile(times('left'), 0.95)} s; ` +
        `first frame after rejoining p50 ${quantile(times('firstFrame'), 0.5)} s, p95 ${quantile(times('firstFrame'), 0.95)} s; ` +
        `${unseen.length} not seen${unseen.length ? `, e.g. ${unseen[0]!.error}` : ''}`,
    );
    // The hosts were there for every cycle: two observers at least for each leg.
    expect(times('left').length).toBeGreaterThanOrEqual(2 * CYCLES);
    expect(times('firstFrame').length).toBeGreaterThanOrEqual(2 * CYCLES - 5);
    // Not seen only when the guest left again first (its next turn), never a failed effect.
    expect(unseen.filter((e) => !/left again/.test(e.error ?? ''))).toEqual([]);
    expect(results.participants.every((p) => (p.aggregates.action_failure_count_total?.max ?? 0) === 0)).toBe(true);

    // Each guest saw the others again after every rejoin.
    for (const id of GUESTS) {
      const rejoined = results.participants.find((p) => p.id === id)!.aggregates.rejoin_to_first_frame_ms;
      console.log(`${id}: rejoin to first frame ${rejoined?.count} values, p50 ${rejoined?.p50?.toFixed(0)} ms, max ${rejoined?.max?.toFixed(0)} ms`);
      expect(rejoined!.count).toBeGreaterThanOrEqual(15);
    }

    // The hosts' connections do not grow with the guests that came and went, and they kept video.
    const samples = readSamples(out);
    const start = results.timelineStartUnixMs!;
    for (const id of ['hosts[0]', 'hosts[1]']) {
      const counts = samples.filter((s) => s.participant === id && s.t - start > 4000).map((s) => s.values.pc_transceiver_count!);
      const mlines = samples.filter((s) => s.participant === id && s.t - start > 4000).map((s) => s.values.sdp_mline_count!);
      console.log(`${id}: transceivers ${Math.min(...counts)}..${Math.max(...counts)}, m-lines ${Math.min(...mlines)}..${Math.max(...mlines)} over ${counts.length} samples`);
      expect(Math.max(...counts)).toBeLessThanOrEqual(Math.min(...counts) + 4);
      expect(Math.max(...mlines)).toBeLessThan(12);
    }

    // The SFU, from its metrics: what the pages account for with everyone in, nothing once they left.
    const sfu = results.sfu!;
    console.log(`SFU before the leaves: ${JSON.stringify(sfu.beforeLeave)}; after: ${JSON.stringify(sfu.afterLeave)} (${sfu.settledMs} ms)`);
    // 4 peers with 2 transports each; their cameras, each consumed by the three others.
    expect(sfu.beforeLeave.counts).toEqual({ rooms: 1, peers: 4, transports: 8, producers: 4, consumers: 12 });
    expect(sfu.beforeLeave.expected).toEqual(sfu.beforeLeave.counts);
    expect(sfu.afterLeave).toEqual({ rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 });
    expect(sfu.leaked).toBe(false);
    expect(await leftoverProcesses(run)).toEqual([]);
  }, 120_000);
});
