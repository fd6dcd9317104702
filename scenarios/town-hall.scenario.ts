// A town hall: one presenter sends simulcast video and audio to a big audience. The audience
// receives in count mode (`receive: 'count'`): every frame is counted and timed, and decoded as
// a 16x16 stand-in, so one machine carries many more of them. Two stage viewers decode as real
// participants do, so the run still measures the resolution the SFU sends. Passes when everyone
// gets the presenter's video at full frame rate without long freezes, and the audience does not
// make the presenter send key frames again and again.
//
// 12 viewers by default, so that every scenario stays quick in CI. On this 2-core machine the
// audience can grow to 30 (`--set audience.count=30`: 1 presenter and 32 viewers used 146% of a
// core of 200, received 30 fps p50; see README "Participants per machine").
import { defineScenario } from '../harness/src/index.ts';

export default defineScenario({
  name: 'town-hall',
  duration: '40s',
  participants: {
    presenter: {
      count: 1,
      publish: { audio: true, video: { simulcast: true, width: 640, height: 360, fps: 30 } },
    },
    // Viewers join after the presenter, so the SFU has layers to offer them at once.
    stage: { count: 2, publish: false, joinAt: '1s' },
    audience: { count: 12, publish: false, joinAt: '2s', joinSpread: '6s', receive: 'count' },
  },
  thresholds: {
    // Full frame rate for everyone; the audience's is counted, the stage's decoded.
    'video_recv_fps{group:audience}': ['p(50) >= 29'],
    'video_recv_fps{group:stage}': ['p(50) >= 29'],
    // The stage decodes the top layer (640x360), which count mode cannot tell.
    'video_recv_width_px{group:stage}': ['last == 640'],
    'video_freeze_max_ms': ['max < 1000'],
    // Count-mode viewers ask for no more key frames than decoding ones: the presenter's encoder
    // is asked for one now and then (joins), not several a second.
    'video_send_plis_per_second{group:presenter}': ['avg < 0.5'],
  },
});
