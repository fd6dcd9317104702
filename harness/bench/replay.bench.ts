// How much a sender that replays pre-encoded frames would save against one that encodes, before
// the harness has such a sender (issue: participants per machine). One Chromium page holds a pair,
// a sender and its receiver on loopback, so its CPU is one pairs participant's (one stream sent,
// one received), without audio. Four configurations, each in a fresh browser launched as the
// harness launches them (headless shell, the clip as its fake camera):
//
//   encode  - the camera (the clip) encoded by the browser, VP8, as every participant does today
//   replay  - the clip's first CLIP_SECONDS encoded once with WebCodecs at the same bitrate, then
//             put on the wire by an RTCRtpScriptTransform on the sender in place of what the
//             browser's encoder made of a 32x18 stand-in: on the encoder's key frames (and at the
//             end of the loop) the clip's key frame, else its next delta frame, so the receiver
//             always gets a chain it can decode
//   x render / no render - the receiver plays the track in a <video> or only decodes it
//
// A second table adds audio both ways to the pairs with rendering (a pairs participant of the
// harness sends audio too): the fake microphone, Opus, played by an <audio> element, captured as
// the reference page does (getUserMedia's default echo cancellation, noise suppression and gain
// control), and for the replay pair once more with those three off, to show how much of the audio
// path's cost is processing. These pairs have no SFU, no signaling and no stats collection: they
// are the floor under what a harness participant can cost in this browser on this machine.
//
//   npm run bench:replay            (REPLAY_SECONDS=15 measured after REPLAY_WARMUP_SECONDS=8)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ensureClip } from '../src/participants/clip.ts';
import { launchChromium } from '../src/participants/chromium.ts';
import { readTree, CLOCK_TICKS_PER_SECOND } from './proc-tree.ts';

const MEASURE_S = Number(process.env.REPLAY_SECONDS ?? 15);
const WARMUP_S = Number(process.env.REPLAY_WARMUP_SECONDS ?? 8);
/** What libwebrtc sends at most at 640x360: the pre-encoded clip gets the same. */
const BITRATE_BPS = 1_700_000;

const PAGE = `<!doctype html><html><body><script>
async function preEncode(track, frames) {
  const chunks = [];
  const enc = new VideoEncoder({ output: (c) => { const b = new ArrayBuffer(c.byteLength); c.copyTo(b); chunks.push({ type: c.type, data: b }); }, error: (e) => { throw e; } });
  enc.configure({ codec: 'vp8', width: 640, height: 360, bitrate: ${BITRATE_BPS}, framerate: 30, latencyMode: 'realtime' });
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  for (let i = 0; i < frames; i++) { const { value } = await reader.read(); enc.encode(value, { keyFrame: i === 0 }); value.close(); }
  await enc.flush(); reader.cancel(); track.stop();
  return chunks;
}
function standIn() {
  const gen = new MediaStreamTrackGenerator({ kind: 'video' });
  const w = gen.writable.getWriter();
  const c = new OffscreenCanvas(32, 18); const g = c.getContext('2d');
  let n = 0;
  setInterval(() => { g.fillStyle = n++ % 2 ? '#333' : '#444'; g.fillRect(0, 0, 32, 18); const f = new VideoFrame(c, { timestamp: performance.now() * 1000 }); w.write(f).catch(() => f.close()); }, 1000 / 30);
  return gen;
}
const WORKER = \`
let chunks = [], pos = 0;
onmessage = (e) => { chunks = e.data; };
onrtctransform = (e) => {
  const t = e.transformer;
  t.readable.pipeThrough(new TransformStream({ transform(frame, ctl) {
    if (chunks.length) {
      const i = frame.type === 'key' || pos >= chunks.length ? 0 : pos;
      pos = i + 1;
      frame.data = chunks[i].data.slice(0);
    }
    ctl.enqueue(frame);
  }})).pipeTo(t.writable);
};\`;
window.start = async (mode, render, audio) => {
  const pc1 = new RTCPeerConnection(), pc2 = new RTCPeerConnection();
  pc1.onicecandidate = (e) => e.candidate && pc2.addIceCandidate(e.candidate);
  pc2.onicecandidate = (e) => e.candidate && pc1.addIceCandidate(e.candidate);
  pc2.ontrack = (e) => {
    if (!render) return;
    const v = document.createElement(e.track.kind); v.muted = e.track.kind === 'video'; v.autoplay = true; v.srcObject = new MediaStream([e.track]); document.body.append(v);
  };
  if (audio !== 'none') {
    const raw = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
    // pc2's track, added before the offer arrives, rides the offer's audio m-line back (JSEP).
    for (const pc of [pc1, pc2]) pc.addTrack((await navigator.mediaDevices.getUserMedia({ audio: audio === 'raw' ? raw : true })).getAudioTracks()[0]);
    pc1.ontrack = pc2.ontrack;
  }
  const cam = (await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360, frameRate: 30 } })).getVideoTracks()[0];
  let sender;
  if (mode === 'encode') sender = pc1.addTrack(cam);
  else {
    const chunks = await preEncode(cam, ${30 * 5});
    sender = pc1.addTrack(standIn());
    const worker = new Worker(URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' })));
    worker.postMessage(chunks);
    sender.transform = new RTCRtpScriptTransform(worker, {});
  }
  pc1.getTransceivers().find((t) => t.sender.track?.kind !== 'audio').setCodecPreferences(RTCRtpReceiver.getCapabilities('video').codecs.filter((c) => /VP8|rtx/i.test(c.mimeType)));
  await pc1.setLocalDescription(); await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription(); await pc1.setRemoteDescription(pc2.localDescription);
  window.pcs = [pc1, pc2];
};
window.stats = async () => {
  const out = {};
  for (const [k, pc] of [['tx', pcs[0]], ['rx', pcs[1]]]) (await pc.getStats()).forEach((s) => {
    if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && s.kind === 'video') out[k] = { frames: s.framesDecoded ?? s.framesEncoded, w: s.frameWidth, h: s.frameHeight, bytes: s.bytesReceived ?? s.bytesSent, pli: s.pliCount, keys: s.keyFramesDecoded, freezes: s.freezeCount };
  });
  return out;
};
</script></body></html>`;

interface Side {
  frames: number;
  w: number;
  h: number;
  bytes: number;
  pli: number;
  keys: number;
  freezes: number;
}

type Audio = 'none' | 'processed' | 'raw';

async function measure(mode: 'encode' | 'replay', render: boolean, clip: string, audio: Audio = 'none'): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const launched = await launchChromium({ fakeVideoFile: clip });
  try {
    const page = await launched.browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.evaluate((m, r, a) => (window as unknown as { start(m: string, r: boolean, a: Audio): Promise<void> }).start(m, r, a), mode, render, audio);
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    const pid = launched.browser.process()!.pid!;
    const stats = () => page.evaluate(() => (window as unknown as { stats(): Promise<{ tx: Side; rx: Side }> }).stats());
    const [s0, c0, t0] = [await stats(), readTree(pid), Date.now()];
    await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
    const [s1, c1, t1] = [await stats(), readTree(pid), Date.now()];
    const seconds = (t1 - t0) / 1000;
    const cpu = (100 * (c1.browsers.ticks - c0.browsers.ticks)) / CLOCK_TICKS_PER_SECOND / seconds;
    const fps = (s1.rx.frames - s0.rx.frames) / seconds;
    const kbps = ((s1.rx.bytes - s0.rx.bytes) * 8) / seconds / 1000;
    return [mode, ...(audio === 'none' ? [] : [audio]), render ? 'render' : 'no render', `${cpu.toFixed(1)} %`, fps.toFixed(1), `${s1.rx.w}x${s1.rx.h}`, `${s1.tx.w}x${s1.tx.h}`, kbps.toFixed(0), s1.rx.keys, s1.rx.pli, s1.rx.freezes].join(' | ');
  } finally {
    await launched.close();
    server.close();
  }
}

const clip = ensureClip({ width: 640, height: 360, fps: 30 });
console.log(`one pair per page (a sender and its receiver on loopback), VP8 640x360@30, no audio; CPU of the browser's whole tree over ${MEASURE_S} s after ${WARMUP_S} s`);
console.log('sender | receiver | cpu (% of a core) | recv fps | received | encoder input | recv kbps | key frames decoded | PLIs | freezes');
for (const render of [true, false]) {
  for (const mode of ['encode', 'replay'] as const) console.log(await measure(mode, render, clip));
}
console.log('\nthe pairs with rendering, and audio both ways (fake microphone, Opus, played by <audio>)');
console.log('sender | microphone | receiver | cpu (% of a core) | recv fps | received | encoder input | recv kbps | key frames decoded | PLIs | freezes');
console.log(await measure('encode', true, clip, 'processed'));
for (const audio of ['processed', 'raw'] as const) console.log(await measure('replay', true, clip, audio));
