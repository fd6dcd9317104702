import { describe, expect, it } from 'vitest';
import { profiles } from '../network/profiles.ts';
import { applyLinkChange, PERFECT_PROFILE, resolveLinkProfile } from '../network/settings.ts';
import type { LinkChange } from '../network/types.ts';
import { defineScenario } from './define.ts';
import { ScenarioError } from './errors.ts';
import { resolvePlan, type ResolveOptions } from './resolve.ts';
import type { ScenarioSpec } from './types.ts';

const FILE = 'scenarios/calls.scenario.ts';
const resolve = (spec: ScenarioSpec, options: Partial<ResolveOptions> = {}) =>
  resolvePlan(spec, { file: FILE, randomSeed: () => 1234, ...options });

const minimal = defineScenario({ duration: '20s', participants: { callers: { count: 2 } } });

const full = defineScenario({
  name: 'webinar',
  duration: '1m',
  seed: 7,
  participants: {
    presenter: { count: 1, publish: { audio: true, video: { simulcast: true, width: 1280 } }, network: profiles.wifi },
    viewers: { count: 4, publish: false, network: 'lte', joinAt: '2s', joinSpread: '4s', room: 'overflow' },
  },
  timeline: [
    { at: '30s', do: 'layers', who: 'viewers', spatial: 0 },
    { at: '10s', do: 'mute', who: 'presenter[0]', source: 'mic' },
    { at: 30, do: 'leave', who: 'viewers[3]' },
    { at: '5s', do: 'publish', who: 'all', what: { video: { height: 720 } } },
    { at: '20s', do: 'network', who: 'viewers[1]', set: { down: { rateKbps: 300 } } },
  ],
  thresholds: {
    'video_recv_fps{group:viewers}': ['p(5) > 20', { threshold: 'avg > 25', abortOnFail: true, delayAbortEval: '10s' }],
    video_freeze_seconds_total: ['max < 2'],
  },
});

describe('resolvePlan: defaults', () => {
  it('fills every default of a minimal scenario', () => {
    expect(resolve(minimal)).toEqual({
      file: FILE,
      name: 'calls',
      durationMs: 20_000,
      seed: 1234,
      target: { kind: 'bundled', workers: 1, iceRestart: false },
      turn: null,
      room: 'calls',
      statsIntervalMs: 1000,
      browser: { participantsPerBrowser: 8, countingPerBrowser: 32, headful: false },
      guard: { cpuPercent: 90, sustainedMs: 10_000 },
      participants: [0, 1].map((index) => ({
        id: `callers[${index}]`,
        group: 'callers',
        index,
        room: 'calls',
        joinAtMs: 0,
        publish: { audio: true, video: { simulcast: false, width: 640, height: 360, fps: 30, encodings: null, codec: null, scalabilityMode: null } },
        network: null,
        turn: null,
        receive: 'decode',
        browser: 'chromium',
      })),
      timeline: [],
      thresholds: [],
      overrides: [],
    });
  });

  it('draws a random 32-bit seed when none is given, and keeps a given one', () => {
    const seeds = new Set([0, 1, 2, 3, 4].map(() => resolvePlan(minimal, { file: FILE }).seed));
    for (const seed of seeds) expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    expect(seeds.size).toBeGreaterThan(1);
    expect(resolve({ ...minimal, seed: 99 }).seed).toBe(99);
  });

  it('names the run after the file when the scenario has no name', () => {
    expect(resolvePlan(minimal, { file: '/x/simulcast under loss.scenario.mjs', randomSeed: () => 0 }).name).toBe('simulcast-under-loss');
  });

  it('resolves a call-page target', () => {
    const target = resolve({ ...minimal, target: { url: 'https://meet.example.com/{room}?name={name}' } }).target;
    expect(target).toMatchObject({ kind: 'url', url: 'https://meet.example.com/{room}?name={name}', joinTimeoutMs: 30_000 });
    // Without an adapter, the page is driven through the reference page's control surface.
    expect(target.kind === 'url' && target.page?.name).toBe('reference');
  });

  it('expands a media port range and names the built-in adapter', () => {
    const target = resolve({
      ...minimal,
      target: { url: 'http://127.0.0.1:8000/videoroomtest.html', page: 'janus-videoroom', media: ['192.0.2.2:20000-20002', '10.0.0.1:5000'], joinTimeout: '45s' },
    }).target;
    expect(target).toMatchObject({ kind: 'url', media: [
      { host: '192.0.2.2', port: 20000 },
      { host: '192.0.2.2', port: 20001 },
      { host: '192.0.2.2', port: 20002 },
      { host: '10.0.0.1', port: 5000 },
    ], joinTimeoutMs: 45_000 });
    expect(target.kind === 'url' && target.page?.name).toBe('janus-videoroom');
  });

  it('plans a script step with its code, named', () => {
    const run = async () => {};
    const plan = resolve({ ...minimal, timeline: [{ at: '1s', do: 'script', who: 'all', name: 'click', run }] });
    expect(plan.timeline[0]!.action).toEqual({ do: 'script', name: 'click', run });
  });
});

describe('resolvePlan: participants', () => {
  const plan = resolve(full);

  it('converts simulcast layers to kbit/s, scaling the missing ones by powers of two', () => {
    const layered = resolve({
      ...minimal,
      participants: {
        callers: {
          count: 1,
          publish: {
            video: {
              simulcast: true,
              encodings: [{ maxBitrate: '150kbps' }, { maxBitrate: '0.5mbit', scaleResolutionDownBy: 1.5 }, { maxBitrate: 1500 }],
              codec: 'h264',
              scalabilityMode: 'L1T2',
            },
          },
        },
      },
    });
    expect(layered.participants[0]!.publish.video).toMatchObject({
      encodings: [
        { maxBitrateKbps: 150, scaleResolutionDownBy: 4 },
        { maxBitrateKbps: 500, scaleResolutionDownBy: 1.5 },
        { maxBitrateKbps: 1500, scaleResolutionDownBy: 1 },
      ],
      codec: 'h264',
      scalabilityMode: 'L1T2',
    });
  });

  it('spreads joins evenly from joinAt, one slot each', () => {
    expect(plan.participants.map((p) => [p.id, p.joinAtMs])).toEqual([
      ['presenter[0]', 0],
      ['viewers[0]', 2000],
      ['viewers[1]', 3000],
      ['viewers[2]', 4000],
      ['viewers[3]', 5000],
    ]);
  });

  it('resolves what each sends, keeping 16:9 when one side is given', () => {
    expect(plan.participants[0]!.publish).toEqual({ audio: true, video: { simulcast: true, width: 1280, height: 720, fps: 30, encodings: null, codec: null, scalabilityMode: null } });
    expect(plan.participants[1]!.publish).toEqual({ audio: false, video: null });
    const audioOnly = resolve({ ...minimal, participants: { callers: { count: 1, publish: { audio: true } } } });
    expect(audioOnly.participants[0]!.publish).toEqual({ audio: true, video: null });
  });

  it('resolves the network, a profile name to its complete change, and keeps the group room', () => {
    const applied = (i: number) => applyLinkChange(PERFECT_PROFILE, plan.participants[i]!.network as LinkChange);
    expect(applied(0)).toEqual(resolveLinkProfile(profiles.wifi));
    expect(applied(1)).toEqual(resolveLinkProfile(profiles.lte));
    expect(plan.participants[1]!.network).toMatchObject({ name: 'lte', up: { rateKbps: 5_000, queue: { unit: 'ms', ms: 200 } }, blockUdp: false, allowPorts: null });
    expect(plan.participants.map((p) => p.room)).toEqual(['webinar', 'overflow', 'overflow', 'overflow', 'overflow']);
    expect(plan.room).toBe('webinar');
  });
});

describe('resolvePlan: timeline', () => {
  const plan = resolve(full);

  it('sorts by time, keeping the scenario order for ties, and expands who', () => {
    expect(plan.timeline.map((s) => [s.atMs, s.index, s.action.do, s.participantIds])).toEqual([
      [5000, 3, 'publish', ['presenter[0]', 'viewers[0]', 'viewers[1]', 'viewers[2]', 'viewers[3]']],
      [10_000, 1, 'mute', ['presenter[0]']],
      [20_000, 4, 'network', ['viewers[1]']],
      [30_000, 0, 'layers', ['viewers[0]', 'viewers[1]', 'viewers[2]', 'viewers[3]']],
      [30_000, 2, 'leave', ['viewers[3]']],
    ]);
  });

  it('resolves each action', () => {
    expect(plan.timeline.map((s) => s.action)).toEqual([
      { do: 'publish', what: { audio: false, video: { simulcast: false, width: 1280, height: 720, fps: 30, encodings: null, codec: null, scalabilityMode: null } } },
      { do: 'mute', source: 'mic' },
      { do: 'network', set: { down: { rateKbps: 300 } } },
      { do: 'layers', spatial: 0, temporal: null },
      { do: 'leave' },
    ]);
  });

  it('flattens thresholds, one per expression, with their options', () => {
    expect(plan.thresholds.map((t) => [t.key, t.filter, t.expression, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['video_recv_fps{group:viewers}', { group: 'viewers' }, 'p(5) > 20', false, 0],
      ['video_recv_fps{group:viewers}', { group: 'viewers' }, 'avg > 25', true, 10_000],
      ['video_freeze_seconds_total', {}, 'max < 2', false, 0],
    ]);
  });

  it('is plain data (survives JSON)', () => {
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});

describe('resolvePlan: command-line overrides', () => {
  const error = (spec: ScenarioSpec, options: Partial<ResolveOptions>) => {
    try {
      resolve(spec, options);
    } catch (err) {
      if (err instanceof ScenarioError) return err.message;
      throw err;
    }
    return null;
  };

  it('wins over the file, and is recorded', () => {
    const plan = resolve(full, { duration: '45', set: ['viewers.count=5', 'viewers.joinSpread=1s'], seed: '42', headful: true });
    expect(plan.durationMs).toBe(45_000);
    expect(plan.seed).toBe(42);
    expect(plan.browser.headful).toBe(true);
    expect(plan.participants.filter((p) => p.group === 'viewers').map((p) => p.joinAtMs)).toEqual([2000, 2200, 2400, 2600, 2800]);
    expect(plan.overrides).toEqual(['--duration 45', '--set viewers.count=5', '--set viewers.joinSpread=1s', '--seed 42', '--headful']);
  });

  it('leaves the scenario object untouched', () => {
    const before = structuredClone(full);
    resolve(full, { set: ['viewers.count=6'], duration: '50s' });
    expect(full).toEqual(before);
  });

  it.each([
    [{ set: ['viewers'] }, '--set viewers: expected group.field=value, e.g. viewers.count=4'],
    [{ set: ['viewrs.count=2'] }, "--set viewrs.count=2: unknown group 'viewrs' (groups: presenter, viewers)"],
    [{ set: ['viewers.cont=2'] }, '--set viewers.cont=2: --set can change count, joinAt, joinSpread of a group (did you mean count?)'],
    [{ set: ['viewers.network=lte'] }, "--set viewers.network=lte: --set can change count, joinAt, joinSpread of a group (got 'network')"],
    [{ seed: 'abc' }, '--seed abc: must be an integer from 0 to 4294967295'],
    [
      { set: ['viewers.count=0'] },
      `${FILE} (with --set viewers.count=0): participants.viewers.count must be an integer from 1 to 10000, got 0`,
    ],
    [
      { set: ['viewers.count=many'] },
      `${FILE} (with --set viewers.count=many): participants.viewers.count must be an integer from 1 to 10000, got 'many'`,
    ],
    [
      { set: ['viewers.count=3'] },
      `${FILE} (with --set viewers.count=3): timeline[2].who: viewers[3] is out of range (viewers has 3 participants: viewers[0]..viewers[2])`,
    ],
    [
      { duration: '25s' },
      `${FILE} (with --duration 25s): timeline[0].at must be before the end of the run (duration 25s), got '30s'\n` +
        `${FILE} (with --duration 25s): timeline[2].at must be before the end of the run (duration 25s), got 30`,
    ],
    [
      { duration: '1 minute' },
      `${FILE} (with --duration 1 minute): duration must be a duration like '500ms', '30s', '1m30s' or a number of seconds, got '1 minute'`,
    ],
  ] as [Partial<ResolveOptions>, string][])('%j is reported naming the override', (options, message) => {
    expect(error(full, options)).toBe(message);
  });
});
