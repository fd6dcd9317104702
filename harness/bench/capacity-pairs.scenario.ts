// The "pairs" room shape of `npm run bench:capacity`: CAPACITY_SIZE participants in rooms of two,
// each sending 640x360@30 video and audio and receiving the other's (as webrtcperf's pairs).
//
//   CAPACITY_SIZE        participants, even (default 4)
//   CAPACITY_BROWSER     'chromium' or 'firefox' (default 'chromium')
//   CAPACITY_SOURCE      'pattern', 'clip', 'stamped' or 'replay' (default 'clip'; Firefox: 'pattern', its only one)
//   CAPACITY_RECEIVE     'decode' or 'count' (default 'decode'; Firefox: 'decode', its only one)
//   CAPACITY_PER_BROWSER participants per browser (default: the harness's)
//   CAPACITY_DURATION_S  run length (default 40)
import { defineScenario, type GroupSpec } from '../src/index.ts';

const size = Number(process.env.CAPACITY_SIZE ?? 4);
if (!Number.isInteger(size) || size < 2 || size % 2 !== 0) throw new Error(`CAPACITY_SIZE must be an even number ≥ 2, got ${process.env.CAPACITY_SIZE}`);
const browser = process.env.CAPACITY_BROWSER === 'firefox' ? 'firefox' : 'chromium';
// Firefox has neither the clip camera nor count mode (a scenario asking for them is refused).
const firefox = browser === 'firefox';
const SOURCES = ['pattern', 'stamped', 'replay'] as const;
const asked = SOURCES.find((s) => s === process.env.CAPACITY_SOURCE);
const source = asked ?? (firefox ? 'pattern' : 'clip');
const receive = process.env.CAPACITY_RECEIVE === 'count' ? 'count' : 'decode';
const perBrowser = process.env.CAPACITY_PER_BROWSER ? Number(process.env.CAPACITY_PER_BROWSER) : undefined;

const participants: Record<string, GroupSpec> = {};
for (let i = 0; i < size / 2; i++) {
  participants[`pair${i}`] = {
    count: 2,
    room: `pair-${i}`,
    publish: { audio: true, video: { width: 640, height: 360, fps: 30, source } },
    // Joins spread out, half a second a pair: a burst of joins is not what is measured.
    joinAt: `${i * 0.5}s`,
    receive,
    browser,
  };
}

export default defineScenario({
  name: `capacity-pairs-${size}`,
  duration: `${Number(process.env.CAPACITY_DURATION_S ?? 40)}s`,
  participants,
  ...(perBrowser ? { browser: { participantsPerBrowser: perBrowser } } : {}),
});
