// Measures receiving without decoding (issue: more participants per machine): viewers whose video
// receivers get an RTCRtpScriptTransform that counts the frames and drops them, so that nothing
// reaches the decoder, against viewers that decode. One presenter (640x360@30), VIEWERS viewers.
//
//   MODE=decode node harness/bin/rtc-harness.mjs run harness/bench/count-mode.scenario.ts --out /tmp/cm-decode
//   MODE=count  node harness/bin/rtc-harness.mjs run harness/bench/count-mode.scenario.ts --out /tmp/cm-count
//
// Then compare the machine's CPU (loadGenerator.avgCpuPercent) and the PLIs: the viewers'
// video_recv_plis_per_second and the presenter's video_send_plis_per_second (keyframes it was
// asked for). Measured on this 2-core machine, 6 viewers, 30 s, Chromium 156.0.8078.114:
//
//   MODE       machine CPU avg   viewer PLIs/s avg (max)   presenter asked keyframes/s   recv kbps
//   decode     50.1 %            0    (0)                  0.21                          267
//   count      37.7 %            4.1  (5.65)               1.63                          279
//   keyframes  42.9 %            0.29 (1.24)               0.49                          274
//
// A decoder that gets no frames asks for a keyframe again and again (count); one that gets only
// key frames asks less but still twice as often as decoding viewers (keyframes). Neither is yet a
// count mode that leaves the sender alone.
import { defineScenario } from '../src/index.ts';

// 'count': every frame dropped; 'keyframes': only key frames reach the decoder.
const mode = process.env.MODE ?? 'decode';
const count = mode === 'drop' || mode === 'keyframes' || mode === 'tiny';
const bare = process.env.BARE === '1';
const VIEWERS = Number(process.env.VIEWERS ?? 6);

export default defineScenario({
  name: `countmode-${mode}`,
  duration: (process.env.DURATION ?? '30s') as `${number}s`,
  ...(process.env.PER_BROWSER ? { browser: { participantsPerBrowser: Number(process.env.PER_BROWSER) } } : {}),
  ...(process.env.STATS_INTERVAL_MS ? { stats: { intervalMs: Number(process.env.STATS_INTERVAL_MS) } } : {}),
  participants: {
    presenter: { count: 1, publish: { audio: process.env.AUDIO !== '0', video: { width: 640, height: 360, fps: 30 } } },
    viewers: { count: VIEWERS, publish: false, joinAt: '2s', joinSpread: '3s', receive: mode === 'count' ? 'count' : 'decode' },
  },
  timeline: bare
    ? [
        {
          at: '0s',
          do: 'script',
          who: 'viewers',
          name: 'no video elements',
          run: async (page) => {
            await page.evaluate((selector: string) => {
              new MutationObserver(() => document.querySelectorAll(selector).forEach((v) => v.remove())).observe(document.body, { childList: true, subtree: true });
            }, process.env.BARE_AUDIO ? 'video, audio' : 'video');
          },
        },
      ]
    : count
    ? [
        {
          at: '0s',
          do: 'script',
          who: 'viewers',
          name: 'count mode',
          run: async (page) => {
            await page.evaluate((mode: string) => {
              const tiny = `
                const tiny = {};
                function configOf(mime) {
                  const m = mime.toLowerCase();
                  if (m.endsWith('/vp8')) return { codec: 'vp8' };
                  if (m.endsWith('/vp9')) return { codec: 'vp09.00.10.08' };
                  if (m.endsWith('/av1')) return { codec: 'av01.0.04M.08' };
                  if (m.endsWith('/h264')) return { codec: 'avc1.42001f', avc: { format: 'annexb' } };
                  return null;
                }
                function makeTiny(config) {
                  return new Promise((resolve, reject) => {
                    const enc = new VideoEncoder({ output: (chunk) => { const b = new ArrayBuffer(chunk.byteLength); chunk.copyTo(b); resolve(b); }, error: reject });
                    enc.configure({ ...config, width: 16, height: 16, bitrate: 20000, framerate: 30 });
                    const vf = new VideoFrame(new Uint8Array(16 * 16 * 4), { format: 'RGBA', codedWidth: 16, codedHeight: 16, timestamp: 0 });
                    enc.encode(vf, { keyFrame: true }); vf.close(); enc.flush().then(() => enc.close());
                  });
                }
                onrtctransform = (e) => {
                  const w = e.transformer.writable.getWriter();
                  let buf = null;
                  e.transformer.readable.pipeTo(new WritableStream({ async write(f) {
                    if (!buf) { const mime = f.getMetadata().mimeType; buf = await (tiny[mime] ??= makeTiny(configOf(mime))); }
                    f.data = buf.slice(0);
                    await w.write(f);
                  } }));
                };`;
              const code = mode === 'tiny' ? tiny : mode === 'keyframes'
                ? `onrtctransform = (e) => { const w = e.transformer.writable.getWriter(); e.transformer.readable.pipeTo(new WritableStream({ write(f) { if (f.type === 'key') w.write(f); } })); };`
                : `let frames = 0; onrtctransform = (e) => { e.transformer.readable.pipeTo(new WritableStream({ write() { frames++; } })); };`;
              const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
              const worker = new Worker(url);
              const Native = window.RTCPeerConnection;
              const patched = function (this: unknown, ...args: unknown[]) {
                const pc = new (Native as any)(...args);
                pc.addEventListener('track', (ev: RTCTrackEvent) => {
                  if (ev.track.kind === 'video') (ev.receiver as any).transform = new (window as any).RTCRtpScriptTransform(worker, {});
                });
                return pc;
              } as unknown as typeof RTCPeerConnection;
              patched.prototype = Native.prototype;
              Object.setPrototypeOf(patched, Native);
              window.RTCPeerConnection = patched;
            }, mode);
          },
        },
      ]
    : [],
  thresholds: { 'video_send_fps{group:presenter}': ['med > 0'] },
});
