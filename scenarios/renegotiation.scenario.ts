// Adding, removing and changing tracks mid-call, and an ICE restart, each timed on the other
// side: a host and two guests in one room; the host shares its (synthetic) screen and stops,
// twice; a guest turns its camera off and on (unpublish, publish), the other mutes and unmutes
// it; the host switches to a smaller camera (the pages of one browser share Chromium's fake
// camera, which cannot hand out a size larger than it is open at), a guest re-sends its camera as
// VP9, another restarts ICE, and one leaves and comes back. Every action's effect on the others
// (first frame of the new track, the track gone, paused, resumed, resized) is in results.json's
// actions[] and in renegotiation_seconds; transceivers and m-lines per connection show whether
// they pile up. Video is small (320x180 at 15 fps) so that three participants fit a 2-core machine.
import { defineScenario } from '../harness/src/index.ts';

const video = { width: 320, height: 180, fps: 15 };

export default defineScenario({
  name: 'renegotiation',
  duration: '40s',
  seed: 11,
  participants: {
    host: { count: 1, publish: { audio: true, video } },
    guests: { count: 2, publish: { audio: true, video }, joinAt: '1s', joinSpread: '1s' },
  },
  timeline: [
    { at: '5s', do: 'screenShare', who: 'host', on: true },
    { at: '8s', do: 'screenShare', who: 'host', on: false },
    { at: '10s', do: 'screenShare', who: 'host', on: true },
    { at: '13s', do: 'screenShare', who: 'host', on: false },
    { at: '15s', do: 'unpublish', who: 'guests[0]', source: 'camera' },
    { at: '17s', do: 'publish', who: 'guests[0]', what: { video } },
    { at: '19s', do: 'mute', who: 'guests[1]', source: 'camera' },
    { at: '21s', do: 'unmute', who: 'guests[1]', source: 'camera' },
    { at: '23s', do: 'switchCamera', who: 'host', width: 160, height: 90 },
    { at: '25s', do: 'changeCodec', who: 'guests[1]', codec: 'vp9' },
    { at: '28s', do: 'iceRestart', who: 'guests[0]' },
    { at: '31s', do: 'rejoin', who: 'guests[1]', away: '1s' },
  ],
  thresholds: {
    // The others see every change within 1.5 s, and no action or effect failed.
    renegotiation_seconds: ['p(95) < 1.5', 'count >= 20'],
    remote_join_leave_seconds: ['max < 3'],
    action_failure_count_total: ['max == 0'],
    // Transceivers are reused or removed: a connection never holds more than a handful.
    pc_transceiver_count: ['max < 12'],
    rejoin_to_first_frame_ms: ['max < 3000'],
    'video_recv_fps{group:host}': ['med > 10'],
  },
});
