// The smallest real call: three participants, each sending camera and microphone and receiving
// the other two, for 20 seconds on the bundled SFU. `npm start` runs it.
import { defineScenario } from '../harness/src/index.ts';

export default defineScenario({
  name: 'smoke',
  duration: '20s',
  participants: {
    // Joining 1 s apart keeps the start gentle on a small machine.
    callers: { count: 3, joinSpread: '3s' },
  },
  thresholds: {
    // Join -> first decoded frame of each remote video.
    join_to_first_frame_ms: ['p(95) < 5000'],
    // The median, as each stream's first second (while the decoder ramps up) reads low.
    video_recv_fps: ['med > 15'],
    // Chromium's fake camera at 640x360 encodes at ~270 kbps.
    video_recv_bitrate_kbps: ['avg > 100'],
    video_freeze_seconds_total: ['max < 1'],
  },
});
