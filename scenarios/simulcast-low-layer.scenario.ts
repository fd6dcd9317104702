// A viewer asks for the lowest simulcast layer: one presenter sends three layers of a 1280x720
// camera, and at 12 s (once the SFU's bandwidth estimate has climbed to the top layer, ~8 s after
// joining) viewers[1] asks for spatial layer 0 (its preferred layers). Passes when it is on that
// layer within 3 s, decoding 320x180, while viewers[0] stays at 1280x720.
import { defineScenario } from '../harness/src/index.ts';

export default defineScenario({
  name: 'simulcast-low-layer',
  duration: '20s',
  participants: {
    presenter: { count: 1, publish: { video: { simulcast: true, width: 1280, height: 720 } } },
    viewers: { count: 2, publish: false, joinAt: '1s' },
  },
  timeline: [{ at: '12s', do: 'layers', who: 'viewers[1]', spatial: 0 }],
  thresholds: {
    'layer_request_seconds{participant:viewers[1]}': ['max < 3'],
    'video_recv_spatial_layer{participant:viewers[1]}': ['last == 0'],
    'video_recv_height_px{participant:viewers[1]}': ['last == 180'],
    'video_recv_height_px{participant:viewers[0]}': ['last == 720'],
  },
});
