import { describe, expect, it } from 'vitest';
import type { MetricName } from '../stats/catalogue.ts';
import { aggregate, evaluateThreshold, evaluateThresholds, thresholdsToAbort, type SeriesQuery } from './evaluate.ts';
import { parseExpression, parseThreshold, type ThresholdOptions } from './parse.ts';
import { unavailableFor } from '../stats/browsers.ts';

// In time order; sorted: 1 1 2 3 4 5 6 9.
const VALUES = [3, 1, 4, 1, 5, 9, 2, 6];

/** A query over fixed series keyed by 'metric{tag:value}' as a SeriesStore would filter them. */
function queryOf(series: Record<string, number[]>): SeriesQuery & { calls: [MetricName, Record<string, string>][] } {
  const calls: [MetricName, Record<string, string>][] = [];
  const query = (metric: MetricName, filter: Readonly<Record<string, string>>) => {
    calls.push([metric, { ...filter }]);
    const tags = Object.entries(filter).map(([k, v]) => `${k}:${v}`).join(',');
    return series[tags ? `${metric}{${tags}}` : metric] ?? [];
  };
  return Object.assign(query, { calls });
}

const def = (key: string, expression: string, options?: ThresholdOptions) => parseThreshold(key, expression, options);

describe('aggregate', () => {
  it.each([
    ['avg', 3.875],
    ['min', 1],
    ['max', 9],
    ['med', 3.5],
    ['count', 8],
    ['last', 6],
    ['p(0)', 1],
    ['p(50)', 3.5],
    ['p(95)', 7.95], // linear interpolation: index 0.95 * 7 = 6.65 -> 6 + 0.65 * (9 - 6)
    ['p(100)', 9],
  ])('%s', (agg, expected) => {
    expect(aggregate(VALUES, parseExpression(`${agg} > 0`).aggregation)).toBeCloseTo(expected, 10);
  });

  it('gives null without values, except count (0)', () => {
    expect(aggregate([], { kind: 'avg' })).toBeNull();
    expect(aggregate([], { kind: 'p', percentile: 95 })).toBeNull();
    expect(aggregate([], { kind: 'count' })).toBe(0);
  });

  it('ignores values that are not finite', () => {
    expect(aggregate([Number.NaN, 2, Infinity, 4], { kind: 'avg' })).toBe(3);
    expect(aggregate([2, Number.NaN], { kind: 'last' })).toBe(2);
    expect(aggregate([Number.NaN], { kind: 'max' })).toBeNull();
  });
});

describe('evaluateThreshold', () => {
  const query = queryOf({ video_recv_fps: VALUES, 'video_recv_fps{group:viewers}': [24, 25, 26] });

  it.each([
    ['avg < 4', true],
    ['avg < 3.875', false],
    ['avg <= 3.875', true],
    ['max > 8.5', true],
    ['max > 9', false],
    ['min >= 1', true],
    ['min >= 1.5', false],
    ['count == 8', true],
    ['count == 7', false],
    ['last != 6', false],
    ['last != 5', true],
    ['p(95) > -1', true],
  ])('%s -> %s', (expression, ok) => {
    expect(evaluateThreshold(def('video_recv_fps', expression), query).ok).toBe(ok);
  });

  it('passes the filter to the query and reports the actual value', () => {
    const q = queryOf({ 'video_recv_fps{group:viewers}': [24, 25, 26] });
    expect(evaluateThreshold(def('video_recv_fps{group:viewers}', 'med > 20'), q)).toEqual({
      key: 'video_recv_fps{group:viewers}',
      metric: 'video_recv_fps',
      filter: { group: 'viewers' },
      expression: 'med > 20',
      ok: true,
      actual: 25,
    });
    expect(q.calls).toEqual([['video_recv_fps', { group: 'viewers' }]]);
  });

  it('says why it failed', () => {
    const result = evaluateThreshold(def('video_recv_fps', 'p(95) < 5'), query);
    expect(result).toMatchObject({ ok: false, reason: 'p(95) was 7.95 over 8 samples, needs < 5' });
    expect(result.actual).toBeCloseTo(7.95, 10);
  });

  it('fails without samples, naming the selector (never a silent pass)', () => {
    const result = evaluateThreshold(def('video_recv_fps{group:viewrs}', 'p(5) > 20'), query);
    expect(result).toMatchObject({ ok: false, actual: null, reason: 'no samples for video_recv_fps{group:viewrs}' });
    expect(evaluateThreshold(def('video_freeze_seconds_total', 'max < 1'), query).ok).toBe(false);
  });

  it("says which participants' browser cannot measure the metric: tested on the others, failed when none is left", () => {
    const roster = [
      { id: 'hosts[0]', group: 'hosts', browser: 'chromium' as const },
      { id: 'guests[0]', group: 'guests', browser: 'firefox' as const },
    ];
    const bwe = queryOf({ available_outgoing_bitrate_kbps: [900, 1000], 'available_outgoing_bitrate_kbps{group:guests}': [] });
    const availability = (metric: MetricName, filter: Readonly<Record<string, string>>) => unavailableFor(metric, filter, roster);
    const note = 'not available in firefox (its stats have no candidate-pair availableOutgoingBitrate): guests[0]';
    expect(evaluateThreshold(def('available_outgoing_bitrate_kbps', 'min > 500'), bwe, availability)).toEqual({
      key: 'available_outgoing_bitrate_kbps',
      metric: 'available_outgoing_bitrate_kbps',
      filter: {},
      expression: 'min > 500',
      ok: true,
      actual: 900,
      notAvailable: note,
    });
    expect(evaluateThreshold(def('available_outgoing_bitrate_kbps{group:guests}', 'min > 500'), bwe, availability)).toMatchObject({
      ok: false,
      actual: null,
      reason: `available_outgoing_bitrate_kbps is ${note}`,
      notAvailable: note,
    });
    // Not a count of 0 either: nothing could be counted.
    expect(evaluateThreshold(def('available_outgoing_bitrate_kbps{group:guests}', 'count == 0'), bwe, availability)).toMatchObject({ ok: false, actual: null });
    expect(evaluateThreshold(def('video_recv_fps', 'p(5) > 0'), query, availability).notAvailable).toBeUndefined();
  });

  it('counts zero samples as a count of 0', () => {
    expect(evaluateThreshold(def('join_to_first_frame_ms', 'count == 0'), query)).toMatchObject({ ok: true, actual: 0 });
    expect(evaluateThreshold(def('join_to_first_frame_ms', 'count > 0'), query)).toMatchObject({ ok: false, actual: 0 });
  });

  it('evaluates a list in order', () => {
    const results = evaluateThresholds([def('video_recv_fps', 'avg > 1'), def('video_recv_fps', 'avg > 100')], query);
    expect(results.map((r) => [r.expression, r.ok])).toEqual([
      ['avg > 1', true],
      ['avg > 100', false],
    ]);
  });
});

describe('thresholdsToAbort', () => {
  const defs = [
    def('video_recv_fps', 'avg > 100', { abortOnFail: true, delayAbortEvalMs: 10_000 }),
    def('video_recv_fps', 'max > 100'), // fails, but does not abort
    def('join_to_first_frame_ms', 'p(95) < 10', { abortOnFail: true }), // no samples yet
    def('video_recv_fps', 'min > 0', { abortOnFail: true }), // passes
  ];
  const query = queryOf({ video_recv_fps: VALUES });

  it('waits for delayAbortEvalMs', () => {
    expect(thresholdsToAbort(defs, query, 9_999)).toEqual([]);
    expect(thresholdsToAbort(defs, query, 10_000).map((r) => r.expression)).toEqual(['avg > 100']);
  });

  it('does not abort on a threshold that has no samples yet', () => {
    expect(thresholdsToAbort(defs, query, 60_000).map((r) => r.key)).toEqual(['video_recv_fps']);
  });
});
