import { describe, expect, it } from 'vitest';
import { parseExpression, parseSelector, parseThreshold, ThresholdSyntaxError, type ParsedExpression } from './parse.ts';

describe('parseExpression', () => {
  it.each<[string, ParsedExpression]>([
    ['p(95) < 150', { aggregation: { kind: 'p', percentile: 95 }, op: '<', value: 150 }],
    ['p(99.9)<=2', { aggregation: { kind: 'p', percentile: 99.9 }, op: '<=', value: 2 }],
    ['p( 5 ) > 20', { aggregation: { kind: 'p', percentile: 5 }, op: '>', value: 20 }],
    ['avg > 20', { aggregation: { kind: 'avg' }, op: '>', value: 20 }],
    ['min>=0.5', { aggregation: { kind: 'min' }, op: '>=', value: 0.5 }],
    ['max < 1', { aggregation: { kind: 'max' }, op: '<', value: 1 }],
    ['med > 15', { aggregation: { kind: 'med' }, op: '>', value: 15 }],
    ['count == 0', { aggregation: { kind: 'count' }, op: '==', value: 0 }],
    ['last != -3.25', { aggregation: { kind: 'last' }, op: '!=', value: -3.25 }],
    ['  avg  >  .5  ', { aggregation: { kind: 'avg' }, op: '>', value: 0.5 }],
    ['p(0) >= -10', { aggregation: { kind: 'p', percentile: 0 }, op: '>=', value: -10 }],
  ])('%s', (text, parsed) => {
    expect(parseExpression(text)).toEqual(parsed);
  });

  it.each([
    ['p(95) <', 8, "'p(95) <': expected a number at column 8, found the end"],
    ['p(95) < abc', 9, "'p(95) < abc': expected a number at column 9, found 'abc'"],
    ['p(95) 150', 7, "'p(95) 150': expected an operator (<, <=, >, >=, == or !=) at column 7, found '150'"],
    ['avg = 20', 5, "'avg = 20': expected an operator (<, <=, >, >=, == or !=) at column 5, found '=' (use '==' to compare for equality)"],
    ['p95 < 150', 1, "'p95 < 150': unknown aggregation 'p95' at column 1 (did you mean p(95)? allowed: avg, min, max, med, count, last or p(N))"],
    ['mean > 1', 1, "'mean > 1': unknown aggregation 'mean' at column 1 (did you mean avg? allowed: avg, min, max, med, count, last or p(N))"],
    ['average > 1', 1, "'average > 1': unknown aggregation 'average' at column 1 (did you mean avg? allowed: avg, min, max, med, count, last or p(N))"],
    ['sum > 1', 1, "'sum > 1': unknown aggregation 'sum' at column 1 (allowed: avg, min, max, med, count, last or p(N))"],
    ['p(150) < 1', 3, "'p(150) < 1': percentile must be from 0 to 100 at column 3, found 150"],
    ['p(95 < 1', 6, "'p(95 < 1': expected ')' at column 6, found '<'"],
    ['p 95 < 1', 3, "'p 95 < 1': expected '(' after p at column 3, found '95' (write p(95))"],
    ['p() < 1', 3, "'p() < 1': expected a percentile at column 3, found ')'"],
    ['avg < 150ms', 10, "'avg < 150ms': unexpected 'ms' at column 10, expected the end of the expression (write the number alone, in the metric's unit)"],
    ['avg < 1 2', 9, "'avg < 1 2': unexpected '2' at column 9, expected the end of the expression"],
    ['', 1, "'': expected an aggregation (avg, min, max, med, count, last or p(N)) at column 1, found the end"],
    ['< 5', 1, "'< 5': expected an aggregation (avg, min, max, med, count, last or p(N)) at column 1, found '<'"],
  ])('%j fails at column %i', (text, column, message) => {
    let error: unknown;
    try {
      parseExpression(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ThresholdSyntaxError);
    expect((error as ThresholdSyntaxError).column).toBe(column);
    expect((error as ThresholdSyntaxError).message).toBe(message);
  });
});

describe('parseSelector', () => {
  it.each([
    ['video_recv_fps', { metric: 'video_recv_fps', filter: {} }],
    ['video_recv_fps{group:viewers}', { metric: 'video_recv_fps', filter: { group: 'viewers' } }],
    [
      'video_recv_bitrate_kbps{participant:viewers[0], rid : h}',
      { metric: 'video_recv_bitrate_kbps', filter: { participant: 'viewers[0]', rid: 'h' } },
    ],
    ['video_recv_fps{group:viewers} ', { metric: 'video_recv_fps', filter: { group: 'viewers' } }],
    ['join_to_first_frame_ms{kind:video,direction:recv}', { metric: 'join_to_first_frame_ms', filter: { kind: 'video', direction: 'recv' } }],
  ])('%s', (text, selector) => {
    expect(parseSelector(text)).toEqual(selector);
  });

  it.each([
    ['video_recv_fpz', 1, "unknown metric 'video_recv_fpz' (did you mean video_recv_fps?)"],
    ['frames', 1, "unknown metric 'frames' (see the metric catalogue: harness/src/stats/catalogue.ts)"],
    ['{group:a}', 1, "expected a metric name at column 1, found '{group:a}'"],
    ['video_recv_fps{group:viewers', 29, "expected ',' or '}' at column 29, found the end"],
    ['video_recv_fps{group}', 21, "expected ':' after the tag 'group' at column 21, found '}'"],
    ['video_recv_fps{group:}', 22, "expected a value for the tag 'group' at column 22, found '}'"],
    ['video_recv_fps{}', 16, "expected a tag name at column 16, found '}'"],
    ['video_recv_fps{group:a,group:b}', 24, "the tag 'group' appears twice (column 24)"],
    ['video_recv_fps{group:a} x', 25, "unexpected 'x' at column 25 after '}'"],
    ['video_recv_fps group', 16, "expected '{' or the end at column 16, found 'group'"],
  ])('%j fails at column %i', (text, column, problem) => {
    let error: unknown;
    try {
      parseSelector(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ThresholdSyntaxError);
    expect((error as ThresholdSyntaxError).problem).toBe(problem);
    expect((error as ThresholdSyntaxError).column).toBe(column);
  });
});

describe('parseThreshold', () => {
  it('combines selector, expression and options with their defaults', () => {
    expect(parseThreshold('video_recv_fps{group:viewers}', 'p(5) > 20')).toEqual({
      key: 'video_recv_fps{group:viewers}',
      metric: 'video_recv_fps',
      filter: { group: 'viewers' },
      expression: 'p(5) > 20',
      parsed: { aggregation: { kind: 'p', percentile: 5 }, op: '>', value: 20 },
      abortOnFail: false,
      delayAbortEvalMs: 0,
    });
    expect(parseThreshold('video_recv_fps', 'avg > 1', { abortOnFail: true, delayAbortEvalMs: 10_000 })).toMatchObject({
      abortOnFail: true,
      delayAbortEvalMs: 10_000,
    });
  });
});
