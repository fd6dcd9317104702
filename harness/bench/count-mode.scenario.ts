// Measures receiving without decoding (README, "Participants per machine"): one presenter
// (640x360@30) and VIEWERS viewers (default 6), in one of these modes:
//
//   MODE=decode     every viewer decodes (the default of a scenario)
//   MODE=count      the harness's count mode (receive: 'count'): frames stood in for by 16x16 key frames
//   MODE=drop       a script transform drops every frame before the decoder (what count mode is not)
//   MODE=keyframes  a script transform lets only key frames through
//
//   MODE=count node harness/bin/rtc-harness.mjs run harness/bench/count-mode.scenario.ts --out /tmp/cm-count
//
// Also: DURATION ('30s'), AUDIO=0 (presenter without audio), BARE=1 (viewers' <video> elements
// removed; BARE_AUDIO=1 the <audio> ones too), STATS_INTERVAL_MS, PER_BROWSER. Compare the
// machine's CPU (loadGenerator.avgCpuPercent), and the PLIs: the viewers'
// video_recv_plis_per_second and the presenter's video_send_plis_per_second. Measured on this
// 2-core machine, 6 viewers, 30 s:
//
//   MODE (Chromium)          machine CPU avg   viewer PLIs/s avg (max)   presenter asked keyframes/s
//   decode (156.0.8078.114)  50.1 %            0    (0)                  0.21
//   drop (156.0.8078.114)    37.7 %            4.1  (5.65)               1.63
//   keyframes (.114)         42.9 %            0.29 (1.24)               0.49
//   decode (156.0.8078.129)  39-43 %           0                         -
//   count (156.0.8078.129)   32-33 %           0                         -
//
// A decoder that gets no frames asks for a key frame again and again (drop); one that gets only
// key frames asks every ~3 s (keyframes). Count mode feeds it every frame, as stand-ins.
import { defineScenario } from '../src/index.ts';

// 'count': every frame dropped; 'keyframes': only key frames reach the decoder.
const mode = process.env.MODE ?? 'decode';
const count = mode === 'drop' || mode === 'keyframes';
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
              const code = mode === 'keyframes'
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
