// Merging shards' results: what a user checks in the merged results.json. The shards' results
// come from the example fixture; their points are made here so that the exact percentile over
// all of them differs from any mix of the shards' own.
import { describe, expect, it } from 'vitest';
import { exampleResults } from '../results/example.fixture.ts';
import type { RunResults } from '../results/schema.ts';
import { SeriesStore } from '../stats/aggregate.ts';
import { checkShards, MergeError, mergeShards, type ShardResults } from './merge.ts';

const T0 = Date.parse('2026-11-26T10:03:16.764Z');

function shard(index: number, ids: number[], patch: Partial<RunResults> = {}, offsetMs = 0): ShardResults {
  const base = exampleResults();
  return {
    dir: `out/shard-${index}`,
    results: {
      ...base,
      thresholds: [{ key: 'video_recv_fps{group:callers}', metric: 'video_recv_fps', filter: { group: 'callers' }, expression: 'p(50) > 20', ok: true, actual: 30 }],
      participants: ids.map((i) => ({ ...base.participants[0]!, id: `callers[${i}]` })),
      actions: ids.map((i) => ({ atMs: 1000 * i, startedMs: 1000 * i + 1, do: 'join', participant: `callers[${i}]`, ok: true, durationMs: 300 })),
      overrides: ['--duration 20s', `--shard ${index}/2`],
      shard: { index, count: 2, runId: 'nightly', clock: { offsetMs, rttMs: 1, source: 'test' } },
      ...patch,
    },
  };
}

/** Shard 1 measured 30 fps twice per participant, shard 2 10 fps once: the median over all is 30, shard 2's own is 10. */
function store(): SeriesStore {
  const s = new SeriesStore();
  const point = (participant: string, value: number, t: number) => ({ metric: 'video_recv_fps' as const, value, t, tags: { group: 'callers', participant } });
  s.ingest([point('callers[0]', 30, T0), point('callers[0]', 30, T0 + 1000), point('callers[2]', 30, T0), point('callers[2]', 30, T0 + 1000)]);
  s.ingest([point('callers[1]', 10, T0)]);
  return s;
}

describe('merge', () => {
  it('puts every participant back in plan order and evaluates thresholds over all points', () => {
    const merged = mergeShards(checkShards([shard(2, [1]), shard(1, [0, 2])]), store());
    expect(merged.participants.map((p) => p.id)).toEqual(['callers[0]', 'callers[1]', 'callers[2]']);
    expect(merged.groups).toEqual([expect.objectContaining({ name: 'callers', count: 3 })]);
    expect(merged.groups[0]!.aggregates.video_recv_fps).toMatchObject({ count: 5, p50: 30, min: 10 });
    expect(merged.thresholds).toEqual([expect.objectContaining({ key: 'video_recv_fps{group:callers}', expression: 'p(50) > 20', ok: true, actual: 30 })]);
    expect(merged.verdict).toBe('pass');
    expect(merged.overrides).toEqual(['--duration 20s']);
    expect(merged.merged).toMatchObject({ runId: 'nightly', count: 2, clockAligned: true });
    expect(merged.merged!.shards.map((s) => s.index)).toEqual([1, 2]);
  });

  it('gives the figures per browser over every shard, as a run does', () => {
    const s = new SeriesStore();
    const point = (participant: string, browser: 'chromium' | 'firefox', value: number) => ({ metric: 'video_recv_fps' as const, value, t: T0, tags: { group: 'callers', participant, browser } });
    s.ingest([point('callers[0]', 'chromium', 30), point('callers[2]', 'firefox', 20), point('callers[1]', 'chromium', 10)]);
    const one = shard(1, [0, 2]);
    one.results.participants[1]!.browser = 'firefox';
    one.results.browsers = [{ name: 'firefox', version: 'firefox/153.8.0', count: 1, notAvailable: [], aggregates: {} }];
    const merged = mergeShards(checkShards([one, shard(2, [1])]), s);
    expect(merged.browsers?.map((b) => [b.name, b.count, b.version])).toEqual([
      ['chromium', 2, null],
      ['firefox', 1, 'firefox/153.8.0'],
    ]);
    expect(merged.browsers![0]!.aggregates.video_recv_fps).toMatchObject({ count: 2, min: 10, max: 30 });
    expect(merged.browsers![1]!.aggregates.video_recv_fps).toMatchObject({ count: 1, avg: 20 });
    expect(merged.browsers![1]!.notAvailable.length).toBeGreaterThan(0);
  });

  it("makes each stamped sender's view again over every shard's viewers", () => {
    const s = store();
    const latency = (participant: string, value: number) => ({ metric: 'video_e2e_latency_ms' as const, value, t: T0, tags: { group: 'callers', participant, stream: 'pc1/in/video/1', from: 'callers[0]' } });
    s.ingest([latency('callers[1]', 100), latency('callers[2]', 60)]);
    // Shard 1 saw only callers[2]'s frames of its sender.
    const one = shard(1, [0, 2]);
    one.results.participants[0]!.asSender = { video_e2e_latency_ms: { count: 1, min: 60, max: 60, avg: 60, p50: 60, p90: 60, p95: 60, p99: 60, last: 60 } };
    const merged = mergeShards(checkShards([one, shard(2, [1])]), s);
    expect(merged.participants[0]!.asSender?.video_e2e_latency_ms).toMatchObject({ count: 2, avg: 80, max: 100 });
    expect(merged.participants[1]).not.toHaveProperty('asSender');
  });

  it('says a metric is not available for Firefox participants, as the run does, instead of "no samples"', () => {
    const threshold = { key: 'available_outgoing_bitrate_kbps{browser:firefox}', metric: 'available_outgoing_bitrate_kbps', filter: { browser: 'firefox' }, expression: 'avg > 300', ok: true, actual: null };
    const firefoxOn = (index: number, ids: number[]) => {
      const s = shard(index, ids, { thresholds: [threshold as RunResults['thresholds'][number]] });
      for (const p of s.results.participants) p.browser = 'firefox';
      return s;
    };
    const merged = mergeShards(checkShards([firefoxOn(1, [0, 2]), firefoxOn(2, [1])]), store());
    expect(merged.thresholds[0]).toMatchObject({ ok: false, actual: null });
    expect(merged.thresholds[0]!.reason).toMatch(/^available_outgoing_bitrate_kbps is not available in firefox/);
    expect(merged.thresholds[0]!.notAvailable).toContain('callers[0]');
  });

  it('puts actions on one time axis with the clock offsets', () => {
    // Shard 2's clock is 5 s behind the server's: the same local start is 5 s later on the common axis.
    const merged = mergeShards(checkShards([shard(1, [0]), shard(2, [1], {}, 5000)]), store());
    expect(merged.actions.map((a) => [a.participant, a.atMs])).toEqual([
      ['callers[0]', 0],
      ['callers[1]', 6000],
    ]);
  });

  it('fails the merged run on a threshold that fails over all points, and is invalid when a shard was', () => {
    const failing = mergeShards(checkShards([shard(1, [0, 2], { thresholds: [{ key: 'video_recv_fps', metric: 'video_recv_fps', filter: {}, expression: 'min > 20', ok: true, actual: 30 }] }), shard(2, [1])]), store());
    expect(failing.verdict).toBe('fail');
    expect(failing.thresholds[0]).toMatchObject({ ok: false, actual: 10 });
    const saturated = shard(2, [1], { verdict: 'invalid', loadGenerator: { maxCpuPercent: 100, avgCpuPercent: 95, browsers: 1, invalidReason: 'machine CPU above 90% for 10 s' } });
    const invalid = mergeShards(checkShards([shard(1, [0, 2]), saturated]), store());
    expect(invalid.verdict).toBe('invalid');
    expect(invalid.verdictReason).toContain('shard 2: machine CPU above 90% for 10 s');
  });

  it('refuses shards that do not make one run, naming the folder', () => {
    expect(() => checkShards([shard(1, [0])])).toThrow("run 'nightly' has 2 shards; missing: 2/2");
    expect(() => checkShards([shard(1, [0]), shard(1, [1])])).toThrow('shard 1/2 given twice: out/shard-1 and out/shard-1');
    const other = shard(2, [1]);
    other.results.shard!.runId = 'other';
    expect(() => checkShards([shard(1, [0]), other])).toThrow("out/shard-2: run id 'other', the others 'nightly'");
    expect(() => checkShards([{ dir: 'out/whole', results: exampleResults() }])).toThrow(MergeError);
  });
});
