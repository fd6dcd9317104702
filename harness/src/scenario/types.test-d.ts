// Compile-time checks of the scenario types, run by `tsc --noEmit -p .` (not by vitest): each
// `@ts-expect-error` line must really be an error, or tsc fails ("unused directive").
import { defineScenario } from './define.ts';

// A correct scenario compiles.
defineScenario({
  name: 'ok',
  duration: '1m30s',
  participants: {
    presenter: { count: 1, publish: { audio: true, video: { simulcast: true } } },
    viewers: { count: 4, network: 'lte', joinSpread: '5s', publish: false },
  },
  timeline: [
    { at: '20s', do: 'network', who: 'viewers[0]', set: { down: { rateKbps: 300, lossPct: 3 } } },
    { at: 30, do: 'layers', who: 'viewers', spatial: 0 },
    { at: '40s', do: 'mute', who: 'presenter', source: 'mic' },
    { at: '50s', do: 'leave', who: 'all' },
  ],
  thresholds: {
    video_recv_fps: ['med > 15'],
    'video_recv_fps{group:viewers}': ['p(5) > 20', { threshold: 'avg > 25', abortOnFail: true, delayAbortEval: '10s' }],
  },
});

defineScenario({
  duration: '30s',
  participants: { viewers: { count: 2 } },
  timeline: [
    // @ts-expect-error 'viewrs' is not a group
    { at: '10s', do: 'leave', who: 'viewrs' },
    // @ts-expect-error 'viewrs[0]' is not a participant of a group
    { at: '10s', do: 'leave', who: 'viewrs[0]' },
    // @ts-expect-error 'levae' is not an action
    { at: '10s', do: 'levae', who: 'viewers' },
    // @ts-expect-error mute needs a source
    { at: '10s', do: 'mute', who: 'viewers' },
    // @ts-expect-error 'speaker' is not a media source
    { at: '10s', do: 'mute', who: 'viewers', source: 'speaker' },
    // @ts-expect-error '10 seconds' is not a duration
    { at: '10 seconds', do: 'leave', who: 'viewers' },
    // @ts-expect-error join takes no source
    { at: '10s', do: 'join', who: 'viewers', source: 'mic' },
  ],
  thresholds: {
    // @ts-expect-error unknown metric
    video_recv_fpz: ['avg > 1'],
  },
});

// (TypeScript reports one unknown property per object literal, hence one literal per case.)
defineScenario({
  duration: '30s',
  participants: { viewers: { count: 2 } },
  thresholds: {
    // @ts-expect-error unknown metric in a filtered selector
    'video_recv_fpz{group:viewers}': ['avg > 1'],
  },
});

defineScenario({
  duration: '30s',
  participants: {
    // @ts-expect-error typo in a group field
    viewers: { cont: 2 },
  },
});

defineScenario({
  duration: '30s',
  participants: {
    // @ts-expect-error unknown network profile
    viewers: { count: 2, network: 'lte5g' },
  },
});

defineScenario({
  duration: '30s',
  // @ts-expect-error typo in a top-level field
  partcipants: { viewers: { count: 2 } },
});

defineScenario({
  duration: '30s',
  // @ts-expect-error bundled SFU and a URL exclude each other
  target: { sfu: 'bundled', url: 'https://example.com/{room}' },
  participants: { viewers: { count: 2 } },
});

// Renegotiation and churn actions.
defineScenario({
  duration: '60s',
  target: { sfu: 'bundled', iceRestart: true },
  participants: { hosts: { count: 1 }, guests: { count: 3 } },
  timeline: [
    { at: '5s', do: 'churn', who: 'guests', for: '40s', rate: '1.5/s', away: '500ms' },
    { at: '10s', do: 'switchCamera', who: 'hosts', width: 320, height: 180 },
    { at: '12s', do: 'changeCodec', who: 'hosts[0]', codec: 'vp9' },
    { at: '50s', do: 'rejoin', who: 'hosts', away: '1s', publish: { audio: true } },
    // @ts-expect-error a churn needs a rate
    { at: '5s', do: 'churn', who: 'guests', for: '40s' },
    // @ts-expect-error '1/h' is not a rate
    { at: '5s', do: 'churn', who: 'guests', for: '40s', rate: '1/h' },
    // @ts-expect-error 'av1' is not a codec of the bundled SFU
    { at: '12s', do: 'changeCodec', who: 'hosts', codec: 'av1' },
  ],
  thresholds: { renegotiation_seconds: ['p(95) < 1.5'], action_failure_count_total: ['max == 0'] },
});
