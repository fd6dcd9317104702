// Receiving in count mode, end to end as a user runs it: the CLI runs the shipped town-hall
// scenario (a presenter, two stage viewers who decode, an audience in `receive: 'count'`) on the
// bundled SFU with real Chromium. What a user relies on when choosing count mode:
// - the audience gets the presenter's frames at full rate, counted by the real receive pipeline;
// - what count mode cannot measure is absent ("not measured"), never a fake figure: no decoded
//   size for the audience, while the stage decodes 640x360;
// - the audience does not flood the presenter with key-frame requests (dropping frames instead
//   of standing them in made each viewer ask ~4 times a second: harness/bench/count-mode.scenario.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.mjs';
import type { Sample } from '../../harness/src/stats/types.ts';
import { leftoverProcesses, runCli } from '../support/cli.ts';
import { tempOutDir, readResults, readSamples, EXIT_OF_VERDICT } from '../support/results.ts';
import { checkUnlessStarved } from '../support/starved.ts';

/** Every value of `metric` in the participants' inbound video streams, by participant. */
function inboundVideo(samples: Sample[], group: string, metric: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of samples) {
    if (s.group !== group) continue;
    for (const st of s.streams) {
      if (st.direction !== 'in' || st.kind !== 'video') continue;
      const v = st.values[metric as keyof typeof st.values];
      const list = out.get(s.participant) ?? [];
      if (typeof v === 'number') list.push(v);
      out.set(s.participant, list);
    }
  }
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('count mode (receive without decoding)', () => {
  beforeAll(async () => {
    // The SFU serves sfu/client/dist: build it from the sources under test (render=0).
    await buildClient();
  });

  it('counts every frame, reports no decoded size, and asks for no more key frames than decoding', async () => {
    // The shipped thresholds want fps p50 >= 29: a run the harness calls starved (16 % of the CPU
    // not its own in one rehearsal, the audience at 28.96) is run again (test/support/starved.ts).
    const attempt = async () => {
      const out = tempOutDir('count-mode');
      return { out, run: await runCli(['run', 'scenarios/town-hall.scenario.ts', '--set', 'audience.count=4', '--duration', '20s', '--out', out], { timeoutMs: 120_000 }) };
    };
    await checkUnlessStarved(attempt, async ({ out, run }) => {
      const results = readResults(out);
      console.log(run.stdout.split('\n').filter((l) => /✓|✗|verdict|load generator/.test(l)).join('\n'));
      expect(run.code, run.stderr).toBe(EXIT_OF_VERDICT[results.verdict as keyof typeof EXIT_OF_VERDICT]);
      expect(results.verdict, 'the shipped town hall passes with a small audience').toBe('pass');
      const samples = readSamples(out);

      const audienceFps = inboundVideo(samples, 'audience', 'video_recv_fps');
      expect([...audienceFps.keys()].sort()).toEqual(['audience[0]', 'audience[1]', 'audience[2]', 'audience[3]']);
      for (const [who, fps] of audienceFps) {
        expect(fps.length, `${who} has frame rates`).toBeGreaterThan(5);
        expect(median(fps), `${who}'s counted frame rate`).toBeGreaterThanOrEqual(25);
      }
      // Not measured in count mode: the decoded size is the stand-in's, so it is not reported.
      for (const [who, widths] of inboundVideo(samples, 'audience', 'video_recv_width_px')) {
        expect(widths, `${who} reports no decoded width`).toEqual([]);
      }
      for (const [who, widths] of inboundVideo(samples, 'stage', 'video_recv_width_px')) {
        expect(widths.at(-1), `${who} decodes the top layer`).toBe(640);
      }
      // Key-frame requests: the audience's receivers ask no more than the decoding stage's, and
      // both rarely (a decoder starved of frames asks ~4/s).
      const plis = (group: string) => [...inboundVideo(samples, group, 'video_recv_plis_per_second').values()].flat();
      const audiencePlis = mean(plis('audience'));
      const stagePlis = mean(plis('stage'));
      console.log(`PLIs per second and receiver: audience ${audiencePlis.toFixed(3)}, stage ${stagePlis.toFixed(3)}`);
      expect(audiencePlis).toBeLessThan(0.3);
      expect(audiencePlis).toBeLessThanOrEqual(stagePlis + 0.1);
      expect(await leftoverProcesses(run)).toEqual([]);
    });
  }, 400_000);
});
