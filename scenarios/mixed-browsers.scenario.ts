// Chromium and Firefox in one room, as real calls mix browsers: a publisher of each sends audio and
// three-layer simulcast from a 640x360 camera, a viewer of each sends audio and a small camera
// (so that every participant has something every other must receive). Interop shows here: codec
// negotiation between the two, simulcast from Firefox through the bundled SFU, stats that differ.
//
// The viewers ask the SFU for each spatial layer in turn (0, then 1, then 2): each one decoding the
// Firefox publisher at 90, 180 and then 360 px is the proof that all three of its layers reach the
// SFU. results.json and the reports give the figures per browser; metrics Firefox's stats cannot
// give (the encoder's target bitrate, quality limitation, the bandwidth estimate) are "not
// available" for its participants, and the thresholds on them say so.
import { defineScenario } from '../harness/src/index.ts';

const simulcast = {
  audio: true,
  // 640x360 rather than 1280x720: two publishers of the larger size saturate a 2-core machine.
  video: { simulcast: true, width: 640, height: 360 },
} as const;
// A thumbnail camera: cheap to encode on a small load generator.
const thumbnail = { audio: true, video: { width: 320, height: 180, fps: 15 } } as const;

export default defineScenario({
  name: 'mixed-browsers',
  duration: '30s',
  participants: {
    chromiumPublisher: { count: 1, browser: 'chromium', publish: simulcast },
    firefoxPublisher: { count: 1, browser: 'firefox', publish: simulcast },
    chromiumViewer: { count: 1, browser: 'chromium', publish: thumbnail, joinAt: '1s' },
    firefoxViewer: { count: 1, browser: 'firefox', publish: thumbnail, joinAt: '1s' },
  },
  timeline: [
    { at: '12s', do: 'layers', who: 'chromiumViewer', spatial: 0 },
    { at: '12s', do: 'layers', who: 'firefoxViewer', spatial: 0 },
    { at: '18s', do: 'layers', who: 'chromiumViewer', spatial: 1 },
    { at: '18s', do: 'layers', who: 'firefoxViewer', spatial: 1 },
    { at: '24s', do: 'layers', who: 'chromiumViewer', spatial: 2 },
    { at: '24s', do: 'layers', who: 'firefoxViewer', spatial: 2 },
  ],
  thresholds: {
    'join_to_first_frame_ms{browser:chromium}': ['p(95) < 5000'],
    'join_to_first_frame_ms{browser:firefox}': ['p(95) < 5000'],
    // The median, as each stream's first second and every layer switch read low. Firefox's
    // headless fake camera tops out near 18 fps.
    'video_recv_fps{browser:chromium}': ['med > 10'],
    'video_recv_fps{browser:firefox}': ['med > 10'],
    'recv_loss_percent': ['p(95) < 5'],
    // Chromium participants only: Firefox's stats have no bandwidth estimate, which the result says.
    available_outgoing_bitrate_kbps: ['p(5) > 100'],
  },
});
