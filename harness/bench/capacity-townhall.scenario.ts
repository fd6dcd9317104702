// The "town hall" room shape of `npm run bench:capacity`: one presenter sends 640x360@30 in three
// simulcast layers and audio, CAPACITY_SIZE viewers receive it.
//
//   CAPACITY_SIZE        viewers (default 10)
//   CAPACITY_BROWSER     'chromium' or 'firefox' (default 'chromium')
//   CAPACITY_SOURCE      'pattern', 'clip' or 'stamped' (default 'clip'; Firefox: 'pattern', its only one)
//   CAPACITY_RECEIVE     'decode' or 'count' (default 'count'; Firefox: 'decode', its only one)
//   CAPACITY_PER_BROWSER participants per browser (default: the harness's)
//   CAPACITY_DURATION_S  run length (default 40)
import { defineScenario } from '../src/index.ts';

const size = Number(process.env.CAPACITY_SIZE ?? 10);
if (!Number.isInteger(size) || size < 1) throw new Error(`CAPACITY_SIZE must be a whole number ≥ 1, got ${process.env.CAPACITY_SIZE}`);
const browser = process.env.CAPACITY_BROWSER === 'firefox' ? 'firefox' : 'chromium';
// Firefox has neither the clip camera nor count mode (a scenario asking for them is refused).
const firefox = browser === 'firefox';
const source = process.env.CAPACITY_SOURCE === 'pattern' || process.env.CAPACITY_SOURCE === 'stamped' ? process.env.CAPACITY_SOURCE : firefox ? 'pattern' : 'clip';
const receive = process.env.CAPACITY_RECEIVE === 'decode' || (firefox && !process.env.CAPACITY_RECEIVE) ? 'decode' : 'count';
const perBrowser = process.env.CAPACITY_PER_BROWSER ? Number(process.env.CAPACITY_PER_BROWSER) : undefined;

export default defineScenario({
  name: `capacity-townhall-${size}`,
  duration: `${Number(process.env.CAPACITY_DURATION_S ?? 40)}s`,
  participants: {
    presenter: { count: 1, browser, publish: { audio: true, video: { simulcast: true, width: 640, height: 360, fps: 30, source } } },
    // A quarter of a second between joins: a burst of joins is not what is measured.
    viewers: { count: size, publish: false, joinAt: '1s', joinSpread: `${Math.max(0, (size - 1) * 0.25)}s`, receive, browser },
  },
  ...(perBrowser ? { browser: { participantsPerBrowser: perBrowser } } : {}),
});
