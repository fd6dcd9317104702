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
const count = mode === 'count' || mode === 'keyframes';
const VIEWERS = Number(process.env.VIEWERS ?? 6);

export default defineScenario({
  name: `countmode-${mode}`,
  duration: '30s',
  participants: {
    presenter: { count: 1, publish: { audio: true, video: { width: 640, height: 360, fps: 30 } } },
    viewers: { count: VIEWERS, publish: false, joinAt: '2s', joinSpread: '3s' },
  },
  timeline: count
    ? [
        {
          at: '0s',
          do: 'script',
          who: 'viewers',
          name: 'count mode',
          run: async (page) => {
            await page.evaluate((keyframes: boolean) => {
              const code = keyframes
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
            }, mode === 'keyframes');
          },
        },
      ]
    : [],
  thresholds: { 'video_send_fps{group:presenter}': ['med > 0'] },
});
