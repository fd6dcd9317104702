import { quantile } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { SeriesStore } from './aggregate.ts';
import type { Point, PointTags } from './types.ts';

const viewer0: PointTags = { group: 'viewers', participant: 'viewers[0]', stream: 'pc1/in/video/1', kind: 'video', direction: 'in' };
const viewer1: PointTags = { group: 'viewers', participant: 'viewers[1]', stream: 'pc1/in/video/1', kind: 'video', direction: 'in' };
const presenter: PointTags = { group: 'presenter', participant: 'presenter[0]', stream: 'pc0/out/video/0/h', kind: 'video', direction: 'out', rid: 'h' };

function points(tags: PointTags, values: number[], metric: Point['metric'] = 'video_recv_fps', t0 = 1000): Point[] {
  return values.map((value, i) => ({ metric, value, t: t0 + i * 1000, tags }));
}

describe('SeriesStore aggregates', () => {
  it('matches simple-statistics on known data (linear-interpolation quantiles)', () => {
    const data = [3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20];
    const store = new SeriesStore();
    store.ingest(points(viewer0, data));
    const agg = store.aggregate('video_recv_fps')!;
    expect(agg.count).toBe(11);
    expect(agg.min).toBe(3);
    expect(agg.max).toBe(20);
    expect(agg.avg).toBeCloseTo(115 / 11);
    expect(agg.p50).toBe(9);
    expect(agg.p90).toBe(quantile(data, 0.9));
    expect(agg.p90).toBeCloseTo(16);
    expect(agg.p95).toBeCloseTo(18); // index 9.5 between 16 and 20
    expect(agg.p99).toBeCloseTo(19.6);
    expect(agg.last).toBe(20);
    expect(store.quantile('video_recv_fps', {}, 0.05)).toBeCloseTo(quantile(data, 0.05));
  });

  it('sorts unsorted input before taking quantiles, over many series', () => {
    const store = new SeriesStore();
    const a = [30, 1, 25, 29];
    const b = [2, 28, 27, 26, 30];
    store.ingest(points(viewer0, a));
    store.ingest(points(viewer1, b));
    const all = [...a, ...b];
    const agg = store.aggregate('video_recv_fps', { group: 'viewers' })!;
    expect(agg.count).toBe(9);
    expect(agg.p50).toBe(quantile(all, 0.5));
    expect(agg.p95).toBeCloseTo(quantile(all, 0.95));
    expect(agg.min).toBe(1);
  });

  it('is undefined without matching values, and rejects a quantile outside [0, 1]', () => {
    const store = new SeriesStore();
    expect(store.aggregate('video_recv_fps')).toBeUndefined();
    expect(store.quantile('video_recv_fps', {}, 0.5)).toBeUndefined();
    expect(() => store.quantile('video_recv_fps', {}, 5)).toThrow('between 0 and 1');
  });

  it('keeps values across chunk boundaries', () => {
    const store = new SeriesStore();
    const data = Array.from({ length: 10_000 }, (_, i) => i);
    store.ingest(points(viewer0, data));
    const agg = store.aggregate('video_recv_fps')!;
    expect(agg.count).toBe(10_000);
    expect(agg.max).toBe(9999);
    expect(agg.p50).toBe(quantile(data, 0.5));
    expect(store.values('video_recv_fps')).toEqual(data);
  });
});

describe('SeriesStore tag filters', () => {
  const store = new SeriesStore();
  store.ingest(points(viewer0, [10, 20]));
  store.ingest(points(viewer1, [30, 40]));
  store.ingest(points(presenter, [500, 600], 'video_send_bitrate_kbps'));
  store.ingest(points({ group: 'viewers', participant: 'viewers[0]' }, [55], 'rtt_ms'));

  it('matches every filter key exactly', () => {
    expect(store.values('video_recv_fps', { participant: 'viewers[0]' })).toEqual([10, 20]);
    expect(store.values('video_recv_fps', { group: 'viewers', participant: 'viewers[1]' })).toEqual([30, 40]);
    expect(store.values('video_recv_fps', { participant: 'viewers' })).toEqual([]);
    expect(store.values('video_recv_fps', { participant: 'viewers[0]', kind: 'audio' })).toEqual([]);
    expect(store.values('video_send_bitrate_kbps', { rid: 'h' })).toEqual([500, 600]);
  });

  it('excludes points that lack a tag named in the filter', () => {
    expect(store.values('rtt_ms', { group: 'viewers' })).toEqual([55]);
    expect(store.values('rtt_ms', { stream: 'pc1/in/video/1' })).toEqual([]);
  });

  it('returns values in time order across series, so the last is the latest', () => {
    const s = new SeriesStore();
    s.ingest(points(viewer1, [3, 4], 'video_recv_fps', 1500));
    s.ingest(points(viewer0, [1, 2], 'video_recv_fps', 1000));
    expect(s.values('video_recv_fps', { group: 'viewers' })).toEqual([1, 3, 2, 4]);
    expect(s.aggregate('video_recv_fps', { group: 'viewers' })!.last).toBe(4);
  });

  it('answers all metrics of a participant or a group', () => {
    const p = store.participantAggregates('viewers[0]');
    expect(Object.keys(p)).toEqual(['video_recv_fps', 'rtt_ms']);
    expect(p.video_recv_fps?.avg).toBe(15);
    const g = store.groupAggregates('viewers');
    expect(g.video_recv_fps?.count).toBe(4);
    expect(g.video_send_bitrate_kbps).toBeUndefined();
    expect(store.groupAggregates('presenter').video_send_bitrate_kbps?.max).toBe(600);
  });
});

describe('SeriesStore per sender', () => {
  it("answers every metric of the streams that carry one sender's stamped video, over all viewers", () => {
    const store = new SeriesStore();
    const from = (tags: PointTags, sender: string): PointTags => ({ ...tags, stream: `${tags.stream}/${sender}`, from: sender });
    store.ingest(points(from(viewer0, 'presenter[0]'), [80, 90], 'video_e2e_latency_ms'));
    store.ingest(points(from(viewer1, 'presenter[0]'), [100], 'video_e2e_latency_ms'));
    store.ingest(points(from(viewer0, 'presenter[1]'), [300], 'video_e2e_latency_ms'));
    store.ingest(points(viewer0, [30]));
    const a = store.senderAggregates('presenter[0]');
    expect(Object.keys(a)).toEqual(['video_e2e_latency_ms']);
    expect(a.video_e2e_latency_ms).toMatchObject({ count: 3, avg: 90, max: 100 });
    expect(store.values('video_e2e_latency_ms', { from: 'presenter[1]' })).toEqual([300]);
    expect(store.senderAggregates('viewers[0]')).toEqual({});
  });
});

describe('SeriesStore memory bound', () => {
  it('drops and counts points past maxPoints, and ignores non-finite values', () => {
    const store = new SeriesStore({ maxPoints: 3 });
    store.ingest(points(viewer0, [1, NaN, 2, 3, 4, 5]));
    expect(store.size()).toEqual({ points: 3, series: 1, droppedPoints: 2 });
    expect(store.values('video_recv_fps')).toEqual([1, 2, 3]);
  });

  it('rejects a bad maxPoints, saying what it needs', () => {
    expect(() => new SeriesStore({ maxPoints: 0 })).toThrow('maxPoints must be a positive integer');
  });
});
