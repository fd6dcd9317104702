import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReporters, DEFAULT_REPORTERS, parseReporterList } from './select.ts';
import { ReporterMux, type Reporter } from './reporter.ts';
import { exampleResults } from '../results/example.fixture.ts';

describe('parseReporterList', () => {
  it('reads names and name=path', () => {
    expect(parseReporterList('console, junit=reports/junit.xml,html')).toEqual([{ name: 'console' }, { name: 'junit', path: 'reports/junit.xml' }, { name: 'html' }]);
    expect(parseReporterList(DEFAULT_REPORTERS).map((c) => c.name)).toEqual(['console', 'html', 'junit', 'markdown']);
  });
  it('names the bad entry and what to write', () => {
    expect(() => parseReporterList('console,htm')).toThrow("unknown reporter 'htm' (did you mean html?); choose from console, json, junit, markdown, html");
    expect(() => parseReporterList('junit=')).toThrow(/a path after '=' is missing/);
    expect(() => parseReporterList('console=x.txt')).toThrow(/takes no path/);
    expect(() => parseReporterList('html,html')).toThrow(/listed twice/);
    expect(() => parseReporterList(' , ')).toThrow(/no reporter given/);
  });
});

describe('createReporters', () => {
  it('the file reporters write where they are told, and the console lists the files', () => {
    const created = createReporters(parseReporterList('console,junit=x/j.xml,markdown'), { outDir: 'out' });
    expect(created.reporters.map((r) => r.name)).toEqual(['console', 'junit', 'markdown']);
    expect(created.files).toEqual(['x/j.xml', join('out', 'summary.md')]);
    expect(created.reporters[0]).toBe(created.console);
  });

  it('one failing reporter costs its own output only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-mux-'));
    const broken: Reporter = {
      name: 'broken',
      onEnd() {
        throw new Error('disk full');
      },
    };
    const { reporters } = createReporters(parseReporterList('junit,markdown,json=' + join(dir, 'copy.json')), { outDir: dir });
    const mux = new ReporterMux([broken, ...reporters]);
    const stderr = process.stderr.write;
    const stepSummary = process.env.GITHUB_STEP_SUMMARY;
    // The mux reports the failure on stderr (kept quiet here); a CI job summary is no place for a test's output.
    process.stderr.write = (() => true) as typeof process.stderr.write;
    delete process.env.GITHUB_STEP_SUMMARY;
    try {
      await mux.onEnd(exampleResults(), dir);
    } finally {
      process.stderr.write = stderr;
      if (stepSummary !== undefined) process.env.GITHUB_STEP_SUMMARY = stepSummary;
    }
    expect(mux.failures).toEqual([{ reporter: 'broken', error: 'disk full' }]);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite name="smoke"');
    expect(existsSync(join(dir, 'summary.md'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'copy.json'), 'utf8')).scenario).toBe('smoke');
  });
});
