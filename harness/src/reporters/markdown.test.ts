import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarkdownReporter, renderMarkdown } from './markdown.ts';
import { exampleResults } from '../results/example.fixture.ts';
import { compareRuns } from '../compare/compare.ts';

describe('Markdown summary', () => {
  it('a passing run: the verdict, every threshold with its measured value, the groups, how to reproduce', () => {
    const md = renderMarkdown(exampleResults(), { reportFiles: ['report.html', 'junit.xml'] });
    const lines = md.split('\n');
    expect(lines[0]).toBe('## ✅ PASS · rtc-harness · smoke');
    expect(md).toContain('20s · callers ×3 · 3/3 connected · seed 486607365 · Chrome/156.0.8078.108 · mediasoup 3.14.16 · commit `73b21df0c0ff`');
    expect(md).toContain('| ✅ | `video_recv_fps{group:callers}` `p(5) > 20` | 27.4 fps |  |');
    expect(md).toContain('| ✅ | `join_to_first_frame_ms` `p(95) < 5000` | 2123 ms |  |');
    expect(md).toMatch(/\| group \| connected \| recv fps p50 \| recv video p50 \| send video p50 \| RTT p95 \| loss p95 \| first frame p95 \| freezes max \|/);
    expect(md).toContain('| callers | 3/3 | 29.9 fps | 185 kbps | 270 kbps | 2.30 ms | 0% | 2415 ms | 0 s |');
    expect(md).toContain('rtc-harness run scenarios/smoke.scenario.ts --duration 20s --seed 486607365');
    expect(md).toContain('- reports: `report.html`, `junit.xml`');
    expect(md).not.toContain('Participants with problems');
    expect(md).not.toContain('baseline');
  });

  it('a failing run: why first, the failed threshold with the reason, the participants and actions that went wrong', () => {
    const base = exampleResults();
    const r = exampleResults({
      verdict: 'fail',
      verdictReason: '1 threshold(s) failed: video_recv_fps{group:callers} p(5) > 20',
      thresholds: base.thresholds.map((t) => (t.metric === 'video_recv_fps' ? { ...t, ok: false, actual: 12.25, reason: 'p(5) was 12.25 over 120 samples, needs > 20' } : t)),
    });
    r.participants[1] = { ...r.participants[1]!, connected: false, error: 'join failed | timeout' };
    r.actions.push({ atMs: 5000, startedMs: 5001, do: 'mute', participant: 'callers[0]', ok: false, error: 'no camera', durationMs: 3 });
    const md = renderMarkdown(r);
    expect(md.split('\n').slice(0, 3)).toEqual(['## ❌ FAIL · rtc-harness · smoke', '', '> 1 threshold(s) failed: video_recv_fps{group:callers} p(5) > 20']);
    expect(md).toContain('| ❌ | `video_recv_fps{group:callers}` `p(5) > 20` | 12.3 fps | p(5) was 12.25 over 120 samples, needs > 20 |');
    expect(md).toContain('| callers | 2/3 |');
    // A | inside a cell is escaped, so the table keeps its columns.
    expect(md).toContain('| callers[1] | never connected: join failed \\| timeout |');
    expect(md).toContain('### Timeline actions: 1 of 4 failed');
    expect(md).toContain('| 5.0 s | mute | callers[0] | no camera |');
  });

  it('with a baseline: the regression in the title and a table of what changed', () => {
    const now = exampleResults();
    now.groups = [{ ...now.groups[0]!, aggregates: { ...now.groups[0]!.aggregates, video_recv_fps: { ...now.groups[0]!.aggregates.video_recv_fps!, p50: 21 } } }];
    now.baseline = compareRuns(exampleResults(), now, { baselineFile: 'main/results.json' });
    const md = renderMarkdown(now);
    expect(md.split('\n').slice(0, 3)).toEqual([
      '## ✅ PASS · ❌ REGRESSED · rtc-harness · smoke',
      '',
      '> 1 figure(s) regressed against the baseline: video_recv_fps (callers) p50 21 fps vs 29.9 fps (-29.8%)',
    ]);
    expect(md).toContain('### ❌ Regressed against the baseline');
    expect(md).toContain('| ✗ regressed | video_recv_fps (callers) p50 | 29.9 fps | 21 fps | -8.90 (-29.8%) | 10%:1 |');
  });

  it('an invalid run says so, and a run without thresholds says it cannot fail', () => {
    const md = renderMarkdown(exampleResults({ verdict: 'invalid', verdictReason: 'the load generator was saturated', thresholds: [] }));
    expect(md.split('\n')[0]).toBe('## ⚠️ INVALID · rtc-harness · smoke');
    expect(md).toContain('_None defined: the run cannot fail on quality.');
  });

  it('the reporter writes summary.md and appends to the GitHub job summary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-md-'));
    const step = join(dir, 'step-summary.md');
    writeFileSync(step, '# earlier step\n');
    new MarkdownReporter({ stepSummaryPath: step }).onEnd(exampleResults(), dir);
    const written = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(written.startsWith('## ✅ PASS')).toBe(true);
    expect(readFileSync(step, 'utf8')).toBe(`# earlier step\n${written}\n`);
  });
});
