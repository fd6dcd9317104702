// A presenter sends simulcast to four viewers on LTE; one viewer's downlink degrades at 20 s and
// recovers at 40 s. Passes when viewers keep a usable frame rate and the degraded one switches
// layers within 5 s. Shows the package import, profiles, a timeline and per-group thresholds.
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
    'video_recv_fps{participant:viewers[0]}': [{ threshold: 'p(10) > 5', abortOnFail: true, delayAbortEval: '10s' }],
    video_freeze_seconds_total: ['max < 2'],
  },
});
