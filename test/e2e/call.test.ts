// The reference call page on the real SFU: a real mediasoup worker and real Chromium pages with
// fake camera and microphone. Two pages join one room, each publishing audio and three-layer
// simulcast video; each must decode the other, the SFU must receive all three layers, and a
// viewer's preferred spatial layer must lower what it decodes. Figures (join to first frame,
// wall time) are printed, not asserted.
//
// Needs from Chromium (checked with 156.0.8078.114): three simulcast layers from a 640x360 camera,
// which Chromium sends only with the field trial launchChromium() sets
// (WebRTC-LegacySimulcastLayerLimit/Disabled/).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../../harness/src/participants/chromium.ts';
import { buildClient } from '../../scripts/build-client.mjs';
import type { CallEvent, CallState, ConsumerState, StatsEntry } from '../../sfu/client/src/api.ts';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { waitFor } from '../support/wait.ts';

const WORKER_BIN = join(import.meta.dirname, '../../node_modules/mediasoup/worker/out/Release/mediasoup-worker');
const ROOM = 'call-e2e';

interface Inbound {
  kind: string;
  bytesReceived: number;
  framesDecoded: number;
  frameWidth: number;
  totalSamplesReceived: number;
}

describe('call page on the real SFU', () => {
  const startedMs = performance.now();
  let sfu: Sfu | undefined;
  let chromium: LaunchedChromium | undefined;
  let clientDir: string | undefined;
  let pageA: Page;
  let pageB: Page;
  let peerA = '';
  let peerB = '';
  /** Every process this file started, checked for exit at the end. */
  const startedPids = new Set<number>();

  beforeAll(async () => {
    // The worker binary is built by `npm run setup`, possibly still running: wait for it.
    await waitFor(async () => existsSync(WORKER_BIN), 10 * 60_000, `${WORKER_BIN} (run npm run setup)`, 2_000);
    clientDir = mkdtempSync(join(tmpdir(), 'rtc-harness-client-'));
    const built = await buildClient({ outDir: clientDir });
    console.log(`build-client: ${built.durationMs} ms`);
    sfu = await startSfu({ numWorkers: 1, clientDir, logLevel: 'warn' });
    expect(sfu.workerPids, 'one mediasoup worker started').toHaveLength(1);
    for (const pid of sfu.workerPids) startedPids.add(pid);
    // The SFU's own count must match what is really running under this process.
    expect(childPids('mediasoup-worker')).toEqual(expect.arrayContaining([...sfu.workerPids]));
    chromium = await launchChromium();
    const browserPid = chromium.browser.process()?.pid;
    if (browserPid === undefined) throw new Error('puppeteer gave no Chromium process');
    startedPids.add(browserPid);
  }, 11 * 60_000);

  afterAll(async () => {
    await chromium?.close();
    await sfu?.close();
    if (clientDir) rmSync(clientDir, { recursive: true, force: true });
    console.log(`call e2e wall time: ${Math.round(performance.now() - startedMs)} ms`);
  });

  it('two pages receive and decode each other\'s audio and video', async () => {
    const base = sfu!.url;
    // Page A joins through URL parameters, page B through window.rtcHarness.
    pageA = await openPage(`${base}/?room=${ROOM}&name=Alice&autojoin=1&audio=1&video=1&simulcast=1`);
    await pageA.waitForSelector('html[data-state=joined]', { timeout: 20_000 });
    peerA = (await state(pageA)).peerId!;
    pageB = await openPage(`${base}/?room=${ROOM}`);
    const joinToFrameMs = await pageB.evaluate(async () => {
      const h = window.rtcHarness!;
      const t0 = Date.now();
      await h.join({ room: 'call-e2e', name: 'Bob' });
      await h.publish({ audio: true, video: { simulcast: true } });
      // The first video frame of Alice's camera.
      while (Date.now() - t0 < 20_000) {
        const frame = h.events.find((e) => e.type === 'firstFrame' && e.kind === 'video');
        if (frame) return frame.atMs - t0;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no firstFrame event within 20 s; state: ${JSON.stringify(await h.state())}`);
    });
    peerB = (await state(pageB)).peerId!;
    console.log(`page B: join() to Alice's first video frame: ${joinToFrameMs} ms`);
    for (const [page, other] of [[pageA, peerB], [pageB, peerA]] as const) {
      await waitFor(async () => (await state(page)).consumers.filter((c) => c.producerPeerId === other).length === 2, 15_000, 'two consumers');
      const s = await state(page);
      expect(s.lastError).toBeNull();
      expect(s.transports).toEqual({ send: 'connected', recv: 'connected' });
      expect(s.consumers.map((c) => `${c.kind}:${c.source}`).sort()).toEqual(['audio:mic', 'video:camera']);
    }
    const joinedA = (await pageA.evaluate(() => window.rtcHarness!.events)).find((e) => e.type === 'joined');
    console.log(`page A (autojoin): join request to ready: ${joinedA?.type === 'joined' ? joinedA.joinMs : '?'} ms`);
    // Media flowing both ways first: a consumer exists a moment before its first packet arrives
    // (it is resumed on the page's ack, then the SFU asks the publisher for a key frame).
    const flowingSince = performance.now();
    for (const [page, name] of [[pageA, 'A'], [pageB, 'B']] as const) {
      await waitFor(async () => {
        const m = await inbound(page);
        return (m.get('audio')?.bytesReceived ?? 0) > 0 && (m.get('video')?.framesDecoded ?? 0) > 0;
      }, 15_000, `page ${name} to receive audio and decode video`);
    }
    console.log(`both pages receiving audio and decoding video ${Math.round(performance.now() - flowingSince)} ms after both had their consumers`);
    // Two readings 2 s apart, both pages at once.
    const first = await Promise.all([inbound(pageA), inbound(pageB)]);
    await new Promise((r) => setTimeout(r, 2_000));
    const second = await Promise.all([inbound(pageA), inbound(pageB)]);
    for (const [i, name] of ['A', 'B'].entries()) {
      const audio = [first[i]!.get('audio'), second[i]!.get('audio')];
      const video = [first[i]!.get('video'), second[i]!.get('video')];
      expect(audio.every(Boolean) && video.every(Boolean), `page ${name} has inbound audio and video in both readings`).toBe(true);
      expect(audio[1]!.bytesReceived, `page ${name} audio bytes grow`).toBeGreaterThan(audio[0]!.bytesReceived);
      expect(audio[1]!.totalSamplesReceived, `page ${name} audio samples grow`).toBeGreaterThan(audio[0]!.totalSamplesReceived);
      expect(video[1]!.bytesReceived, `page ${name} video bytes grow`).toBeGreaterThan(video[0]!.bytesReceived);
      // ~30 fps for 2 s: at least a third of that, so a stalled decoder fails.
      expect(video[1]!.framesDecoded - video[0]!.framesDecoded, `page ${name} frames decoded`).toBeGreaterThan(20);
    }
  });

  it('the publisher\'s three simulcast encodings reach the SFU', async () => {
    const a = await state(pageA);
    const camera = a.producers.find((p) => p.source === 'camera');
    expect(camera?.encodings.map((e) => e.rid)).toEqual(['r0', 'r1', 'r2']);
    expect(camera?.encodings.map((e) => e.scaleResolutionDownBy)).toEqual([4, 2, 1]);
    expect(camera?.encodings.map((e) => e.scalabilityMode)).toEqual(['L1T3', 'L1T3', 'L1T3']);
    // The SFU's view from page B: a simulcast consumer that reaches the top spatial layer.
    const top = await waitFor(
      async () => {
        const c = (await sfuConsumers(pageB)).find((x) => x.producerPeerId === peerA && x.kind === 'video');
        return c?.currentLayers?.spatialLayer === 2 ? c : undefined;
      },
      15_000,
      "B's consumer of A's camera at spatial layer 2",
    );
    expect(top.type).toBe('simulcast');
    // The SFU receives the three layers as three RTP streams with bytes.
    const streams = await producerRtpStreams(camera!.id);
    expect(streams.map((s) => s.rid).sort()).toEqual(['r0', 'r1', 'r2']);
    for (const s of streams) expect(s.byteCount, `bytes of ${s.rid}`).toBeGreaterThan(0);
    const b = await state(pageB);
    expect(b.consumers.find((c) => c.producerPeerId === peerA && c.kind === 'video')?.layers?.spatialLayer).toBe(2);
  });

  it('a preferred spatial layer of 0 lowers what the viewer decodes', async () => {
    const before = (await inbound(pageB)).get('video')!;
    expect(before.frameWidth).toBe(640);
    await pageB.evaluate((producerPeerId) => window.rtcHarness!.setPreferredLayers({ producerPeerId, spatialLayer: 0 }), peerA);
    const switchStartedMs = Date.now();
    await waitFor(
      async () => (await sfuConsumers(pageB)).find((c) => c.producerPeerId === peerA && c.kind === 'video')?.currentLayers?.spatialLayer === 0,
      5_000,
      'currentLayers.spatialLayer 0 on the SFU',
    );
    const width = await waitFor(
      async () => {
        const w = (await inbound(pageB)).get('video')!.frameWidth;
        return w < before.frameWidth ? w : undefined;
      },
      5_000,
      'a smaller decoded frameWidth',
    );
    console.log(`page B: setPreferredLayers(0) to decoded width ${width}: ${Date.now() - switchStartedMs} ms`);
    expect(width).toBe(160);
    const events = await pageB.evaluate(() => window.rtcHarness!.drainEvents());
    expect(events.some((e: CallEvent) => e.type === 'layersChanged' && e.spatialLayer === 0)).toBe(true);
  });

  it('mute, screen share and their end reach the viewer', async () => {
    const videoOfA = async () => (await state(pageB)).consumers.find((c) => c.producerPeerId === peerA && c.source === 'camera');
    await pageA.evaluate(() => window.rtcHarness!.mute('camera'));
    expect((await state(pageA)).producers.find((p) => p.source === 'camera')?.paused).toBe(true);
    await waitFor(async () => (await videoOfA())?.paused === true, 5_000, "B's consumer of A's camera paused");
    await pageA.evaluate(() => window.rtcHarness!.unmute('camera'));
    await waitFor(async () => (await videoOfA())?.paused === false, 5_000, "B's consumer of A's camera resumed");

    await pageA.evaluate(() => window.rtcHarness!.startScreenShare({ width: 640, height: 360, fps: 5 }));
    const screen = await waitFor(
      async () => (await state(pageB)).consumers.find((c) => c.producerPeerId === peerA && c.source === 'screen' && c.firstFrameAtMs !== null),
      10_000,
      "a decoded frame of A's screen on B",
    );
    expect(screen.kind).toBe('video');
    await pageA.evaluate(() => window.rtcHarness!.stopScreenShare());
    await waitFor(async () => !(await state(pageB)).consumers.some((c) => c.id === screen.id), 5_000, "B's screen consumer removed");
    const again = await pageA.evaluate(() => window.rtcHarness!.stopScreenShare().then(() => 'resolved', (e: Error) => e.message));
    expect(again).toBe('stopScreenShare(): no screen producer');
  });

  it('a leave made while a join and a publish are still going waits for them, and leaves', async () => {
    // As a churn on a busy machine does: the next leave comes before the last join and publish
    // are done. Run side by side, the leave said 'not joined' (the page then stayed in the room)
    // or closed the transport under the publish ('queue stopped').
    const pageC = await openPage(`${sfu!.url}/?room=${ROOM}`);
    const outcome = await pageC.evaluate(async (room) => {
      const h = window.rtcHarness!;
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 3; i++) {
        calls.push(h.join({ room, name: `Carol${i}` }), h.publish({ audio: true, video: { width: 320, height: 180 } }), h.leave());
      }
      const settled = await Promise.allSettled(calls);
      return { settled: settled.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).message)), joined: (await h.state()).joined };
    }, ROOM);
    expect(outcome.settled).toEqual(Array(9).fill('ok'));
    expect(outcome.joined).toBe(false);
    // The SFU holds nothing of it: the others no longer see a peer named Carol.
    await waitFor(async () => !(await state(pageA)).peers.some((p) => p.displayName?.startsWith('Carol')), 5_000, 'Carol gone from A\'s roster');
    await pageC.close();
  });

  it('leaves no Chromium or mediasoup-worker process behind', async () => {
    for (const pid of [...startedPids]) for (const child of descendants(pid)) startedPids.add(child);
    expect(startedPids.size).toBeGreaterThan(2);
    await chromium?.close();
    await sfu?.close();
    const alive = await waitFor(
      async () => {
        const left = pgrepPids().filter((pid) => startedPids.has(pid));
        return left.length === 0 ? [] : undefined;
      },
      10_000,
      'all started processes to exit',
    ).catch(() => pgrepPids().filter((pid) => startedPids.has(pid)));
    expect(alive).toEqual([]);
  });

  async function openPage(url: string): Promise<Page> {
    const page = await chromium!.browser.newPage();
    page.on('pageerror', (err) => console.error(`page error: ${String(err)}`));
    await page.goto(url);
    await page.waitForSelector('html[data-state]');
    return page;
  }

  async function producerRtpStreams(producerId: string): Promise<{ rid: string; byteCount: number }[]> {
    const stats = await sfu!.getProducerStats(producerId);
    return stats
      .filter((s) => s.type === 'inbound-rtp')
      .map((s) => ({ rid: String(s.rid), byteCount: Number(s.byteCount) }));
  }
});

function state(page: Page): Promise<CallState> {
  return page.evaluate(() => window.rtcHarness!.state());
}

function sfuConsumers(page: Page): Promise<ConsumerState[]> {
  return page.evaluate(() => window.rtcHarness!.getConsumerState());
}

/** The page's inbound-rtp streams by kind (one of each here), read from the recv transport. */
async function inbound(page: Page): Promise<Map<string, Inbound>> {
  const { recv } = await page.evaluate(() => window.rtcHarness!.getStats());
  const out = new Map<string, Inbound>();
  for (const s of recv.filter((e: StatsEntry) => e.type === 'inbound-rtp')) {
    out.set(String(s.kind), {
      kind: String(s.kind),
      bytesReceived: Number(s.bytesReceived ?? 0),
      framesDecoded: Number(s.framesDecoded ?? 0),
      frameWidth: Number(s.frameWidth ?? 0),
      totalSamplesReceived: Number(s.totalSamplesReceived ?? 0),
    });
  }
  return out;
}

/** PIDs of this process's children named `name`. */
function childPids(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', '-P', String(process.pid), name], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Every live chromium or mediasoup-worker process on the machine (other runs included). */
function pgrepPids(): number[] {
  try {
    return execFileSync('pgrep', ['-f', 'chromium|mediasoup-worker'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** All descendants of `pid`, from /proc (Chromium's renderers, GPU and utility processes). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process exited while we were reading.
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}
