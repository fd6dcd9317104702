// WHIP publishers and WHEP viewers as participants of a run: no page script at all, only the
// scenario's endpoints. The test starts the bundled SFU by itself (standing in for any WHIP/WHEP
// server) and gives the run its URLs and its media address: the far viewer's link adds 100 ms
// each way, which its RTT must show, and the others must decode the publisher's video and audio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { buildClient } from '../../scripts/build-client.mjs';
import { validateScenario } from '../../harness/src/scenario/validate.ts';
import { resolvePlan } from '../../harness/src/scenario/resolve.ts';
import { runScenario } from '../../harness/src/runner/run.ts';
import { tempOutDir } from '../support/results.ts';
import { waitFor } from '../support/wait.ts';

describe('WHIP and WHEP participants (target: { whip, whep })', () => {
  let sfu: Sfu;
  beforeAll(async () => {
    await buildClient();
    sfu = await startSfu({ numWorkers: 1 });
  });
  afterAll(async () => {
    await sfu?.close();
  });

  it('publishes over WHIP, views over WHEP, shapes a viewer, and leaves with DELETE', async () => {
    const spec = validateScenario(
      {
        name: 'whip-whep',
        duration: '16s',
        target: {
          whip: `${sfu.url}/whip/{room}?name={name}`,
          whep: `${sfu.url}/whep/{room}?name={name}`,
          media: [`127.0.0.1:${sfu.rtcPorts[0]}`],
        },
        participants: {
          publisher: { count: 1, publish: { audio: true, video: { width: 320, height: 180, fps: 15 } } },
          // WHEP answers 409 while nobody publishes: the viewers come once the publisher is in.
          viewers: { count: 2, publish: false, joinAt: '3s' },
          far: { count: 1, publish: false, joinAt: '3s', network: { delayMs: 100 } },
        },
        timeline: [
          { at: '10s', do: 'mute', who: 'publisher', source: 'camera' },
          { at: '11s', do: 'unmute', who: 'publisher', source: 'camera' },
          { at: '12s', do: 'leave', who: 'viewers[1]' },
        ],
        thresholds: { 'video_recv_fps{group:viewers}': ['med > 8'], action_failure_count_total: ['max == 0'] },
        // The test measures what crosses the endpoints and the link, not this machine.
        guard: { cpuPercent: 100, sustainedSeconds: 3600 },
      },
      'whip-whep (inline)',
    );
    const plan = resolvePlan(spec, { file: 'whip-whep.scenario.ts' });
    const results = await runScenario(plan, { outDir: tempOutDir('whip-whep'), reporters: [] });
    const byId = new Map(results.participants.map((p) => [p.id, p]));
    for (const p of results.participants) {
      expect(p.connected, `${p.id}: ${p.error}`).toBe(true);
      expect(p.error, p.id).toBeUndefined();
    }
    for (const id of ['viewers[0]', 'viewers[1]', 'far[0]']) {
      const a = byId.get(id)!.aggregates;
      console.log(`${id}: video ${a.video_recv_fps?.p50} fps, audio ${a.audio_recv_bitrate_kbps?.p50} kbps, rtt ${a.rtt_ms?.p50} ms, first frame ${a.join_to_first_frame_ms?.p50} ms`);
      expect(a.video_recv_fps?.p50 ?? 0, id).toBeGreaterThan(8);
      expect(a.audio_recv_bitrate_kbps?.p50 ?? 0, id).toBeGreaterThan(5);
      expect(a.join_to_first_frame_ms?.max ?? Infinity, id).toBeLessThan(5000);
    }
    // 100 ms each way on the far viewer's link: its RTT exceeds a plain viewer's by 200 ± 30 ms.
    const delta = byId.get('far[0]')!.aggregates.rtt_ms!.p50 - byId.get('viewers[0]')!.aggregates.rtt_ms!.p50;
    expect(delta).toBeGreaterThan(170);
    expect(delta).toBeLessThan(230);
    expect(byId.get('far[0]')!.network?.counters.down.packetsForwarded).toBeGreaterThan(100);
    // Every action went through: the mute and unmute on the publisher's track, the DELETE of the leave.
    expect(results.actions.filter((a) => a.do !== 'join').map((a) => [a.do, a.participant, a.ok])).toEqual([
      ['mute', 'publisher[0]', true],
      ['unmute', 'publisher[0]', true],
      ['leave', 'viewers[1]', true],
    ]);
    expect(results.verdict).toBe('pass');
    // At the end everyone hung up with a DELETE, as a WHIP/WHEP client does: the SFU holds nobody.
    // The SFU closes a session after answering its DELETE, so the last one may still be closing
    // (seen once in about ten runs); without the DELETE it would stay until ICE times out (30 s).
    await waitFor(async () => /rtc_sfu_peers(\{[^}]*\})? 0\b/.test(await sfu.metricsText()), 3_000, 'the SFU to hold no peer after the DELETEs');
  });
});
