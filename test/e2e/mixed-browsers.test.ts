// Chromium and Firefox in one room, as a user runs it: the CLI runs scenarios/mixed-browsers with a
// publisher and a viewer of each browser on the bundled SFU. Checked: every participant receives
// every other's audio and video (whatever browser sent it), results.json and the reports give the
// figures per browser, metrics Firefox cannot measure are "not available" for its participants
// (never zero), and the Firefox publisher's three simulcast layers reach the SFU: it sends them,
// and the viewers are forwarded each layer of it in turn when they ask (0, 1, 2).
//
// Needs Debian's firefox-esr (checked with 153.8.0esr) and Chromium (156). On a shared machine the
// load-generator guard may call the run invalid (exit 2); the assertions are on what was measured.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildClient } from '../../scripts/build-client.mjs';
import type { Sample } from '../../harness/src/stats/types.ts';
import { leftoverProcesses, runCli } from '../support/cli.ts';
import { EXIT_OF_VERDICT, readResults, readSamples, tempOutDir } from '../support/results.ts';

const PARTICIPANTS = ['chromiumPublisher[0]', 'firefoxPublisher[0]', 'chromiumViewer[0]', 'firefoxViewer[0]'];

/** Each participant's peer id, from the 'joined' event of its page. */
function peerIds(samples: Sample[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of samples) for (const e of s.callEvents ?? []) if (e.type === 'joined' && 'peerId' in e && e.peerId) out.set(s.participant, e.peerId as string);
  return out;
}

/** consumerId -> { producer's peer id, kind }, from the 'consumerAdded' events of `participant`'s page. */
function consumersOf(samples: Sample[], participant: string): Map<string, { producerPeerId: string; kind: string }> {
  const out = new Map<string, { producerPeerId: string; kind: string }>();
  for (const s of samples.filter((x) => x.participant === participant)) {
    for (const e of s.callEvents ?? []) {
      const ev = e as { type: string; consumerId?: string; producerPeerId?: string; kind?: string };
      if (ev.type === 'consumerAdded' && ev.consumerId && ev.producerPeerId && ev.kind) out.set(ev.consumerId, { producerPeerId: ev.producerPeerId, kind: ev.kind });
    }
  }
  return out;
}

describe('Chromium and Firefox in one room', () => {
  beforeAll(async () => {
    // The SFU serves sfu/client/dist: build it from the sources under test.
    await buildClient();
  });

  it('every participant receives every other, figures per browser, the Firefox layers reach the SFU', async () => {
    const out = tempOutDir('mixed-browsers');
    const run = await runCli(['run', 'scenarios/mixed-browsers.scenario.ts', '--out', out], { timeoutMs: 150_000 });
    const results = readResults(out);
    console.log(run.stdout.split('\n').filter((l) => /✓|✗|verdict|load generator|^\s{4}(chromium|firefox) \(/.test(l)).join('\n'));
    expect(run.code, run.stderr).toBe(EXIT_OF_VERDICT[results.verdict as keyof typeof EXIT_OF_VERDICT]);
    const samples = readSamples(out);

    // Who ran where, and what each browser cannot measure.
    const byId = new Map(results.participants.map((p) => [p.id, p]));
    expect([...byId.keys()].sort()).toEqual([...PARTICIPANTS].sort());
    for (const id of PARTICIPANTS) {
      const p = byId.get(id)!;
      expect(p.connected, `${id} connected`).toBe(true);
      expect(p.error, `${id} error`).toBeUndefined();
      expect(p.browser).toBe(id.startsWith('firefox') ? 'firefox' : 'chromium');
    }
    expect(results.environment.firefox).toMatch(/^firefox\/\d+/);
    expect(results.environment.chromium).toMatch(/Chrome\/\d+/);
    const firefoxLacks = byId.get('firefoxPublisher[0]')!.notAvailable!;
    expect(firefoxLacks).toEqual(expect.arrayContaining(['available_outgoing_bitrate_kbps', 'video_send_target_bitrate_kbps', 'video_send_quality_limited_cpu_percent']));
    expect(byId.get('chromiumPublisher[0]')!.notAvailable).toBeUndefined();
    // Not available is absent, never zero: no Firefox sample carries them; Chromium's do.
    for (const s of samples) {
      const names = [...Object.keys(s.values), ...s.streams.flatMap((st) => Object.keys(st.values))];
      if (s.participant.startsWith('firefox')) expect(names.filter((n) => firefoxLacks.includes(n)), s.participant).toEqual([]);
    }
    expect(byId.get('chromiumPublisher[0]')!.aggregates.available_outgoing_bitrate_kbps?.count).toBeGreaterThan(10);

    // Every participant receives every other's audio and video: a consumer of each, with media in.
    const peers = peerIds(samples);
    expect(peers.size).toBe(4);
    for (const id of PARTICIPANTS) {
      const consumers = [...consumersOf(samples, id).values()];
      for (const other of PARTICIPANTS.filter((o) => o !== id)) {
        for (const kind of ['audio', 'video']) {
          expect(consumers.some((c) => c.producerPeerId === peers.get(other) && c.kind === kind), `${id} consumes ${other}'s ${kind}`).toBe(true);
        }
      }
      // Over the last 3 samples rather than the last alone: the run's final sample covers only the
      // time since the one before (369 ms in one run), in which a stream on a saturated machine
      // may have received nothing.
      const inbound = samples.filter((s) => s.participant === id).slice(-3).flatMap((s) => s.streams.filter((st) => st.direction === 'in'));
      const video = new Set(inbound.filter((s) => s.kind === 'video' && (s.values.video_recv_fps ?? 0) > 0).map((s) => s.id));
      const audio = new Set(inbound.filter((s) => s.kind === 'audio' && (s.values.audio_recv_bitrate_kbps ?? 0) > 0).map((s) => s.id));
      expect(video.size, `${id} decodes video from 3 others at the end`).toBe(3);
      expect(audio.size, `${id} receives audio from 3 others at the end`).toBe(3);
    }

    // Figures per browser in results.json and in the reports.
    expect(results.browsers!.map((b) => [b.name, b.count])).toEqual([['chromium', 2], ['firefox', 2]]);
    for (const b of results.browsers!) expect(b.aggregates.video_recv_fps?.count, `${b.name} video_recv_fps`).toBeGreaterThan(20);
    expect(results.browsers!.find((b) => b.name === 'firefox')!.notAvailable).toEqual(firefoxLacks);
    const markdown = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(markdown).toContain('### Browsers');
    expect(markdown).toMatch(/\| firefox\/\d[^|]* \| 2\/2 \|/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<section id="browsers">');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('browser: firefox');
    expect(run.stdout).toMatch(/^\s+firefox \(2, firefox\/\d/m);
    // The threshold on a figure Firefox lacks is tested on the Chromium participants and says so.
    const bwe = results.thresholds.find((t) => t.metric === 'available_outgoing_bitrate_kbps')!;
    expect(bwe.actual).not.toBeNull();
    expect(bwe.notAvailable).toBe(
      'not available in firefox (its stats have no candidate-pair availableOutgoingBitrate): firefoxPublisher[0], firefoxViewer[0]',
    );

    // The Firefox publisher sends three layers, each at its own resolution.
    const ffLast = samples.filter((s) => s.participant === 'firefoxPublisher[0]').at(-1)!;
    const layers = ffLast.streams.filter((s) => s.direction === 'out' && s.kind === 'video');
    expect(layers.map((s) => s.rid).sort()).toEqual(['r0', 'r1', 'r2']);
    const heights = Object.fromEntries(layers.map((s) => [s.rid, s.values.video_send_height_px]));
    console.log(`firefoxPublisher[0] sends ${JSON.stringify(heights)}`);
    expect(heights).toEqual({ r0: 90, r1: 180, r2: 360 });
    // ... and they reach the SFU: each viewer was forwarded each of its layers, and decoded it.
    for (const viewer of ['chromiumViewer[0]', 'firefoxViewer[0]']) {
      const fromFirefox = [...consumersOf(samples, viewer)].filter(([, c]) => c.producerPeerId === peers.get('firefoxPublisher[0]') && c.kind === 'video').map(([id]) => id);
      expect(fromFirefox).toHaveLength(1);
      const consumer = byId.get(viewer)!.layers!.consumers.find((c) => c.consumer === fromFirefox[0])!;
      console.log(`${viewer}: the Firefox publisher's layers forwarded (seconds): ${JSON.stringify(consumer.secondsOnLayer)}`);
      expect(Object.keys(consumer.secondsOnLayer).sort()).toEqual(['0', '1', '2']);
      const decoded = new Set(
        samples
          .filter((s) => s.participant === viewer)
          .flatMap((s) => s.streams.filter((st) => st.meta?.consumerId === fromFirefox[0]).map((st) => st.values.video_recv_height_px)),
      );
      expect([...decoded].filter((h) => h !== undefined).sort(), `${viewer} decodes the Firefox publisher at each layer`).toEqual(expect.arrayContaining([90, 180, 360]));
    }
    expect(await leftoverProcesses(run)).toEqual([]);
  }, 180_000);
});
