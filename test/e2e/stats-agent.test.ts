// The in-page stats agent in real Chromium, on a page that is not ours: a loopback call between
// two RTCPeerConnections of one page (fake camera and microphone, no SFU). Checks that the agent
// measures the call, that the page's own code does not notice it, that closed connections give
// their final stats, and that candidate rewriting reaches the browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { buildAgentScript } from '../../harness/src/browser/bundle.ts';
import { launchChromium, type LaunchedChromium } from '../../harness/src/participants/chromium.ts';
import { SeriesStore } from '../../harness/src/stats/aggregate.ts';
import { StatsCollector } from '../../harness/src/participants/stats-collector.ts';
import { AgentBridge } from '../../harness/src/participants/agent-bridge.ts';
import { samplePoints, type Sample } from '../../harness/src/stats/types.ts';
import { startLoopbackCallServer, type LoopbackCallServer, type LoopbackPageResult } from '../support/loopback-call.ts';
import { waitFor } from '../support/wait.ts';

let server: LoopbackCallServer | undefined;
let chromium: LaunchedChromium | undefined;
let page: Page;

const pageResult = () => page.evaluate(() => (window as unknown as { pageResult: LoopbackPageResult }).pageResult);

beforeAll(async () => {
  server = await startLoopbackCallServer();
  chromium = await launchChromium();
  page = await chromium.browser.newPage();
  await page.evaluateOnNewDocument(await buildAgentScript());
  await page.goto(server.url);
  await waitFor(
    async () => {
      const r = await pageResult();
      if (r.errors.length > 0) throw new Error(`the call page failed: ${r.errors.join('; ')}`);
      return r.started && r.connectedSeen && r.videoPlaying;
    },
    20_000,
    'the call to connect',
  );
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('stats agent in Chromium', () => {
  const samples: Sample[] = [];

  it('measures a loopback call', async () => {
    const agent = new AgentBridge(page);
    const collector = new StatsCollector({ snapshots: () => agent.collect(), participant: 'caller[0]', group: 'caller', intervalMs: 1000 });
    collector.on('sample', (s) => samples.push(s));
    const errors: Error[] = [];
    collector.on('error', (e) => errors.push(e));
    collector.start();
    await new Promise((r) => setTimeout(r, 4200));
    await collector.stop();
    expect(errors).toEqual([]);
    expect(samples.length).toBeGreaterThanOrEqual(4);

    const last = samples[samples.length - 1]!;
    const recvVideo = last.streams.find((s) => s.direction === 'in' && s.kind === 'video')!;
    const sendVideo = last.streams.find((s) => s.direction === 'out' && s.kind === 'video')!;
    const recvAudio = last.streams.find((s) => s.direction === 'in' && s.kind === 'audio')!;
    expect(recvVideo.values.video_recv_fps).toBeGreaterThan(10);
    expect(recvVideo.values.video_recv_bitrate_kbps).toBeGreaterThan(0);
    expect(recvVideo.values.video_recv_width_px).toBe(640);
    expect(recvVideo.values.recv_loss_percent).toBe(0);
    expect(recvAudio.values.audio_recv_bitrate_kbps).toBeGreaterThan(0);
    expect(sendVideo.values.video_send_bitrate_kbps).toBeGreaterThan(0);
    expect(sendVideo.values.video_send_fps).toBeGreaterThan(10);
    expect(last.values.send_bitrate_kbps).toBeGreaterThan(0);
    expect(last.values.recv_bitrate_kbps).toBeGreaterThan(0);
    expect(last.values.rtt_ms).toBeTypeOf('number');
    expect(last.values.connected).toBe(1);
    expect(last.values.peer_connections).toBe(2);
    expect(last.pairs).toHaveLength(2);
    for (const pair of last.pairs!) expect(pair).toMatchObject({ localType: 'host', remoteType: 'host', protocol: 'udp' });

    // Once-only events, in the first sample (the call connected before collection began).
    const firstFrames = samples.flatMap((s) => s.streams.map((x) => x.values.join_to_first_frame_ms)).filter((x) => x !== undefined);
    expect(firstFrames).toHaveLength(1);
    expect(firstFrames[0]).toBeGreaterThan(0);
    expect(firstFrames[0]).toBeLessThan(15_000);
    expect(samples.filter((s) => s.values.time_to_connected_ms !== undefined)).toHaveLength(1);
    expect(samples[0]!.events?.some((e) => e.type === 'connection' && e.state === 'connected')).toBe(true);

    const store = new SeriesStore();
    for (const s of samples) store.ingest(samplePoints(s));
    const fps = store.aggregate('video_recv_fps', { participant: 'caller[0]', direction: 'in' })!;
    expect(fps.count).toBe(samples.length - 1);
    expect(fps.p50).toBeGreaterThan(10);
  });

  it('leaves the page unaffected', async () => {
    expect(await pageResult()).toEqual({
      errors: [],
      started: true,
      connectedSeen: true,
      instanceOf: true,
      certificateOk: true,
      prototypePatchOk: true,
      videoPlaying: true,
    });
    const checks = await page.evaluate(() => {
      const pcs = (window as unknown as { pcs: RTCPeerConnection[] }).pcs;
      return {
        name: RTCPeerConnection.name,
        constructor: pcs[0]!.constructor === RTCPeerConnection,
        proto: Object.getPrototypeOf(pcs[0]) === RTCPeerConnection.prototype,
        instanceOf: pcs.every((pc) => pc instanceof RTCPeerConnection),
        generateCertificate: typeof RTCPeerConnection.generateCertificate,
      };
    });
    expect(checks).toEqual({ name: 'RTCPeerConnection', constructor: true, proto: true, instanceOf: true, generateCertificate: 'function' });
  });

  it('reports the final stats of closed connections once, then forgets them', async () => {
    const bridge = new AgentBridge(page);
    const collect = async () => (await bridge.collect())!;
    await page.evaluate(() => (window as unknown as { hangUp: () => void }).hangUp());
    const final = await collect();
    expect(final.pcs).toHaveLength(2);
    for (const pc of final.pcs) {
      expect(pc.closedMs).toBeTypeOf('number');
      expect(pc.connectionState).toBe('closed');
    }
    const receiver = final.pcs.find((pc) => pc.inbound.length > 0);
    expect(receiver?.inbound.find((s) => s.kind === 'video')?.framesDecoded).toBeGreaterThan(30);
    expect(final.events.filter((e) => e.state === 'closed')).toHaveLength(2);
    expect((await collect()).pcs).toEqual([]);
  });

  it('rewrites remote candidates and TURN URLs when rules are set', async () => {
    const result = await page.evaluate(async () => {
      const agent = window.__rtcHarnessAgent!;
      agent.setCandidateRewrite({ '192.0.2.77:9': '127.0.0.1:10', '192.0.2.78:3478': '127.0.0.2:3479' });
      try {
        const config = new RTCPeerConnection({
          iceServers: [{ urls: 'turn:192.0.2.78:3478?transport=udp', username: 'u', credential: 'c' }],
        });
        const urls = config.getConfiguration().iceServers?.[0]?.urls;
        config.close();
        const a = new RTCPeerConnection();
        const b = new RTCPeerConnection();
        a.addTransceiver('audio');
        const offer = await a.createOffer();
        const sdp = offer.sdp!.replace(/(a=mid:0\r\n)/, '$1a=candidate:1 1 udp 2122260223 192.0.2.77 9 typ host\r\n');
        await b.setRemoteDescription({ type: 'offer', sdp });
        await b.addIceCandidate({ candidate: 'candidate:2 1 udp 2122260222 192.0.2.77 9 typ host', sdpMid: '0' });
        // Chromium adds trickled candidates to the remote description, so both paths show there.
        const remote = b.remoteDescription!.sdp;
        const candidates = remote.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
        a.close();
        b.close();
        return { urls, sdpHasOriginal: remote.includes('192.0.2.77'), candidates };
      } finally {
        agent.setCandidateRewrite(null);
      }
    });
    expect(result.urls).toEqual(['turn:127.0.0.2:3479?transport=udp']);
    expect(result.sdpHasOriginal).toBe(false);
    expect(result.candidates).toEqual([
      expect.stringMatching(/^a=candidate:1 1 udp 2122260223 127\.0\.0\.1 10 typ host/),
      expect.stringMatching(/^a=candidate:2 1 udp 2122260222 127\.0\.0\.1 10 typ host/),
    ]);
  });
});
