// The replay camera (publish.video.source 'replay') through the bundled SFU in real Chromium: two
// callers whose senders put a clip encoded once in their page on the wire instead of their
// encoder's output of a 32x18 stand-in (test/fixtures/replay-pairs.scenario.ts). What a user
// checks: the other side decodes the full size at the full rate without freezes or key frame
// requests, and the sender's own stats do not pass the stand-in's encoder off as the stream's.
import { describe, expect, it } from 'vitest';
import type { StreamSample } from '../../harness/src/stats/types.ts';
import { leftoverProcesses, runCli } from '../support/cli.ts';
import { readResults, readSamples, tempOutDir } from '../support/results.ts';

const video = (direction: 'in' | 'out') => (st: StreamSample) => st.kind === 'video' && st.direction === direction;

describe('the replay camera', () => {
  it('gives receivers 640x360 at 30 fps from senders that encode a 32x18 stand-in', async () => {
    const out = tempOutDir('replay');
    const run = await runCli(['run', 'test/fixtures/replay-pairs.scenario.ts', '--out', out], { timeoutMs: 90_000 });
    expect([0, 2], run.stdout + run.stderr).toContain(run.code); // 2: the load guard on a busy machine
    const results = readResults(out);
    const samples = readSamples(out);
    const startMs = results.timelineStartUnixMs!;
    for (const id of ['callers[0]', 'callers[1]']) {
      const steady = samples.filter((s) => s.participant === id && (s.t - startMs) / 1000 >= 5);
      const inbound = steady.flatMap((s) => s.streams.filter(video('in')));
      const fps = inbound.map((st) => st.values.video_recv_fps).filter((v): v is number => v !== undefined).sort((a, b) => a - b);
      console.log(`${id}: received ${inbound[0]?.values.video_recv_width_px}x${inbound[0]?.values.video_recv_height_px}, fps ${fps.join(' ')}`);
      expect(fps.length, `${id} received video`).toBeGreaterThan(5);
      // The mean: each second's count is lumpy at the receiver (measured 23 to 38 fps from one
      // second to the next while the sender sent 29.7 to 30.3 each second), the rate is not.
      const meanFps = fps.reduce((a, b) => a + b, 0) / fps.length;
      expect(meanFps, `${id} mean fps`).toBeGreaterThan(27);
      expect(new Set(inbound.map((st) => st.values.video_recv_width_px)), `${id} decodes the clip's size`).toEqual(new Set([640]));
      const participant = results.participants.find((p) => p.id === id)!;
      expect(participant.aggregates.video_freeze_count_total?.max ?? 0, `${id} freezes`).toBe(0);
      expect(participant.aggregates.video_recv_plis_per_second?.max ?? 0, `${id} asked for no key frame`).toBe(0);
      expect(participant.aggregates.video_recv_bitrate_kbps?.p50, `${id} receives the clip's bitrate`).toBeGreaterThan(1000);

      // Its own sending: replayed, and no encoder figures (they would be the stand-in's 32x18).
      const outbound = steady.flatMap((s) => s.streams.filter(video('out')));
      expect(outbound.length).toBeGreaterThan(5);
      console.log(`${id}: sent ${outbound.map((st) => st.values.video_send_fps?.toFixed(1)).join(' ')} fps`);
      for (const st of outbound) {
        expect(st.meta?.send, `${id} says its video is replayed`).toBe('replay');
        expect(st.meta?.encoderImplementation).toBeUndefined();
        expect(st.values.video_send_width_px).toBeUndefined();
      }
      expect(Math.min(...outbound.map((st) => st.values.video_send_fps ?? 0)), `${id} sends every frame`).toBeGreaterThan(25);
    }
    expect(await leftoverProcesses(run)).toEqual([]);
  }, 120_000);
});
