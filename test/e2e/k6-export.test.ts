// The exported k6 script, run against the bundled SFU. k6 cannot be installed on this machine, so
// the script's VUs run in a stand-in for k6 (test/support/k6-stand-in.ts): `k6/browser` is
// puppeteer-core on our Chromium, `k6/metrics` records values. Everything else is the script as
// exported: its options, its VU function, and its page side (the stats agent, deriveSample and the
// call-page driving, bundled) in real pages on a real SFU. What k6 itself would add (its own
// threshold evaluation, its summary, splitting VUs over pods) is not exercised here.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from 'simple-statistics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportK6 } from '../../harness/src/k6/export.ts';
import { launchChromium, type LaunchedChromium } from '../../harness/src/participants/chromium.ts';
import { evaluateThreshold } from '../../harness/src/thresholds/evaluate.ts';
import { parseThreshold } from '../../harness/src/thresholds/parse.ts';
import { buildClient } from '../../scripts/build-client.mjs';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { runK6Script, type RecordedValue, type StandInRun } from '../support/k6-stand-in.ts';
import { waitFor } from '../support/wait.ts';

const REPO = join(import.meta.dirname, '../..');
const WORKER_BIN = join(REPO, 'node_modules/mediasoup/worker/out/Release/mediasoup-worker');
const SMOKE = join(REPO, 'scenarios/smoke.scenario.ts');

describe('export-k6: the smoke scenario\'s k6 script, run through a k6 stand-in (k6 cannot be installed here)', () => {
  let sfu: Sfu | undefined;
  let chromium: LaunchedChromium | undefined;
  let clientDir: string | undefined;
  let run: StandInRun;

  beforeAll(async () => {
    await waitFor(async () => existsSync(WORKER_BIN), 10 * 60_000, `${WORKER_BIN} (run npm run setup)`, 2_000);
    clientDir = mkdtempSync(join(tmpdir(), 'rtc-harness-client-'));
    await buildClient({ outDir: clientDir });
    sfu = await startSfu({ numWorkers: 1, clientDir, logLevel: 'warn' });
    chromium = await launchChromium();
    const script = await exportK6(SMOKE);
    const startedMs = Date.now();
    run = await runK6Script(script, chromium.browser, { RTC_SFU_URL: sfu.url });
    console.log(`k6 stand-in: the smoke script ran in ${Date.now() - startedMs} ms, ${run.values.length} values recorded`);
  }, 5 * 60_000);

  afterAll(async () => {
    await chromium?.close();
    await sfu?.close();
    if (clientDir) rmSync(clientDir, { recursive: true, force: true });
  });

  const of = (metric: string, tags: Record<string, string> = {}): RecordedValue[] =>
    run.values.filter((v) => v.metric === metric && Object.entries(tags).every(([k, value]) => v.tags[k] === value));

  it('every VU joined (its check passed) and nothing failed', () => {
    expect(run.errors).toEqual([]);
    expect([...run.checks].sort((a, b) => a.vu.localeCompare(b.vu))).toEqual(
      ['callers#0', 'callers#1', 'callers#2'].map((vu) => ({ name: 'joined the call', ok: true, vu })),
    );
    expect(run.logs.filter((l) => /could not join|failed/.test(l))).toEqual([]);
  });

  it('records received video under our metric name, with our tags, at a plausible frame rate', () => {
    for (const participant of ['callers[0]', 'callers[1]', 'callers[2]']) {
      const fps = of('video_recv_fps', { participant });
      // Two remote videos, about one value a second each for the ~18 s it is in the call.
      expect(fps.length, participant).toBeGreaterThanOrEqual(16);
      for (const v of fps) {
        expect(v.type).toBe('trend');
        expect(v.tags).toMatchObject({ group: 'callers', participant, kind: 'video', direction: 'in' });
        expect(v.tags.stream).toMatch(/^pc\d+\/in\/video\//);
      }
      expect(new Set(fps.map((v) => v.tags.stream)).size, `${participant} receives the two others`).toBe(2);
      expect(median(fps.map((v) => v.value)), `${participant}'s median received fps`).toBeGreaterThan(10);
    }
  });

  it('records what the smoke thresholds read: time to first frame, bitrate, freezes, and participant figures', () => {
    const firstFrames = of('join_to_first_frame_ms');
    expect(firstFrames.length, 'one per remote video').toBeGreaterThanOrEqual(4);
    for (const v of firstFrames) {
      expect(v.value).toBeGreaterThan(0);
      expect(v.value).toBeLessThan(15_000);
    }
    expect(median(of('video_recv_bitrate_kbps').map((v) => v.value))).toBeGreaterThan(50);
    expect(of('video_freeze_seconds_total').length).toBeGreaterThan(0);
    const sent = of('video_send_bitrate_kbps', { participant: 'callers[0]', direction: 'out' });
    expect(median(sent.map((v) => v.value))).toBeGreaterThan(50);
    // Participant-scope metrics carry group and participant only.
    const connected = of('connected', { participant: 'callers[1]' });
    expect(connected.length).toBeGreaterThan(10);
    expect(Object.keys(connected[0]!.tags).sort()).toEqual(['group', 'participant']);
    expect(connected.at(-1)!.value).toBe(1);
    expect(of('time_to_connected_ms').map((v) => v.tags.participant).sort()).toEqual(['callers[0]', 'callers[1]', 'callers[2]']);
  });

  it("its thresholds name metrics that got values; evaluated on them (as k6 would for these aggregations), they are printed", () => {
    const thresholds = run.options.thresholds ?? {};
    expect(Object.keys(thresholds)).toEqual(['checks', 'join_to_first_frame_ms', 'video_recv_fps', 'video_recv_bitrate_kbps', 'video_freeze_seconds_total']);
    for (const [selector, expressions] of Object.entries(thresholds)) {
      if (selector === 'checks') continue;
      for (const expression of expressions as string[]) {
        const def = parseThreshold(selector, expression);
        const result = evaluateThreshold(def, (metric, filter) => of(metric, { ...filter }).map((v) => v.value));
        console.log(`  ${result.ok ? 'ok  ' : 'FAIL'} ${selector}: ${expression} (measured ${result.actual})`);
        expect(result.actual, `${selector} got values`).not.toBeNull();
      }
    }
  });
});

// The timeline's page actions, replayed by the VUs on the call page itself: a mute and unmute, a
// rejoin (its first frames count as rejoin_to_first_frame_ms, from the page side's second join
// mark), and a network change, which k6 cannot do and the script lists as left out.
describe('export-k6: timeline actions replayed by the VUs (k6 stand-in, as above)', () => {
  let sfu: Sfu | undefined;
  let chromium: LaunchedChromium | undefined;
  let dir: string | undefined;
  let script = '';
  let run: StandInRun;

  beforeAll(async () => {
    await waitFor(async () => existsSync(WORKER_BIN), 10 * 60_000, `${WORKER_BIN} (run npm run setup)`, 2_000);
    dir = mkdtempSync(join(tmpdir(), 'rtc-harness-k6-'));
    await buildClient({ outDir: join(dir, 'client') });
    sfu = await startSfu({ numWorkers: 1, clientDir: join(dir, 'client'), logLevel: 'warn' });
    chromium = await launchChromium();
    const file = join(dir, 'replay.scenario.ts');
    writeFileSync(
      file,
      `import { defineScenario } from ${JSON.stringify(join(REPO, 'harness/src/index.ts'))};
export default defineScenario({
  name: 'replay',
  duration: '14s',
  participants: { host: { count: 1, publish: { audio: false, video: { width: 320, height: 180, fps: 15 } } }, guest: { count: 1, joinAt: '1s', publish: { audio: false, video: { width: 320, height: 180, fps: 15 } }, network: 'wifi' } },
  timeline: [
    { at: '4s', do: 'mute', who: 'host', source: 'camera' },
    { at: '5s', do: 'unmute', who: 'host', source: 'camera' },
    { at: '6s', do: 'network', who: 'guest', set: 'lte' },
    { at: '7s', do: 'rejoin', who: 'guest', away: '1s' },
  ],
  thresholds: { 'rejoin_to_first_frame_ms{group:guest}': ['max < 5000'], 'video_recv_fps{group:host}': ['med > 5'] },
});
`,
    );
    script = await exportK6(file);
    run = await runK6Script(script, chromium.browser, { RTC_SFU_URL: sfu.url });
  }, 5 * 60_000);

  afterAll(async () => {
    await chromium?.close();
    await sfu?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the network step and the simulated network as left out, and keeps the page actions', () => {
    // The header's list items, unwrapped.
    const header = script.replace(/\n\/\/ {5}/g, ' ');
    expect(header).toMatch(/^\/\/ {3}- timeline\[2\] at 6s: network guest\[0\]: .*k6 has no per-VU network/m);
    expect(header).toMatch(/^\/\/ {3}- the simulated networks of guest: /m);
    expect(script).toContain("{ atMs: 7000, action: { do: 'rejoin', awayMs: 1000, publish: null } }");
  });

  it('the rejoin and the mute ran on the page, and the rejoin is timed as ours is', () => {
    expect(run.errors).toEqual([]);
    expect(run.logs).toEqual([]);
    const rejoin = run.values.filter((v) => v.metric === 'rejoin_to_first_frame_ms');
    expect(rejoin.map((v) => v.tags.participant)).toEqual(['guest[0]']);
    expect(rejoin[0]!.value).toBeGreaterThan(0);
    expect(rejoin[0]!.value).toBeLessThan(5000);
    // The host kept receiving the guest after it came back: a second inbound stream, decoding.
    const hostFps = run.values.filter((v) => v.metric === 'video_recv_fps' && v.tags.participant === 'host[0]');
    const streams = [...new Set(hostFps.map((v) => v.tags.stream))];
    expect(streams).toHaveLength(2);
    // The best second of the stream after the rejoin (its last sample may fall when the guest's VU
    // has already ended: the VUs do not end together).
    const afterRejoin = hostFps.filter((v) => v.tags.stream === streams[1]).map((v) => v.value);
    expect(Math.max(...afterRejoin)).toBeGreaterThan(5);
  });
});
