// A call app nobody here wrote: the Janus gateway's VideoRoom demo, driven by the built-in
// 'janus-videoroom' page adapter through its own buttons, with the harness measuring what its
// peer connections carry. Four people in Janus's demo room 1234, one of them far away; one mutes
// with the demo's Mute button from a timeline script step. Checked as a user would: everyone got
// in and saw and heard the three others, the far one's round trip shows its link, the mute ran.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateScenario } from '../../harness/src/scenario/validate.ts';
import { resolvePlan } from '../../harness/src/scenario/resolve.ts';
import { runScenario } from '../../harness/src/runner/run.ts';
import type { Page } from '../../harness/src/pages/adapter.ts';
import type { Sample } from '../../harness/src/stats/types.ts';
import { startJanus, type Janus } from '../support/janus.ts';
import { readSamples, tempOutDir } from '../support/results.ts';

/** Remote streams of `kind` that carried media at some point: video decoded frames, audio had bits. */
function streamsReceived(samples: Sample[], participant: string, kind: 'audio' | 'video'): number {
  const ids = new Set<string>();
  for (const s of samples) {
    if (s.participant !== participant) continue;
    for (const stream of s.streams) {
      if (stream.direction !== 'in' || stream.kind !== kind) continue;
      const flowing = kind === 'video' ? (stream.values.video_recv_fps ?? 0) > 0 : (stream.values.audio_recv_bitrate_kbps ?? 0) > 0;
      if (flowing) ids.add(stream.id);
    }
  }
  return ids.size;
}

describe("the Janus VideoRoom demo through its own UI (target.page: 'janus-videoroom')", () => {
  let janus: Janus;
  beforeAll(async () => {
    janus = await startJanus();
  });
  afterAll(async () => {
    await janus?.stop();
  });

  it('four participants join room 1234, see and hear the three others, and one mutes with the Mute button', async () => {
    const [first, last] = janus.rtpPorts;
    const spec = validateScenario(
      {
        name: 'janus-videoroom',
        duration: '20s',
        target: {
          url: `${janus.httpUrl}/videoroomtest.html?room=1234`,
          page: 'janus-videoroom',
          media: [`${janus.mediaHost}:${first}-${last}`],
        },
        participants: {
          callers: { count: 3 },
          far: { count: 1, network: { delayMs: 100 } },
        },
        timeline: [
          {
            at: '8s',
            do: 'script',
            who: 'callers[0]',
            name: 'mute via the page',
            run: async (page: Page) => {
              await page.click('#mute');
              // The demo relabels its button once it has muted the track.
              await page.waitForFunction(() => document.querySelector('#mute')?.textContent?.trim() === 'Unmute', { timeout: 5_000 });
            },
          },
        ],
        thresholds: {
          // Room 1234 caps publishers at 128 kbit/s: a low but steady frame rate.
          video_recv_fps: ['p(50) > 5'],
          join_to_first_frame_ms: ['p(95) < 10000'],
          time_to_connected_ms: ['max < 10000'],
        },
        // The test measures Janus and the link's delay, not this machine: a saturated run still counts.
        guard: { cpuPercent: 100, sustainedSeconds: 3600 },
      },
      'janus (inline)',
    );
    const plan = resolvePlan(spec, { file: 'janus.scenario.ts' });
    const outDir = tempOutDir('janus');
    const results = await runScenario(plan, { outDir, reporters: [] });
    const samples = readSamples(outDir);

    const ids = ['callers[0]', 'callers[1]', 'callers[2]', 'far[0]'];
    for (const id of ids) {
      const p = results.participants.find((x) => x.id === id);
      expect(p, `${id} in the results`).toBeDefined();
      expect(p!.error, `${id} error`).toBeUndefined();
      expect(p!.connected, `${id} connected`).toBe(true);
      expect(streamsReceived(samples, id, 'video'), `${id}: remote videos decoded`).toBeGreaterThanOrEqual(3);
      expect(streamsReceived(samples, id, 'audio'), `${id}: remote audio streams received`).toBeGreaterThanOrEqual(3);
      const a = p!.aggregates;
      console.log(
        `${id}: time_to_connected ${a.time_to_connected_ms?.p50} ms, first frame p95 ${a.join_to_first_frame_ms?.p95} ms, rtt p50 ${a.rtt_ms?.p50} ms, video fps p50 ${a.video_recv_fps?.p50}`,
      );
    }

    for (const join of results.actions.filter((a) => a.do === 'join')) console.log(`${join.participant}: join ${join.durationMs} ms`);

    // Its media went through its simulated link, not around it: an ICE agent that checks the
    // browser's own host candidates (libnice does, even in ICE Lite) opens a direct path.
    const far = results.participants.find((x) => x.id === 'far[0]')!;
    expect(far.network?.counters.up.packetsForwarded, "packets far[0]'s link carried up").toBeGreaterThan(1000);
    // 100 ms each way: the far participant's selected pair takes 200 ± 30 ms longer than the others'.
    // Compared by their lowest RTT: rtt_ms is the worst of each page's four connections, and with
    // four demo pages on two cores Janus's own scheduling adds 30-50 ms to the medians, unevenly
    // (median deltas of 194 and 249 ms measured in two runs); the link's delay is in every sample.
    const rttMin = (id: string) => results.participants.find((x) => x.id === id)!.aggregates.rtt_ms!.min;
    const near = ['callers[0]', 'callers[1]', 'callers[2]'].map(rttMin).sort((x, y) => x - y)[1]!;
    console.log(`rtt min: far ${rttMin('far[0]')} ms, near (median of callers) ${near} ms`);
    const delta = rttMin('far[0]') - near;
    expect(delta).toBeGreaterThan(170);
    expect(delta).toBeLessThan(230);

    const mute = results.actions.find((a) => a.do === 'script');
    expect(mute, 'the script step in the results').toBeDefined();
    expect(mute!.error).toBeUndefined();
    expect(mute!.ok).toBe(true);
    expect(mute!.participant).toBe('callers[0]');
    expect(mute!.durationMs).toBeGreaterThan(0);

    expect(results.verdict, results.verdictReason).toBe('pass');
  });
});
