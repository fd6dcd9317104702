// Measures receiving without decoding (issue: more participants per machine): viewers whose video
// receivers get an RTCRtpScriptTransform that counts the frames and drops them, so that nothing
// reaches the decoder, against viewers that decode. One presenter (640x360@30), VIEWERS viewers.
//
//   MODE=decode node harness/bin/rtc-harness.mjs run harness/bench/count-mode.scenario.ts --out /tmp/cm-decode
//   MODE=count  node harness/bin/rtc-harness.mjs run harness/bench/count-mode.scenario.ts --out /tmp/cm-count
//
// Then compare the machine's CPU (loadGenerator.avgCpuPercent) and the PLIs: the viewers'
// video_recv_plis_per_second and the presenter's video_send_plis_per_second (keyframes it was
// asked for). Measured on this 2-core machine, 6 viewers, Chromium 156: machine CPU 50% decoding
// against 38% counting, but the presenter was asked for 1.6 keyframes a second (0.2 decoding) and
// each counting viewer sent up to 5.6 PLIs a second: a decoder that gets no frames asks for a
// keyframe again and again. Dropping every frame is not yet a count mode.
import { defineScenario } from '../src/index.ts';

const count = process.env.MODE === 'count';
const VIEWERS = Number(process.env.VIEWERS ?? 6);

export default defineScenario({
  name: `countmode-${count ? 'count' : 'decode'}`,
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
            await page.evaluate(() => {
              const code = `let frames = 0; onrtctransform = (e) => { e.transformer.readable.pipeTo(new WritableStream({ write() { frames++; } })); };`;
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
            });
          },
        },
      ]
    : [],
  thresholds: { 'video_send_fps{group:presenter}': ['med > 0'] },
});
