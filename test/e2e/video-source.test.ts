// The 'clip' video source end to end: a caller sending the generated clip and one sending
// Chromium's test pattern, in one room on the bundled SFU (test/fixtures/clip-source.scenario.ts).
// What a user picks the clip for: it makes the encoder work as on a camera's picture, so the
// bitrate it sends is far above the pattern's (measured: 1.7 Mbps against 0.27 at 640x360@30),
// while the other side still receives it at full frame rate. The clip is a browser flag, so the
// two callers run in two browsers.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.mjs';
import type { Sample } from '../../harness/src/stats/types.ts';
import { leftoverProcesses, runCli } from '../support/cli.ts';
import { tempOutDir, readResults, readSamples } from '../support/results.ts';

/** The median of `metric` over the participant's streams in `direction` of kind video. */
function median(samples: Sample[], group: string, direction: 'in' | 'out', metric: string): number {
  const xs = samples
    .filter((s) => s.group === group)
    .flatMap((s) => s.streams.filter((st) => st.direction === direction && st.kind === 'video'))
    .map((st) => st.values[metric as keyof typeof st.values])
    .filter((v): v is number => typeof v === 'number')
    .sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)] ?? NaN;
}

describe("video source 'clip'", () => {
  beforeAll(async () => {
    await buildClient();
  });

  it('encodes like a camera, far above the test pattern, and is received at full rate', async () => {
    const out = tempOutDir('clip-source');
    const run = await runCli(['run', 'test/fixtures/clip-source.scenario.ts', '--out', out], { timeoutMs: 120_000 });
    const results = readResults(out);
    expect(run.code, run.stderr).toBe(0);
    const samples = readSamples(out);
    const clipKbps = median(samples, 'clip', 'out', 'video_send_bitrate_kbps');
    const patternKbps = median(samples, 'pattern', 'out', 'video_send_bitrate_kbps');
    console.log(`sent video p50: clip ${clipKbps.toFixed(0)} kbps, pattern ${patternKbps.toFixed(0)} kbps`);
    expect(clipKbps).toBeGreaterThan(800);
    expect(clipKbps).toBeGreaterThan(3 * patternKbps);
    // Each receives the other's video at the camera's rate.
    expect(median(samples, 'pattern', 'in', 'video_recv_fps')).toBeGreaterThanOrEqual(25);
    expect(median(samples, 'clip', 'in', 'video_recv_fps')).toBeGreaterThanOrEqual(25);
    expect(median(samples, 'pattern', 'in', 'video_recv_width_px')).toBe(640);
    expect(results.loadGenerator.browsers, 'the clip is a browser flag: one browser per source').toBe(2);
    expect(await leftoverProcesses(run)).toEqual([]);
  }, 150_000);
});
