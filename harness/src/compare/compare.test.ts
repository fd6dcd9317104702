import { describe, expect, it } from 'vitest';
import { compareRuns, judge, statFor } from './compare.ts';
import { comparisonMarkdown, comparisonText } from './format.ts';
import { parseTolerances, toleranceFor, ToleranceError } from './tolerance.ts';
import { agg, exampleResults, groupAggregates } from '../results/example.fixture.ts';
import type { RunResults } from '../results/schema.ts';

/** The example run with one group aggregate's stats scaled by `factor`. */
function withGroupMetric(metric: string, factor: number, base = exampleResults()): RunResults {
  const aggregates = structuredClone(base.groups[0]!.aggregates);
  const a = aggregates[metric]!;
  for (const k of ['min', 'max', 'avg', 'p50', 'p90', 'p95', 'p99', 'last'] as const) a[k] *= factor;
  return { ...base, groups: [{ ...base.groups[0]!, aggregates }] };
}

const row = (c: ReturnType<typeof compareRuns>, metric: string, source: 'group' | 'threshold' = 'group') =>
  c.rows.find((r) => r.metric === metric && r.source === source)!;

describe('judge', () => {
  const tol = { relativePct: 10, absolute: 1 };
  it('higher is better: a drop past the tolerance regresses, within it does not', () => {
    expect(judge(30, 26.5, 'higher', tol).status).toBe('regressed'); // -11.7%, allowed 3
    expect(judge(30, 27.5, 'higher', tol).status).toBe('unchanged'); // -8.3%
    expect(judge(30, 27, 'higher', tol).status).toBe('unchanged'); // exactly at the tolerance
    expect(judge(30, 34, 'higher', tol).status).toBe('improved');
  });
  it('lower is better: a rise past the tolerance regresses', () => {
    expect(judge(100, 115, 'lower', tol)).toMatchObject({ status: 'regressed', delta: 15, deltaPct: 15, allowed: 10 });
    expect(judge(100, 105, 'lower', tol).status).toBe('unchanged');
    expect(judge(100, 80, 'lower', tol).status).toBe('improved');
  });
  it('the absolute floor keeps noise on small values from failing', () => {
    // RTT 2 ms -> 3 ms is +50%, but within the 10 ms floor for ms.
    expect(judge(2, 3, 'lower', toleranceFor('rtt_ms'))).toMatchObject({ status: 'unchanged', allowed: 10 });
    expect(judge(2, 13, 'lower', toleranceFor('rtt_ms')).status).toBe('regressed');
    // Loss 0% -> 0.5%: no relative change is defined, the 1-point floor decides.
    expect(judge(0, 0.5, 'lower', toleranceFor('recv_loss_percent'))).toMatchObject({ status: 'unchanged', deltaPct: null });
    expect(judge(0, 1.5, 'lower', toleranceFor('recv_loss_percent')).status).toBe('regressed');
  });
  it('a figure on one side only is missing or new, never a regression', () => {
    expect(judge(30, null, 'higher', tol).status).toBe('missing');
    expect(judge(null, 30, 'higher', tol).status).toBe('new');
  });
});

describe('statFor', () => {
  it('compares the aggregate that matters in the direction that matters', () => {
    expect(statFor('video_recv_fps')).toBe('p50');
    expect(statFor('rtt_ms')).toBe('p95');
    expect(statFor('join_to_first_frame_ms')).toBe('p95');
    expect(statFor('video_freeze_seconds_total')).toBe('max');
    expect(statFor('connected')).toBe('avg');
  });
});

describe('compareRuns', () => {
  it('finds nothing to report when a run is compared with itself', () => {
    const c = compareRuns(exampleResults(), exampleResults());
    expect(c.regressed).toBe(false);
    expect(c.warnings).toEqual([]);
    expect(c.rows.every((r) => r.status === 'unchanged')).toBe(true);
    // Metrics without a better direction (audio bitrate) are not compared.
    expect(c.rows.some((r) => r.metric === 'audio_recv_bitrate_kbps')).toBe(false);
  });

  it('an improvement passes and is reported as improved', () => {
    const c = compareRuns(exampleResults(), withGroupMetric('video_recv_fps', 1.2));
    expect(row(c, 'video_recv_fps')).toMatchObject({ status: 'improved', stat: 'p50', better: 'higher' });
    expect(c.regressed).toBe(false);
  });

  it('a regression within the tolerance passes', () => {
    const c = compareRuns(exampleResults(), withGroupMetric('video_recv_fps', 0.93));
    expect(row(c, 'video_recv_fps').status).toBe('unchanged');
    expect(row(c, 'video_recv_fps').delta).toBeLessThan(0);
    expect(c.regressed).toBe(false);
  });

  it('a regression past the tolerance fails, in either direction of better', () => {
    const fps = compareRuns(exampleResults(), withGroupMetric('video_recv_fps', 0.85));
    expect(row(fps, 'video_recv_fps').status).toBe('regressed');
    expect(fps.regressed).toBe(true);
    const firstFrame = compareRuns(exampleResults(), withGroupMetric('join_to_first_frame_ms', 1.3));
    expect(row(firstFrame, 'join_to_first_frame_ms')).toMatchObject({ status: 'regressed', stat: 'p95', better: 'lower' });
  });

  it('catches a slow slide of a threshold value that still passes (fps p5 down 12%)', () => {
    const base = exampleResults();
    const now = exampleResults({ thresholds: base.thresholds.map((t) => (t.metric === 'video_recv_fps' ? { ...t, actual: t.actual! * 0.88 } : t)) });
    const c = compareRuns(base, now);
    expect(now.thresholds.every((t) => t.ok)).toBe(true);
    expect(row(c, 'video_recv_fps', 'threshold')).toMatchObject({ status: 'regressed', stat: 'p(5)', better: 'higher', subject: 'video_recv_fps{group:callers} p(5) > 20' });
    expect(c.regressed).toBe(true);
  });

  it('per-metric tolerances override the default', () => {
    const now = withGroupMetric('video_recv_fps', 0.85);
    expect(compareRuns(exampleResults(), now, { tolerances: parseTolerances(['video_recv_fps=20%']) }).regressed).toBe(false);
    expect(compareRuns(exampleResults(), now, { tolerances: parseTolerances(['*=20%']) }).regressed).toBe(false);
    expect(compareRuns(exampleResults(), now, { tolerances: parseTolerances(['video_recv_fps=3']) }).regressed).toBe(true);
  });

  it('compares the steady figures by default, and any other one given a tolerance', () => {
    const base = exampleResults();
    base.groups[0]!.aggregates.available_outgoing_bitrate_kbps = agg(3700);
    const now = withGroupMetric('available_outgoing_bitrate_kbps', 0.8, base);
    // The bandwidth estimate swings between identical runs: not compared unless asked for.
    expect(compareRuns(base, now).rows.some((r) => r.metric === 'available_outgoing_bitrate_kbps')).toBe(false);
    const asked = compareRuns(base, now, { tolerances: parseTolerances(['available_outgoing_bitrate_kbps=15%']) });
    expect(row(asked, 'available_outgoing_bitrate_kbps')).toMatchObject({ status: 'regressed', stat: 'p50' });
    expect(() => parseTolerances(['audio_recv_bitrate_kbps=10%'])).toThrow(/neither a better nor a worse direction/);
  });

  it('warns when the runs are not comparable, and still compares', () => {
    const base = exampleResults({ scenario: 'other', verdict: 'fail', groups: [{ ...exampleResults().groups[0]!, count: 5 }] });
    const c = compareRuns(base, exampleResults(), { baselineFile: 'base.json' });
    expect(c.warnings.join('\n')).toMatch(/different scenarios.*'other'.*'smoke'/);
    expect(c.warnings.join('\n')).toMatch(/verdict was 'fail'/);
    expect(c.warnings.join('\n')).toMatch(/callers has 3 participant\(s\), the baseline had 5/);
    expect(c.rows.length).toBeGreaterThan(5);
  });

  it('a figure that disappeared is missing and warned about, not a regression', () => {
    const now = exampleResults();
    const { video_recv_fps: _gone, ...rest } = groupAggregates();
    now.groups = [{ ...now.groups[0]!, aggregates: rest }];
    const c = compareRuns(exampleResults(), now);
    expect(row(c, 'video_recv_fps').status).toBe('missing');
    expect(c.regressed).toBe(false);
    expect(c.warnings.join('\n')).toContain('video_recv_fps (callers)');
  });
});

describe('parseTolerances', () => {
  it('reads relative, absolute, both, and the default', () => {
    const t = parseTolerances(['video_recv_fps=15%', 'rtt_ms=20,recv_loss_percent=5%:2', '*=12.5%']);
    expect(t.defaultRelativePct).toBe(12.5);
    expect(t.overrides.video_recv_fps).toEqual({ relativePct: 15, absolute: 1 });
    expect(t.overrides.rtt_ms).toEqual({ relativePct: 0, absolute: 20 });
    expect(t.overrides.recv_loss_percent).toEqual({ relativePct: 5, absolute: 2 });
    expect(toleranceFor('video_recv_bitrate_kbps', t)).toEqual({ relativePct: 12.5, absolute: 25 });
  });
  it('rejects what it cannot read, saying what to write', () => {
    expect(() => parseTolerances(['video_recv_fsp=10%'])).toThrow(/unknown metric 'video_recv_fsp' \(did you mean video_recv_fps\?\)/);
    expect(() => parseTolerances(['rtt_ms=ten'])).toThrow(ToleranceError);
    expect(() => parseTolerances(['rtt_ms=ten'])).toThrow(/write 15% \(relative\), 20 \(absolute/);
    expect(() => parseTolerances(['15%'])).toThrow(/expected metric=15%/);
    expect(() => parseTolerances(['*=5'])).toThrow(/'\*' takes a percentage only/);
  });
});

describe('formatting', () => {
  it('the text puts regressions first and says the verdict', () => {
    const c = compareRuns(exampleResults(), withGroupMetric('video_recv_fps', 0.8), { baselineFile: 'base/results.json' });
    const text = comparisonText(c);
    const lines = text.split('\n');
    expect(lines[0]).toContain('compared with base/results.json (smoke, 2026-11-26T10:03:16.764Z, commit 73b21df0c0ff)');
    expect(lines[2]).toMatch(/✗ video_recv_fps \(callers\) p50\s+29\.9 fps\s+23\.9 fps\s+-5\.98 \(-20\.0%\)\s+10%:1/);
    expect(lines.at(-1)).toMatch(/1 regressed, .*unchanged: REGRESSED/);
    expect(comparisonText(c, { all: false }).split('\n').length).toBe(4);
  });
  it('the Markdown has the notable rows in a table and every row folded away', () => {
    const md = comparisonMarkdown(compareRuns(exampleResults(), withGroupMetric('rtt_ms', 10)));
    expect(md).toContain('### ❌ Regressed against the baseline');
    expect(md).toMatch(/\| ✗ regressed \| rtt_ms \(callers\) p95 \| 2\.30 ms \| 23 ms \| \+20\.7 \(\+900%\) \| 10%:10 \|/);
    expect(md).toContain('<details><summary>Every compared figure</summary>');
  });
});
