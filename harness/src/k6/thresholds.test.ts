import { describe, expect, it } from 'vitest';
import type { MetricName } from '../stats/catalogue.ts';
import { parseThreshold, type ThresholdDef } from '../thresholds/parse.ts';
import { NOT_IN_K6, notInK6 } from './metrics.ts';
import { k6Duration, translateThresholds } from './thresholds.ts';

const defs = (table: Record<string, string[]>): ThresholdDef[] =>
  Object.entries(table).flatMap(([key, expressions]) => expressions.map((e) => parseThreshold(key, e)));

describe('thresholds in k6 syntax', () => {
  it("writes each of our expressions as k6's, on a Trend", () => {
    const t = translateThresholds(
      defs({
        join_to_first_frame_ms: ['p(95) < 5000'],
        video_recv_bitrate_kbps: ['avg > 100'],
        video_recv_fps: ['med > 15', 'p(99.9) >= 2', 'min>=0'],
        video_freeze_seconds_total: ['max < 1'],
        'video_freeze_max_ms{participant:viewers[1]}': ['max < 1000'],
        rtt_ms: ['p(50) != 0', 'avg <= 150.5', 'min == 0'],
      }),
      notInK6,
    );
    expect(t.thresholds.map((x) => [x.selector, x.expression])).toEqual([
      ['join_to_first_frame_ms', 'p(95)<5000'],
      ['video_recv_bitrate_kbps', 'avg>100'],
      ['video_recv_fps', 'med>15'],
      ['video_recv_fps', 'p(99.9)>=2'],
      ['video_recv_fps', 'min>=0'],
      ['video_freeze_seconds_total', 'max<1'],
      ['video_freeze_max_ms{participant:viewers[1]}', 'max<1000'],
      ['rtt_ms', 'p(50)!=0'],
      ['rtt_ms', 'avg<=150.5'],
      ['rtt_ms', 'min==0'],
    ]);
    expect([...t.metricTypes.values()].every((type) => type === 'trend')).toBe(true);
    expect(t.leftOut).toEqual([]);
  });

  it('keeps tag filters in k6 form, without the spaces', () => {
    const t = translateThresholds(defs({ 'video_recv_fps{ group: viewers , kind:video}': ['p(5) > 20'] }), notInK6);
    expect(t.thresholds[0]).toMatchObject({ selector: 'video_recv_fps{group:viewers,kind:video}', expression: 'p(5)>20' });
  });

  it("turns 'last' into a Gauge's value, and 'count' into a Counter's count, when the metric has nothing else", () => {
    const t = translateThresholds(
      defs({
        'video_recv_height_px{participant:viewers[1]}': ['last == 180'],
        'video_recv_height_px{participant:viewers[0]}': ['last == 720'],
        'media_interruption_seconds{group:midCall}': ['count >= 1'],
      }),
      notInK6,
    );
    expect(t.thresholds.map((x) => `${x.selector} ${x.expression}`)).toEqual([
      'video_recv_height_px{participant:viewers[1]} value==180',
      'video_recv_height_px{participant:viewers[0]} value==720',
      'media_interruption_seconds{group:midCall} count>=1',
    ]);
    expect(t.metricTypes.get('video_recv_height_px')).toBe('gauge');
    expect(t.metricTypes.get('media_interruption_seconds')).toBe('counter');
  });

  it("lists 'last' and 'count' as left out, with the reason, when the metric must be a Trend", () => {
    const t = translateThresholds(
      defs({
        'ice_relay{group:midCall}': ['last == 1'],
        'ice_relay{group:udpBlocked}': ['min == 1'],
        'media_interruption_seconds{group:midCall}': ['count >= 1', 'max < 10'],
      }),
      notInK6,
    );
    expect(t.thresholds.map((x) => `${x.selector} ${x.expression}`)).toEqual([
      'ice_relay{group:udpBlocked} min==1',
      'media_interruption_seconds{group:midCall} max<10',
    ]);
    expect(t.leftOut).toEqual([
      { key: 'ice_relay{group:midCall}', expression: 'last == 1', reason: expect.stringMatching(/no 'last' for a Trend/) },
      { key: 'media_interruption_seconds{group:midCall}', expression: 'count >= 1', reason: expect.stringMatching(/no 'count' for a Trend/) },
    ]);
  });

  it('lists thresholds on metrics the k6 script does not record, with why', () => {
    const t = translateThresholds(
      defs({ renegotiation_seconds: ['p(95) < 1.5', 'count >= 20'], 'layer_downswitch_seconds{participant:viewers[0]}': ['max < 5'], video_recv_fps: ['med > 10'] }),
      notInK6,
    );
    expect(t.thresholds.map((x) => x.selector)).toEqual(['video_recv_fps']);
    expect(t.leftOut.map((x) => `${x.key}: ${x.expression}`)).toEqual([
      'renegotiation_seconds: p(95) < 1.5',
      'renegotiation_seconds: count >= 20',
      'layer_downswitch_seconds{participant:viewers[0]}: max < 5',
    ]);
    expect(t.leftOut[0]!.reason).toMatch(/^renegotiation_seconds is not recorded in k6: timed by the harness's analysis/);
    // A metric that is not recorded gets no k6 type: it is not declared in the script.
    expect(t.metricTypes.has('renegotiation_seconds')).toBe(false);
  });

  it("carries abortOnFail and delayAbortEval in k6's object form", () => {
    const t = translateThresholds(
      [parseThreshold('video_recv_fps{participant:viewers[0]}', 'med > 5', { abortOnFail: true, delayAbortEvalMs: 10_000 }), parseThreshold('rtt_ms', 'max < 500', { abortOnFail: true })],
      notInK6,
    );
    expect(t.thresholds).toEqual([
      { selector: 'video_recv_fps{participant:viewers[0]}', expression: 'med>5', abortOnFail: true, delayAbortEval: '10s' },
      { selector: 'rtt_ms', expression: 'max<500', abortOnFail: true },
    ]);
    expect(k6Duration(1500)).toBe('1500ms');
    expect(k6Duration(0)).toBe('0s');
  });

  it('leaves out only metrics that are really computed around the pages', () => {
    const out = Object.keys(NOT_IN_K6) as MetricName[];
    expect(out).toContain('renegotiation_seconds');
    expect(out).toContain('host_cpu_percent');
    // What every shipped smoke-like scenario gates on is recorded.
    for (const m of ['video_recv_fps', 'video_recv_bitrate_kbps', 'join_to_first_frame_ms', 'video_freeze_seconds_total', 'time_to_connected_ms', 'ice_relay'] as const) {
      expect(notInK6(m), m).toBeUndefined();
    }
  });
});
