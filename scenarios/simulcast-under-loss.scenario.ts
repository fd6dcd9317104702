// A presenter sends simulcast to four viewers on LTE; one viewer's downlink degrades at 20 s and
// recovers at 40 s. Passes when viewers keep a usable frame rate, the degraded one switches
// layers within 5 s and is never left without video, and no viewer's video is frozen for 10 s in
// all. Shows the package import, profiles, a timeline, per-group thresholds and abortOnFail.
//
// The freeze bound is what a sudden drop costs, measured with Chromium 156 on the bundled SFU:
// from ~1.1 Mbps on layer 2 to 300 kbps with 3% loss, the degraded viewer's video froze for
// 1.9-6.1 s in all while the SFU's estimate fell and it switched down twice (2 -> 1 -> 0), each
// switch waiting for a key frame through the lossy link; a viewer on LTE froze for up to 3.1 s.
// A viewer the SFU failed to switch down would stay frozen for most of the 20 s.
import { defineScenario, profiles } from 'rtc-harness';

export default defineScenario({
  name: 'simulcast-under-loss',
  duration: '60s',
  participants: {
    presenter: { count: 1, publish: { audio: true, video: { simulcast: true, width: 1280 } }, network: profiles.wifi },
    viewers: { count: 4, publish: false, network: 'lte', joinAt: '2s', joinSpread: '4s' },
  },
  timeline: [
    { at: '20s', do: 'network', who: 'viewers[0]', set: { down: { rateKbps: 300, lossPct: 3 } } },
    { at: '40s', do: 'network', who: 'viewers[0]', set: 'lte' },
  ],
  thresholds: {
    'video_recv_fps{group:viewers}': ['med > 20'],
    // Stops the run once the degraded viewer has had no usable video for most of it.
    'video_recv_fps{participant:viewers[0]}': [{ threshold: 'med > 5', abortOnFail: true, delayAbortEval: '10s' }],
    'layer_downswitch_seconds{participant:viewers[0]}': ['max < 5'],
    'video_recv_spatial_layer{participant:viewers[0]}': ['min >= 0'],
    video_freeze_seconds_total: ['max < 10'],
  },
});
