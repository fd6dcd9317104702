import { describe, expect, it } from 'vitest';
import { markers, sampleValue, SeriesBuilder } from './series.ts';
import { SAMPLE_CHARTS } from './charts.ts';
import { exampleResults } from '../../results/example.fixture.ts';
import { PERFECT_PROFILE } from '../../network/settings.ts';
import type { Sample } from '../../stats/types.ts';
import type { ResolvedLinkProfile } from '../../network/types.ts';

const def = (id: string) => SAMPLE_CHARTS.find((c) => c.id === id)!;
const START = 1_800_000_000_000;

function sample(participant: string, tSeconds: number, fps: number[], rttMs?: number): Sample {
  return {
    t: START + tSeconds * 1000,
    participant,
    group: 'callers',
    values: rttMs === undefined ? {} : { rtt_ms: rttMs },
    streams: fps.map((f, i) => ({
      id: `pc1/in/video/${i}`,
      kind: 'video' as const,
      direction: 'in' as const,
      values: { video_recv_fps: f, video_recv_bitrate_kbps: 100 * (i + 1), recv_loss_percent: i, video_recv_spatial_layer: 2 },
    })),
  };
}

describe('sampleValue', () => {
  it("reduces a participant's streams as each chart says, and takes participant values as they are", () => {
    const s = sample('callers[0]', 1, [30, 20], 4);
    expect(sampleValue(s, def('recv_fps'))).toBe(25); // mean
    expect(sampleValue(s, def('recv_kbps'))).toBe(300); // sum
    expect(sampleValue(s, def('loss'))).toBe(1); // worst stream
    expect(sampleValue(s, def('rtt'))).toBe(4);
    expect(sampleValue(sample('callers[0]', 1, []), def('recv_fps'))).toBeNull();
  });
});

describe('SeriesBuilder', () => {
  const results = () => exampleResults({ timelineStartUnixMs: START, durationSeconds: 10 });

  it('one line per participant and the group mean, on a shared 1 s grid from the run start', () => {
    const b = new SeriesBuilder();
    for (let t = 0; t < 10; t++) {
      b.addSample(sample('callers[0]', t + 0.2, [30]));
      b.addSample(sample('callers[1]', t + 0.7, [20]));
    }
    const payload = b.build(results());
    expect(payload.xMin).toBe(0);
    expect(payload.xMax).toBeCloseTo(10);
    const group = payload.sections.find((s) => s.id === 'group-callers')!;
    const fps = group.charts.find((c) => c.id === 'callers-recv_fps')!;
    expect(fps.x.slice(0, 3)).toEqual([0.5, 1.5, 2.5]);
    expect(fps.series.map((s) => s.label)).toEqual(['callers mean', 'callers[0]', 'callers[1]']);
    expect(fps.series[0]!.emphasis).toBe(true);
    expect(fps.series[0]!.values.slice(0, 10)).toEqual(Array(10).fill(25));
    expect(fps.series[1]!.values.slice(0, 10)).toEqual(Array(10).fill(30));
    // Layers are discrete: drawn as steps.
    expect(group.charts.find((c) => c.id === 'callers-recv_layer')).toMatchObject({ stepped: true, title: 'Spatial layer received' });
    // No RTT was measured: no empty chart.
    expect(group.charts.some((c) => c.id === 'callers-rtt')).toBe(false);
    // One group: no overview section; no load-generator points: no CPU chart.
    expect(payload.sections.map((s) => s.id)).toEqual(['group-callers']);
  });

  it('widens the buckets of a long run so that a line keeps at most maxPoints points', () => {
    const b = new SeriesBuilder({ maxPoints: 600 });
    for (let t = 0; t < 7200; t++) b.addSample(sample('callers[0]', t, [t % 2 === 0 ? 30 : 20]));
    const fps = b.build(exampleResults({ timelineStartUnixMs: START, durationSeconds: 7200 })).sections[0]!.charts.find((c) => c.id === 'callers-recv_fps')!;
    expect(fps.x.length).toBeLessThanOrEqual(601);
    expect(fps.x[1]! - fps.x[0]!).toBe(12);
    expect(fps.series.find((s) => s.label === 'callers[0]')!.values[0]).toBe(25);
  });

  it('draws the link settings as steps from the network changes, and the link ground truth and CPU from run points', () => {
    const lte: ResolvedLinkProfile = {
      ...PERFECT_PROFILE,
      name: 'lte',
      down: { ...PERFECT_PROFILE.down, rateKbps: 12000, delayMs: 35 },
      up: { ...PERFECT_PROFILE.up, rateKbps: 4000, delayMs: 35 },
    };
    const bad: ResolvedLinkProfile = { ...lte, name: 'custom', down: { ...lte.down, rateKbps: 300, lossPct: 3 } };
    const r = exampleResults({ timelineStartUnixMs: START, durationSeconds: 20 });
    r.networkChanges = [
      { atMs: -1500, participant: 'callers[1]', profile: lte },
      // 10.001 s is drawn at 10 s (4 digits), and the new setting holds from there.
      { atMs: 10_001, participant: 'callers[1]', profile: bad },
    ];
    const b = new SeriesBuilder();
    b.addSample(sample('callers[1]', 1, [30]));
    b.addRunPoints([
      { metric: 'host_cpu_percent', value: 40, t: START + 1000, tags: { group: '_run', participant: '_run' } },
      { metric: 'link_down_bitrate_kbps', value: 900, t: START + 1000, tags: { group: 'callers', participant: 'callers[1]' } },
      { metric: 'link_down_bitrate_kbps', value: 280, t: START + 11_000, tags: { group: 'callers', participant: 'callers[1]' } },
    ]);
    const payload = b.build(r);
    const charts = payload.sections.find((s) => s.id === 'group-callers')!.charts;
    const rate = charts.find((c) => c.id === 'callers-set_rate')!;
    expect(rate.stepped).toBe(true);
    expect(rate.x).toEqual([0, 10, 20]);
    expect(rate.series.map((s) => [s.label, s.values])).toEqual([
      ['callers[1] ↓ down', [12000, 300, 300]],
      ['callers[1] ↑ up', [4000, 4000, 4000]],
    ]);
    expect(charts.find((c) => c.id === 'callers-set_loss')!.series[0]!.values).toEqual([0, 3, 3]);
    const measured = charts.find((c) => c.id === 'callers-link_kbps')!;
    expect(measured.series[0]!.values.filter((v) => v !== null)).toEqual([900, 280]);
    const cpu = payload.sections.find((s) => s.id === 'load-generator')!.charts[0]!;
    expect(cpu.series.map((s) => s.label)).toEqual(['host_cpu_percent']);
  });

  it('with several groups, an overview of the group means comes first', () => {
    const r = exampleResults({ timelineStartUnixMs: START, durationSeconds: 3 });
    r.groups.push({ name: 'viewers', count: 1, aggregates: {} });
    r.participants.push({ ...r.participants[0]!, id: 'viewers[0]', group: 'viewers' });
    const b = new SeriesBuilder();
    b.addSample(sample('callers[0]', 1, [30]));
    b.addSample({ ...sample('viewers[0]', 1, [10]), group: 'viewers' });
    const payload = b.build(r);
    expect(payload.sections[0]!.id).toBe('overview');
    const fps = payload.sections[0]!.charts.find((c) => c.id === 'overview-recv_fps')!;
    expect(fps.series.map((s) => [s.label, s.values[1]])).toEqual([
      ['callers', 30],
      ['viewers', 10],
    ]);
  });
});

describe('markers', () => {
  it('merges simultaneous equal actions of a group, and marks failures', () => {
    const r = exampleResults();
    r.actions = [
      { atMs: 0, startedMs: 3, do: 'join', participant: 'callers[0]', ok: true, durationMs: 300 },
      { atMs: 0, startedMs: 40, do: 'join', participant: 'callers[1]', ok: true, durationMs: 300 },
      { atMs: 0, startedMs: 50, do: 'join', participant: 'callers[2]', ok: false, error: 'x', durationMs: 300 },
      { atMs: 5000, startedMs: 5001, do: 'mute', participant: 'callers[1]', ok: true, durationMs: 3 },
    ];
    expect(markers(r)).toEqual([
      { t: 0, ok: true, participants: ['callers[0]', 'callers[1]'], label: 'join callers ×2' },
      { t: 0, ok: false, participants: ['callers[2]'], label: '✗ join callers[2]' },
      { t: 5, ok: true, participants: ['callers[1]'], label: 'mute callers[1]' },
    ]);
  });
});
