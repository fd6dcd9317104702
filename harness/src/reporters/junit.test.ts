// The JUnit XML is checked against junit.xsd (next to the reporter): a schema written from the
// documented JUnit format that Jenkins, GitLab and GitHub's test-report actions read
// (testsuites > testsuite(name, tests, failures, errors, skipped, time, timestamp) >
// testcase(name, classname, time) > failure | error | skipped, system-out), with xmllint from
// Debian's libxml2-utils.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJUnit } from './junit.ts';
import { exampleResults } from '../results/example.fixture.ts';
import { compareRuns } from '../compare/compare.ts';
import type { RunResults } from '../results/schema.ts';

const XSD = fileURLToPath(new URL('./junit.xsd', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-junit-'));

function xmllint(args: string[]): { code: number; out: string } {
  const r = spawnSync('xmllint', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed for this test: apt-get install -y libxml2-utils (${r.error.message})`);
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Writes the XML, validates it against the schema (throws with xmllint's words), returns its path. */
function validated(xml: string, name: string): string {
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  const r = xmllint(['--noout', '--schema', XSD, file]);
  if (r.code !== 0) throw new Error(`${name}: junit.xsd rejects the report:\n${r.out}\n${xml}`);
  return file;
}

const xpath = (file: string, expr: string) => execFileSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' }).trim();

function failingRun(): RunResults {
  const base = exampleResults();
  const r = exampleResults({
    verdict: 'fail',
    verdictReason: '1 threshold(s) failed: video_recv_fps{group:callers} p(5) > 20',
    thresholds: base.thresholds.map((t) =>
      t.metric === 'video_recv_fps' ? { ...t, ok: false, actual: 12.25, reason: 'p(5) was 12.25 over 120 samples, needs > 20' } : t,
    ),
  });
  r.participants[1] = { ...r.participants[1]!, connected: false, error: 'join failed: timeout waiting for transport <connect> & "ice"' };
  r.participants[2] = { ...r.participants[2]!, error: 'page crashed \x1b[31m(renderer gone)\x1b[0m' };
  r.actions.push({ atMs: 5000, startedMs: 5001, do: 'mute', participant: 'callers[0]', ok: false, error: 'no camera', durationMs: 3 });
  return r;
}

describe('JUnit XML', () => {
  it('the schema itself rejects what CI readers would not read (so the check can fail)', () => {
    const bad = '<?xml version="1.0"?><testsuites><testsuite name="x" tests="1" failures="0" errors="0"><testcase name="no classname" time="0"/></testsuite></testsuites>';
    const file = join(dir, 'bad.xml');
    writeFileSync(file, bad);
    const r = xmllint(['--noout', '--schema', XSD, file]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/classname/);
  });

  it('a passing run: valid, a test case per threshold and participant plus the run, none failing', () => {
    const file = validated(renderJUnit(exampleResults()), 'pass');
    expect(xpath(file, 'count(//testcase)')).toBe(String(1 + 3 + 3));
    expect(xpath(file, 'string(/testsuites/testsuite/@tests)')).toBe('7');
    expect(xpath(file, 'string(/testsuites/testsuite/@failures)')).toBe('0');
    expect(xpath(file, 'count(//failure|//error)')).toBe('0');
    expect(xpath(file, 'string(/testsuites/testsuite/@name)')).toBe('smoke');
    expect(xpath(file, 'string(/testsuites/testsuite/@timestamp)')).toBe('2026-11-26T10:03:16');
    expect(xpath(file, 'string(//property[@name="reproduce"]/@value)')).toBe('rtc-harness run scenarios/smoke.scenario.ts --duration 20s --seed 486607365');
    expect(xpath(file, 'string(//property[@name="gitCommit"]/@value)')).toBe('73b21df0c0ffee0000000000000000000000abcd');
  });

  it('a failing run: the threshold with its measured value, the participant that never connected, the one that dropped out', () => {
    const file = validated(renderJUnit(failingRun()), 'fail');
    expect(xpath(file, 'string(/testsuites/@failures)')).toBe('3');
    expect(xpath(file, 'string(/testsuites/testsuite/@failures)')).toBe('3');
    expect(xpath(file, 'string(/testsuites/testsuite/@errors)')).toBe('0');
    const threshold = xpath(file, 'string(//testcase[@classname="rtc-harness.smoke.thresholds"][failure]/failure/@message)');
    expect(threshold).toBe('video_recv_fps{group:callers} p(5) > 20 failed: p(5) was 12.25 over 120 samples, needs > 20');
    expect(xpath(file, 'string(//testcase[@classname="rtc-harness.smoke.thresholds"][failure]/failure/@type)')).toBe('threshold');
    expect(xpath(file, 'string(//testcase[@name="callers[1] connects and stays"]/failure/@message)')).toBe(
      'callers[1] never connected: join failed: timeout waiting for transport <connect> & "ice"',
    );
    // Colour codes are stripped: XML 1.0 cannot carry them, and they are noise in a CI page.
    expect(xpath(file, 'string(//testcase[@name="callers[2] connects and stays"]/failure/@message)')).toBe(
      'callers[2] connected, then dropped out: page crashed (renderer gone)',
    );
    expect(xpath(file, 'string(//testsuite/system-err)')).toContain('action mute callers[0] at 5.0 s failed: no camera');
  });

  it('an invalid run is an error, not a failure', () => {
    const r = exampleResults({ verdict: 'invalid', verdictReason: 'the load generator was saturated: CPU above 90% for 10 s' });
    const file = validated(renderJUnit(r), 'invalid');
    expect(xpath(file, 'string(/testsuites/testsuite/@errors)')).toBe('1');
    expect(xpath(file, 'string(//error/@type)')).toBe('invalid');
    expect(xpath(file, 'string(//error/@message)')).toContain('load generator was saturated');
  });

  it('a baseline comparison: a test case per figure, regressions failing with both values', () => {
    const base = exampleResults();
    const now = exampleResults();
    now.groups = [{ ...now.groups[0]!, aggregates: { ...now.groups[0]!.aggregates, video_recv_fps: { ...now.groups[0]!.aggregates.video_recv_fps!, p50: 21 } } }];
    delete now.groups[0]!.aggregates.rtt_ms;
    now.baseline = compareRuns(base, now, { baselineFile: 'baseline.json' });
    const file = validated(renderJUnit(now), 'baseline');
    const rows = now.baseline.rows.length;
    expect(xpath(file, 'count(//testcase[@classname="rtc-harness.smoke.baseline"])')).toBe(String(rows));
    expect(xpath(file, 'string(/testsuites/testsuite/@failures)')).toBe('1');
    expect(xpath(file, 'string(/testsuites/testsuite/@skipped)')).toBe('1');
    expect(xpath(file, 'string(//failure[@type="regression"]/@message)')).toBe(
      'video_recv_fps (callers) p50 regressed: 21 fps vs 29.9 fps in the baseline, -8.90 (-29.8%); tolerance 10%:1 (higher is better)',
    );
    expect(xpath(file, 'string(//testcase[skipped]/@name)')).toBe('rtt_ms (callers) p95');
  });
});
