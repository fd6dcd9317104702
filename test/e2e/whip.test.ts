// WHIP and WHEP on the real SFU: a real mediasoup worker and real Chromium pages. A page with no
// call script publishes over WHIP (the page makes the offer, Node POSTs it, the page takes the
// answer) and a call page in the same room decodes its video; a three-rid WHIP publisher reaches
// the SFU as three streams; a WHEP page decodes a call page's video; DELETE makes either leave as
// a page that hangs up; bad requests get a one-line 4xx; a token secret guards POST and DELETE.
//
// The WHIP/WHEP pages open /healthz of the SFU: any page on http://127.0.0.1 is a secure
// context, so getUserMedia gives Chromium's fake camera and microphone (about:blank is not).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../../harness/src/participants/chromium.ts';
import { buildClient } from '../../scripts/build-client.mjs';
import type { CallState, StatsEntry } from '../../sfu/client/src/api.ts';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { createRoomToken } from '../../sfu/src/tokens.ts';
import { waitFor } from '../support/wait.ts';

const WORKER_BIN = join(import.meta.dirname, '../../node_modules/mediasoup/worker/out/Release/mediasoup-worker');
// A real Chromium offer (see sfu/src/whip/sdp.test.ts), for requests that need no browser.
const FIXTURE_OFFER = readFileSync(join(import.meta.dirname, '../../sfu/src/whip/fixtures/chromium-publish.sdp'), 'utf8');

interface Inbound {
  bytesReceived: number;
  framesDecoded: number;
}

describe('WHIP and WHEP on the real SFU', () => {
  let sfu: Sfu | undefined;
  let chromium: LaunchedChromium | undefined;
  let clientDir: string | undefined;
  let bob: Page;
  let whipLocation = '';
  let whipPeerId = '';

  beforeAll(async () => {
    // The worker binary is built by `npm run setup`, possibly still running: wait for it.
    await waitFor(async () => existsSync(WORKER_BIN), 10 * 60_000, `${WORKER_BIN} (run npm run setup)`, 2_000);
    clientDir = mkdtempSync(join(tmpdir(), 'rtc-harness-client-'));
    await buildClient({ outDir: clientDir });
    sfu = await startSfu({ numWorkers: 1, clientDir, logLevel: 'warn' });
    chromium = await launchChromium();
  }, 11 * 60_000);

  afterAll(async () => {
    await chromium?.close();
    await sfu?.close();
    if (clientDir) rmSync(clientDir, { recursive: true, force: true });
  });

  it("a WHIP publisher's audio and video reach a call page in the same room", async () => {
    bob = await openCallPage();
    await bob.evaluate(() => window.rtcHarness!.join({ room: 'whip-room', name: 'Bob' }));
    const alice = await openBlankPage();
    const offer = await makeOffer(alice, 'publish');
    const res = await fetch(`${sfu!.url}/whip/whip-room?name=Alice`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
    const answer = await res.text();
    expect(res.status, answer).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/sdp');
    whipLocation = res.headers.get('location') ?? '';
    expect(whipLocation).toMatch(/^\/whip\/whip-room\/[0-9a-f-]{36}$/);
    expect(answer).toContain('a=ice-lite');
    await setAnswer(alice, answer);
    await waitFor(() => alice.evaluate(() => window.__whip!.pc.connectionState === 'connected'), 15_000, 'the WHIP page to connect');

    // Bob sees Alice join under her ?name=, with one audio and one video consumer.
    const peer = await waitFor(async () => (await state(bob)).peers.find((p) => p.displayName === 'Alice'), 10_000, 'Alice in Bob\'s roster');
    whipPeerId = peer.peerId;
    await waitFor(async () => (await state(bob)).consumers.filter((c) => c.producerPeerId === whipPeerId).length === 2, 10_000, 'two consumers of Alice');
    expect((await state(bob)).consumers.filter((c) => c.producerPeerId === whipPeerId).map((c) => `${c.kind}:${c.source}`).sort()).toEqual(['audio:mic', 'video:camera']);
    const flowing = await waitFor(async () => {
      const m = await callPageInbound(bob);
      return (m.get('video')?.framesDecoded ?? 0) > 0 && (m.get('audio')?.bytesReceived ?? 0) > 0 ? m : undefined;
    }, 15_000, "Bob to decode Alice's video and receive her audio");
    console.log(`Bob: ${flowing.get('video')!.framesDecoded} frames of the WHIP publisher decoded`);
    expect(sfu!.stats()).toMatchObject({ rooms: 1, peers: 2, producers: 2 });
  });

  it("a WHEP viewer decodes a call page's video and audio", async () => {
    const carol = await openCallPage();
    await carol.evaluate(async () => {
      await window.rtcHarness!.join({ room: 'whep-room', name: 'Carol' });
      await window.rtcHarness!.publish({ audio: true, video: { width: 320, height: 180 } });
    });
    const viewer = await openBlankPage();
    const offer = await makeOffer(viewer, 'view');
    const res = await fetch(`${sfu!.url}/whep/whep-room`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
    const answer = await res.text();
    expect(res.status, answer).toBe(201);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/whep\/whep-room\/[0-9a-f-]{36}$/);
    await setAnswer(viewer, answer);
    const frames = await waitFor(async () => {
      const m = await pageInbound(viewer);
      return (m.get('video')?.framesDecoded ?? 0) > 0 && (m.get('audio')?.bytesReceived ?? 0) > 0 ? m.get('video')!.framesDecoded : undefined;
    }, 15_000, "the WHEP page to decode Carol's video and receive her audio");
    console.log(`WHEP viewer: ${frames} frames of the call page decoded`);
    // The viewer is a peer of the room: Carol sees it, and it leaves on DELETE.
    await waitFor(async () => (await state(carol)).peers.some((p) => p.displayName.startsWith('whep-')), 5_000, 'the viewer in Carol\'s roster');
    const del = await fetch(`${sfu!.url}${location}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await waitFor(async () => (await state(carol)).peers.length === 0, 5_000, 'the viewer gone from Carol\'s roster');
    await carol.evaluate(() => window.rtcHarness!.leave());
    await Promise.all([carol.close(), viewer.close()]);
  });

  it('DELETE makes the WHIP publisher leave as a page that hangs up', async () => {
    const peersBefore = sfu!.stats().peers;
    const res = await fetch(`${sfu!.url}${whipLocation}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(sfu!.stats().peers).toBe(peersBefore - 1);
    await waitFor(async () => !(await state(bob)).peers.some((p) => p.peerId === whipPeerId), 5_000, 'Alice gone from Bob\'s roster');
    const events = await bob.evaluate(() => window.rtcHarness!.events);
    expect(events.filter((e) => e.type === 'peerLeft' && e.peerId === whipPeerId)).toHaveLength(1);
    await waitFor(async () => (await state(bob)).consumers.length === 0, 5_000, "Bob's consumers of Alice removed");
    expect((await fetch(`${sfu!.url}${whipLocation}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('a simulcast WHIP publisher (three rids) sends the SFU three streams, and a call page gets a simulcast consumer', async () => {
    const page = await openBlankPage();
    const offer = await makeOffer(page, 'simulcast');
    const res = await fetch(`${sfu!.url}/whip/whip-room?name=Dan`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offer });
    const answer = await res.text();
    expect(res.status, answer).toBe(201);
    expect(answer).toContain('a=simulcast:recv q;h;f');
    await setAnswer(page, answer);
    // Bob (still in the room) consumes Dan's camera: its producer id names the producer on the SFU.
    const dan = await waitFor(async () => (await state(bob)).peers.find((p) => p.displayName === 'Dan'), 10_000, 'Dan in Bob\'s roster');
    const consumer = await waitFor(
      async () => (await bob.evaluate(() => window.rtcHarness!.getConsumerState())).find((c) => c.producerPeerId === dan.peerId && c.kind === 'video'),
      10_000,
      "Bob's consumer of Dan's camera",
    );
    expect(consumer.type).toBe('simulcast');
    const rids = await waitFor(async () => {
      const stats = await sfu!.getProducerStats(consumer.producerId);
      const flowing = stats.filter((s) => s.type === 'inbound-rtp' && Number(s.byteCount) > 0).map((s) => String(s.rid)).sort();
      return flowing.length === 3 ? flowing : undefined;
    }, 15_000, 'three simulcast streams with bytes on the SFU');
    expect(rids).toEqual(['f', 'h', 'q']);
    expect((await fetch(`${sfu!.url}${res.headers.get('location')}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor(async () => (await state(bob)).peers.length === 0, 5_000, 'Dan gone from Bob\'s roster');
    await page.close();
  });

  it('answers bad requests with a one-line 4xx and leaves no peer behind', async () => {
    const base = sfu!.url;
    const peersBefore = sfu!.stats().peers;
    const post = (path: string, body: string, contentType = 'application/sdp') =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': contentType }, body }).then(async (r) => [r.status, (await r.text()).trim()] as const);

    expect(await post('/whip/bad', 'hello')).toEqual([400, 'the body is not an SDP offer (it does not start with v=0)']);
    expect(await post('/whip/bad', FIXTURE_OFFER, 'text/plain')).toEqual([415, "Content-Type must be application/sdp, got 'text/plain'"]);
    expect(await post('/whip/bad', `v=0\r\n${'a=x\r\n'.repeat(20_000)}`)).toEqual([413, 'the offer is larger than 65536 bytes']);
    expect(await post('/whip/bad', FIXTURE_OFFER.replace(/a=fingerprint:.*\r\n/g, ''))).toEqual([400, "the offer has no a=fingerprint; DTLS needs the offerer's certificate fingerprint"]);
    const pcmuOnly = FIXTURE_OFFER.replace(/^m=audio (\d+) UDP\/TLS\/RTP\/SAVPF .*$/m, 'm=audio $1 UDP/TLS/RTP/SAVPF 0').replace(/^m=video[\s\S]*/m, '').replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0');
    expect(await post('/whip/bad', pcmuOnly)).toEqual([400, 'm-line 0 (audio, mid 0) offers no codec this SFU takes (offered: audio/PCMU; taken: audio/opus)']);
    expect(await post('/whep/empty-room', FIXTURE_OFFER.replace(/a=sendonly/g, 'a=recvonly'))).toEqual([409, "nobody publishes in room 'empty-room'; publish there first (WHIP or the call page), then view"]);
    expect(await post('/whip/a%20b', FIXTURE_OFFER)).toEqual([400, 'room id must not contain whitespace or control characters']);
    const patch = await fetch(`${base}/whip/bad/some-id`, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag' }, body: 'a=end-of-candidates' });
    expect(patch.status).toBe(405);
    expect(await patch.text()).toMatch(/^trickle ICE and ICE restarts are not supported/);
    const options = await fetch(`${base}/whip/bad`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('accept-post')).toBe('application/sdp');
    expect((await fetch(`${base}/whip/bad`)).status).toBe(405);
    expect(sfu!.stats().peers).toBe(peersBefore);
    // The SFU still serves after all of it.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('with a token secret, POST and DELETE need a bearer room token', async () => {
    const secret = 'whip-token-secret';
    const guarded = await startSfu({ numWorkers: 1, clientDir: clientDir!, logLevel: 'warn', tokenSecret: secret });
    try {
      const post = (token?: string) =>
        fetch(`${guarded.url}/whip/guarded`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/sdp', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          body: FIXTURE_OFFER,
        });
      const none = await post();
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(await none.text()).toMatch(/needs Authorization: Bearer <room token>/);
      const otherRoom = await post(createRoomToken(secret, { roomId: 'elsewhere' }));
      expect([otherRoom.status, await otherRoom.text()]).toEqual([401, 'bearer token: token is for another room\n']);
      // A token bound to a peer id makes it the publisher's peer id. (Nothing connects: only the exchange is checked.)
      const token = createRoomToken(secret, { roomId: 'guarded', peerId: 'obs-1' });
      const ok = await post(token);
      expect(ok.status, await ok.clone().text()).toBe(201);
      expect(guarded.stats()).toMatchObject({ peers: 1, producers: 2 });
      const location = ok.headers.get('location')!;
      expect((await fetch(`${guarded.url}${location}`, { method: 'DELETE' })).status).toBe(401);
      expect((await fetch(`${guarded.url}${location}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(guarded.stats().peers).toBe(0);
    } finally {
      await guarded.close();
    }
  });

  async function openCallPage(): Promise<Page> {
    const page = await chromium!.browser.newPage();
    page.on('pageerror', (err) => console.error(`page error: ${String(err)}`));
    await page.goto(`${sfu!.url}/`);
    await page.waitForSelector('html[data-state]');
    return page;
  }

  async function openBlankPage(): Promise<Page> {
    const page = await chromium!.browser.newPage();
    await page.goto(`${sfu!.url}/healthz`);
    return page;
  }
});

declare global {
  interface Window {
    __whip?: { pc: RTCPeerConnection };
  }
}

/** The page's offer, once its ICE candidates are gathered (at most 2 s): sendonly camera + mic, a sendonly three-rid camera, or recvonly audio + video. */
function makeOffer(page: Page, what: 'publish' | 'simulcast' | 'view'): Promise<string> {
  return page.evaluate(async (mode) => {
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    window.__whip = { pc };
    if (mode === 'publish') {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 180 } });
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    } else if (mode === 'simulcast') {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 } });
      pc.addTransceiver(stream.getVideoTracks()[0]!, {
        direction: 'sendonly',
        streams: [stream],
        sendEncodings: [
          { rid: 'q', scaleResolutionDownBy: 4 },
          { rid: 'h', scaleResolutionDownBy: 2 },
          { rid: 'f', scaleResolutionDownBy: 1 },
        ],
      });
    } else {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 2_000);
    });
    return pc.localDescription!.sdp;
  }, what);
}

function setAnswer(page: Page, sdp: string): Promise<void> {
  return page.evaluate((answer) => window.__whip!.pc.setRemoteDescription({ type: 'answer', sdp: answer }), sdp);
}

function state(page: Page): Promise<CallState> {
  return page.evaluate(() => window.rtcHarness!.state());
}

/** The call page's inbound-rtp streams by kind, from its recv transport. */
async function callPageInbound(page: Page): Promise<Map<string, Inbound>> {
  const { recv } = await page.evaluate(() => window.rtcHarness!.getStats());
  return byKind(recv);
}

/** A WHEP page's inbound-rtp streams by kind. */
async function pageInbound(page: Page): Promise<Map<string, Inbound>> {
  const stats = await page.evaluate(async () => [...(await window.__whip!.pc.getStats()).values()].map((s) => ({ ...s })));
  return byKind(stats as StatsEntry[]);
}

function byKind(stats: StatsEntry[]): Map<string, Inbound> {
  const out = new Map<string, Inbound>();
  for (const s of stats.filter((e) => e.type === 'inbound-rtp')) {
    out.set(String(s.kind), { bytesReceived: Number(s.bytesReceived ?? 0), framesDecoded: Number(s.framesDecoded ?? 0) });
  }
  return out;
}
