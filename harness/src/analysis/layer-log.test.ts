import { describe, expect, it } from 'vitest';
import { getProfile } from '../network/index.ts';
import { resolveLinkProfile } from '../network/settings.ts';
import type { ResolvedLinkProfile } from '../network/types.ts';
import type { LayerChange, Sample } from '../stats/types.ts';
import { compareDownlink, LayerLog } from './layer-log.ts';
import { AnalysisPipeline } from './pipeline.ts';

const START = 1_700_000_000_000;
const STREAM = 'pc1/in/video/0';
const perfect = resolveLinkProfile(getProfile('perfect'), 'perfect');
const constrained: ResolvedLinkProfile = { ...perfect, down: { ...perfect.down, rateKbps: 300 } };

/** A viewer's sample at `s` seconds into the run, with its layer changes and freeze totals. */
function sample(s: number, changes: [atS: number, from: number | null, to: number | null][] = [], freezeSeconds = 0, freezes = 0): Sample {
  const layerChanges: LayerChange[] = changes.map(([atS, from, to]) => ({ t: START + atS * 1000, consumerId: 'c1', stream: STREAM, from, to, temporal: 2 }));
  return {
    t: START + s * 1000,
    participant: 'viewers[0]',
    group: 'viewers',
    values: {},
    streams: [
      {
        id: STREAM,
        kind: 'video',
        direction: 'in',
        values: { video_freeze_seconds_total: freezeSeconds, video_freeze_count_total: freezes },
        meta: { ssrc: 1, consumerId: 'c1', offeredSpatialLayers: 3 },
      },
    ],
    ...(layerChanges.length ? { layerChanges } : {}),
  };
}

/** A layer log fed through the pipeline, the viewer's initial link already set. */
function log(): { log: LayerLog; pipeline: AnalysisPipeline } {
  const l = new LayerLog();
  const pipeline = new AnalysisPipeline([l]);
  pipeline.start(START);
  pipeline.linkChange({ atMs: -100, participant: 'viewers[0]', profile: perfect });
  return { log: l, pipeline };
}

describe('LayerLog', () => {
  it('times the first down-switch after a worse downlink and the return to the top after a better one', () => {
    const { log: l, pipeline } = log();
    expect(pipeline.sample(sample(5, [[4.2, null, 1], [4.8, 1, 2]]))).toEqual([]);
    pipeline.linkChange({ atMs: 20_000, participant: 'viewers[0]', profile: constrained });
    // A switch before the change (in a sample read after it) does not count.
    expect(pipeline.sample(sample(21, [[19.9, 2, 1], [19.95, 1, 2]], 0.2, 1))).toEqual([]);
    const down = pipeline.sample(sample(22, [[21.5, 2, 1], [21.9, 1, 0]], 1.1, 2));
    expect(down).toEqual([
      {
        metric: 'layer_downswitch_seconds',
        value: 1.5,
        t: START + 21_500,
        tags: { group: 'viewers', participant: 'viewers[0]', stream: STREAM, kind: 'video', direction: 'in' },
      },
    ]);
    pipeline.linkChange({ atMs: 40_000, participant: 'viewers[0]', profile: perfect });
    expect(pipeline.sample(sample(45, [[44, 0, 1]], 1.1, 2))).toEqual([]);
    expect(pipeline.sample(sample(53, [[52.25, 1, 2]], 1.4, 3)).map((p) => [p.metric, p.value])).toEqual([['layer_recovery_seconds', 12.25]]);
    pipeline.sample(sample(60, [], 1.4, 3));

    const r = l.results('viewers[0]', START + 60_000)!;
    expect(r.downswitches).toEqual([{ triggerAtMs: 20_000, consumer: 'c1', stream: STREAM, seconds: 1.5 }]);
    expect(r.recoveries).toEqual([{ triggerAtMs: 40_000, consumer: 'c1', stream: STREAM, seconds: 12.25 }]);
    expect(r.switches.map((s) => [s.atMs, s.from, s.to])).toEqual([
      [4200, null, 1],
      [4800, 1, 2],
      [19_900, 2, 1],
      [19_950, 1, 2],
      [21_500, 2, 1],
      [21_900, 1, 0],
      [44_000, 0, 1],
      [52_250, 1, 2],
    ]);
    // Freezes from the sample before each switch to the first sample 3 s after it.
    expect(r.switches.find((s) => s.atMs === 21_500)).toMatchObject({ freezeSecondsAround: 0.9, freezesAround: 1 });
    expect(r.switches.find((s) => s.atMs === 52_250)).toMatchObject({ freezeSecondsAround: 0.3, freezesAround: 1 });
    expect(r.switches[0]).toMatchObject({ freezeSecondsAround: null }); // no sample before it
    expect(r.consumers).toEqual([
      {
        consumer: 'c1',
        stream: STREAM,
        secondsOnLayer: { '0': 22.1, '1': 0.6 + 0.05 + 0.4 + 8.25, '2': 15.1 + 1.55 + 7.75 },
        switches: 7,
        lastLayer: 2,
        topLayer: 2,
      },
    ]);
  });

  it('leaves a reaction that never came as null, and skips streams already on top', () => {
    const { log: l, pipeline } = log();
    pipeline.sample(sample(5, [[4, null, 2]]));
    pipeline.linkChange({ atMs: 10_000, participant: 'viewers[0]', profile: constrained });
    pipeline.sample(sample(14));
    pipeline.linkChange({ atMs: 15_000, participant: 'viewers[0]', profile: perfect });
    expect(pipeline.sample(sample(30))).toEqual([]);
    const r = l.results('viewers[0]', START + 30_000)!;
    expect(r.downswitches).toEqual([{ triggerAtMs: 10_000, consumer: 'c1', stream: STREAM, seconds: null }]);
    expect(r.recoveries).toEqual([]);
  });

  it("times a 'layers' request to the layer asked for, capped at the highest offered", () => {
    const { log: l, pipeline } = log();
    pipeline.sample(sample(5, [[4, null, 2]]));
    pipeline.action({ type: 'layersRequested', participant: 'viewers[0]', atMs: START + 10_000, spatial: 0 });
    expect(pipeline.sample(sample(12, [[10.5, 2, 1], [11.25, 1, 0]])).map((p) => [p.metric, p.value])).toEqual([['layer_request_seconds', 1.25]]);
    pipeline.action({ type: 'layersRequested', participant: 'viewers[0]', atMs: START + 20_000, spatial: 7 });
    expect(pipeline.sample(sample(23, [[22, 0, 2]])).map((p) => [p.metric, p.value])).toEqual([['layer_request_seconds', 2]]);
    pipeline.action({ type: 'layersRequested', participant: 'viewers[0]', atMs: START + 30_000, spatial: 2 });
    pipeline.sample(sample(31));
    expect(l.results('viewers[0]', START + 31_000)!.requests.map((r) => [r.spatial, r.seconds])).toEqual([
      [0, 1.25],
      [7, 2],
      [2, 0],
    ]);
  });

  it('has nothing for a participant without layered streams', () => {
    const { log: l, pipeline } = log();
    pipeline.sample({ t: START, participant: 'presenter[0]', group: 'presenter', values: {}, streams: [] });
    expect(l.results('presenter[0]', START)).toBeUndefined();
    expect(l.results('nobody', START)).toBeUndefined();
  });
});

describe('compareDownlink', () => {
  it('compares capacity first (0 is unlimited), then loss', () => {
    const lossy = { ...perfect.down, lossPct: 3 };
    expect(compareDownlink(perfect.down, constrained.down)).toBe('worse');
    expect(compareDownlink(constrained.down, perfect.down)).toBe('better');
    expect(compareDownlink(perfect.down, lossy)).toBe('worse');
    expect(compareDownlink(lossy, { ...constrained.down, lossPct: 0 })).toBe('worse');
    expect(compareDownlink(perfect.down, { ...perfect.down, delayMs: 50 })).toBe('same');
  });
});
