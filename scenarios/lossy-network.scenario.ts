// Two callers, one on good Wi-Fi and one whose network goes bad mid-call: at 10 s its downlink
// loses 5% of packets and its uplink drops to 400 kbps; at 20 s it goes dark for 3 s; at 25 s it
// is back on LTE. Passes when the call survives: media keeps flowing to the good caller, audio
// concealment stays bounded, nobody freezes for long, and no gap in received media outlasts the
// outage (media_interruption_seconds). Results carry the links' ground truth
// (link_*_loss_percent, link_*_queue_delay_ms) beside what the browsers measured.
import { defineScenario } from '../harness/src/index.ts';

export default defineScenario({
  name: 'lossy-network',
  duration: '35s',
  seed: 42,
  participants: {
    good: { count: 1, network: 'wifi' },
    roaming: { count: 1, network: 'lte', joinAt: '1s' },
  },
  timeline: [
    { at: '10s', do: 'network', who: 'roaming', set: { down: { lossPct: 5 }, up: { rateKbps: 400 } } },
    { at: '20s', do: 'network', who: 'roaming', set: { outageMs: 3000 } },
    { at: '25s', do: 'network', who: 'roaming', set: 'lte' },
  ],
  thresholds: {
    // The good caller keeps receiving video through the bad spell (the outage lowers the median little).
    'video_recv_fps{group:good}': ['med > 10'],
    // The roaming caller's encoder obeys the 400 kbps uplink cap.
    'video_send_bitrate_kbps{group:roaming}': ['p(50) < 1500'],
    'join_to_first_frame_ms': ['p(95) < 5000'],
    // Freezes of the good caller's incoming video: the 3 s outage itself, plus the wait for a key
    // frame after it and any freeze from the lossy spell (3.2–6.2 s in total over three runs here).
    'video_freeze_seconds_total{group:good}': ['max < 8'],
    // The 3 s outage is the only gap in what either caller receives, and media resumes after it.
    media_interruption_seconds: ['max < 4'],
  },
});
