// Glass-to-glass measurement end to end: a stamped sender (publish.video.source 'stamped') on the
// bundled SFU, three viewers in real Chromium behind simulated links, each reading the code of
// every frame it renders (test/fixtures/glass-to-glass.scenario.ts). Latency is compared between
// viewers of the same run (the added delay must show as itself), so the checks hold on a loaded
// machine; the outage must show as a freeze of its length, with the frames sent meanwhile skipped.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.mjs';
import type { Sample, StreamSample } from '../../harness/src/stats/types.ts';
import { leftoverProcesses, runCli } from '../support/cli.ts';
import { checkKeptHistory, PANELS_NEEDING } from '../support/dashboard-data.ts';
import { readResults, readSamples, tempOutDir } from '../support/results.ts';
import { checkUnlessStarved } from '../support/starved.ts';

const inVideo = (st: StreamSample) => st.direction === 'in' && st.kind === 'video';
const inAudio = (st: StreamSample) => st.direction === 'in' && st.kind === 'audio';

/** One participant's inbound video (or audio) values of a metric, in time order, between two offsets (s). */
function series(samples: Sample[], startMs: number, group: string, metric: keyof StreamSample['values'], fromS = 0, toS = Infinity, kind = inVideo): number[] {
  return samples
    .filter((s) => s.group === group && (s.t - startMs) / 1000 >= fromS && (s.t - startMs) / 1000 < toS)
    .map((s) => s.streams.find(kind)?.values[metric])
    .filter((v): v is number => typeof v === 'number');
}

function median(xs: number[]): number {
  expect(xs.length, 'values to take a median of').toBeGreaterThan(0);
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
}

describe('glass-to-glass latency and frames from stamped video', () => {
  beforeAll(async () => {
    await buildClient();
  });

  it('measures tens of ms without delay, +150 ms with it (video and audio), and a 2 s outage as a 2 s freeze with frames skipped after it', async () => {
    // Latencies need a quiet machine: a run the harness calls starved (19 % of the CPU not its own
    // in one rehearsal, clean at 118.6 ms) is run again (test/support/starved.ts).
    const attempt = async () => {
      const out = tempOutDir('glass-to-glass');
      const startSeconds = Date.now() / 1000;
      const run = await runCli(['run', 'test/fixtures/glass-to-glass.scenario.ts', '--prometheus', '--out', out], { timeoutMs: 120_000 });
      return { out, run, startSeconds, endSeconds: Date.now() / 1000 };
    };
    await checkUnlessStarved(attempt, async ({ out, run, startSeconds, endSeconds }) => {
      expect([0, 2], run.stderr).toContain(run.code); // 2: the load guard may call a busy machine's run invalid
      const results = readResults(out);
      const samples = readSamples(out);
      const startMs = results.timelineStartUnixMs!;

      // Steady state before the outage: from 4 s (everyone joined, the encoder ramped up) to 10 s.
      const clean = median(series(samples, startMs, 'clean', 'video_e2e_latency_ms', 4, 10));
      const delayed = median(series(samples, startMs, 'delayed', 'video_e2e_latency_ms', 4, 10));
      const unreadable = series(samples, startMs, 'clean', 'video_stamp_unreadable_percent', 4);
      console.log(`glass-to-glass p50: clean ${clean.toFixed(1)} ms, +150 ms one-way ${delayed.toFixed(1)} ms (+${(delayed - clean).toFixed(1)}); unreadable max ${Math.max(...unreadable).toFixed(1)}%`);
      expect(clean).toBeGreaterThan(5);
      expect(clean).toBeLessThan(100);
      expect(delayed - clean).toBeGreaterThan(120);
      expect(delayed - clean).toBeLessThan(180);
      expect(Math.max(...unreadable), 'every rendered frame of a clean stream reads').toBeLessThan(2);

      // The outage: one freeze of the picture shown, 2 s long, and the frames sent during it skipped.
      const freezeMaxMs = Math.max(...series(samples, startMs, 'outage', 'video_rendered_freeze_max_ms'));
      const skippedBefore = Math.max(...series(samples, startMs, 'outage', 'video_skipped_frame_count_total', 0, 10));
      const skippedAfter = Math.max(...series(samples, startMs, 'outage', 'video_skipped_frame_count_total'));
      console.log(`outage 2 s: longest freeze ${freezeMaxMs.toFixed(0)} ms, frames skipped ${skippedBefore} before, ${skippedAfter} after`);
      // What the viewer sees is the outage plus the receiver's recovery after it: libwebrtc may spend
      // a second on the SFU's retransmissions, drop those frames as too late and only then ask for a
      // key frame (its own freeze metric then says ~3 s too). Measured 2.0 to 3.05 s here, so the
      // check is the outage's length and at most 1.5 s of recovery on top.
      expect(freezeMaxMs).toBeGreaterThan(1700);
      expect(freezeMaxMs).toBeLessThan(3500);
      // Whichever it was, the picture shown froze as long as libwebrtc's own count says (its
      // freezes, from frames decoded, are the same event seen one step earlier).
      const libwebrtcFreezeMaxMs = Math.max(...series(samples, startMs, 'outage', 'video_freeze_max_ms'));
      console.log(`outage 2 s: libwebrtc's longest freeze ${libwebrtcFreezeMaxMs.toFixed(0)} ms`);
      expect(Math.abs(freezeMaxMs - libwebrtcFreezeMaxMs)).toBeLessThan(300);
      expect(skippedAfter - skippedBefore, 'about 2 s of frames at 30 fps never shown').toBeGreaterThan(40);
      expect(Math.max(...series(samples, startMs, 'clean', 'video_rendered_freeze_max_ms')), 'the clean viewer did not freeze').toBeLessThan(500);

      // Audio, timed on the stamped microphone's tone bursts: the same viewers, the same comparison.
      // Steady state as above; the clean figure is Opus's frame, the jitter buffer and the audio
      // graph's quantum (measured 73-97 ms here), and the added 150 ms shows as itself (+138 to +156).
      const cleanAudio = median(series(samples, startMs, 'clean', 'audio_e2e_latency_ms', 4, 10, inAudio));
      const delayedAudio = median(series(samples, startMs, 'delayed', 'audio_e2e_latency_ms', 4, 10, inAudio));
      console.log(`mouth-to-ear p50: clean ${cleanAudio.toFixed(1)} ms, +150 ms one-way ${delayedAudio.toFixed(1)} ms (+${(delayedAudio - cleanAudio).toFixed(1)})`);
      expect(cleanAudio).toBeGreaterThan(20);
      expect(cleanAudio).toBeLessThan(250);
      expect(delayedAudio - cleanAudio).toBeGreaterThan(110);
      expect(delayedAudio - cleanAudio).toBeLessThan(190);
      expect(Math.max(...series(samples, startMs, 'clean', 'audio_stamp_unreadable_percent', 4, Infinity, inAudio)), 'every burst of a clean stream reads').toBe(0);
      // The outage: no burst heard while the link is dark, heard again after it.
      expect(series(samples, startMs, 'outage', 'audio_e2e_latency_ms', 10.5, 12, inAudio), 'no burst through the outage').toEqual([]);
      expect(series(samples, startMs, 'outage', 'audio_e2e_latency_ms', 15, Infinity, inAudio).length, 'bursts heard after the outage').toBeGreaterThan(3);

      // Per sender: every viewer's stream names the presenter, a threshold on it sees all their frames,
      // and results.json has the presenter's view as a sender.
      for (const group of ['clean', 'delayed', 'outage']) {
        // An audio stream names its sender from its first burst heard on (a second in, at most).
        const froms = new Set(samples.filter((s) => s.group === group).flatMap((s) => s.streams.filter((st) => inVideo(st) || (inAudio(st) && st.values.audio_e2e_latency_ms !== undefined)).map((st) => st.from)));
        expect([...froms], `${group}'s streams name their sender`).toEqual(['presenter[0]']);
      }
      const perSender = results.thresholds.find((t) => t.key === 'video_e2e_latency_ms{from:presenter[0]}');
      expect(perSender, JSON.stringify(results.thresholds)).toMatchObject({ ok: true });
      expect(perSender?.actual).toBeGreaterThan(0);
      const presenter = results.participants.find((p) => p.id === 'presenter[0]')!;
      const viewersCount = results.participants.filter((p) => p.group !== 'presenter').reduce((n, p) => n + (p.aggregates.video_e2e_latency_ms?.count ?? 0), 0);
      expect(presenter.asSender?.video_e2e_latency_ms?.count).toBe(viewersCount);
      expect(viewersCount).toBeGreaterThan(30);

      // The presenter sends, it does not receive: nothing measured there, not zeros.
      expect(series(samples, startMs, 'presenter', 'video_e2e_latency_ms')).toEqual([]);
      expect(await leftoverProcesses(run)).toEqual([]);

      // The call-quality dashboard's stamped-video panels, which only a stamped sender fills, have
      // data in the Prometheus that scraped this run.
      const { failures, queries } = await checkKeptHistory(out, ['call-quality.json'], { startSeconds, endSeconds }, { only: PANELS_NEEDING.stampedVideo });
      expect(failures).toEqual([]);
      expect(queries).toBe(7);
    });
  }, 480_000);

  it('times the audio of participants that send a stamped microphone and listen on the same page', async () => {
    const out = tempOutDir('stamped-pairs');
    const run = await runCli(['run', 'test/fixtures/stamped-pairs.scenario.ts', '--out', out], { timeoutMs: 90_000 });
    expect([0, 2], run.stderr).toContain(run.code);
    const results = readResults(out);
    for (const [listener, sender] of [['callers[0]', 'callers[1]'], ['callers[1]', 'callers[0]']] as const) {
      const heard = readSamples(out)
        .filter((s) => s.participant === listener)
        .flatMap((s) => s.streams.filter((st) => inAudio(st) && st.values.audio_e2e_latency_ms !== undefined));
      expect(heard.length, `${listener} heard bursts`).toBeGreaterThan(5);
      expect(new Set(heard.map((st) => st.from)), `${listener} names its sender`).toEqual(new Set([sender]));
      const threshold = results.thresholds.find((t) => t.key === `audio_e2e_latency_ms{from:${sender}}`);
      expect(threshold, JSON.stringify(results.thresholds)).toMatchObject({ ok: true });
    }
    expect(await leftoverProcesses(run)).toEqual([]);
  }, 120_000);

  it('scores the picture of a lower simulcast layer lower (PSNR of the known strip)', async () => {
    const out = tempOutDir('stamped-low-layer');
    const run = await runCli(['run', 'test/fixtures/stamped-low-layer.scenario.ts', '--out', out], { timeoutMs: 120_000 });
    expect([0, 2], run.stderr).toContain(run.code);
    const results = readResults(out);
    const samples = readSamples(out);
    const startMs = results.timelineStartUnixMs!;
    const of = (who: string, metric: keyof StreamSample['values']) =>
      samples
        .filter((s) => s.participant === who && (s.t - startMs) / 1000 >= 10)
        .map((s) => s.streams.find(inVideo)?.values[metric])
        .filter((v): v is number => typeof v === 'number');
    const top = median(of('viewers[0]', 'video_stamp_psnr_db'));
    const low = median(of('viewers[1]', 'video_stamp_psnr_db'));
    const heights = [median(of('viewers[0]', 'video_recv_height_px')), median(of('viewers[1]', 'video_recv_height_px'))];
    console.log(`strip PSNR p50 from 10 s: ${top.toFixed(1)} dB at ${heights[0]}p, ${low.toFixed(1)} dB at ${heights[1]}p (the lowest layer)`);
    expect(heights[1]).toBeLessThan(heights[0]!);
    expect(top - low, 'a lower layer loses the strip\'s finest rows').toBeGreaterThan(3);
    expect(Math.max(...of('viewers[1]', 'video_stamp_unreadable_percent')), 'the code still reads at the lowest layer').toBeLessThan(2);
    expect(await leftoverProcesses(run)).toEqual([]);
  }, 150_000);
});
