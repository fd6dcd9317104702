// Reports of a real run, as a CI job uses them: the CLI runs a short scenario (two groups, a
// network change) against a baseline, exits 99 for the regression while its thresholds pass, and
// writes results.json, junit.xml (checked against the JUnit schema), summary.md and report.html.
// The report is opened in headless Chromium with the network off: its charts must have drawn
// data, with no console error and no request leaving the file. A screenshot is kept in
// test-output/reports/.
//
// The baseline is synthetic (a results.json claiming 100 fps for the callers): that makes the
// regression certain without a second run on this 2-core machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { leftoverProcesses, REPO_ROOT, runCli, type CliRun } from '../support/cli.ts';
import { readResults } from '../support/results.ts';
import { launchChromium } from '../../harness/src/participants/chromium.ts';
import { exampleResults, groupAggregates } from '../../harness/src/results/example.fixture.ts';
import type { RunResults } from '../../harness/src/results/schema.ts';
import type { RenderedReport } from '../../harness/src/reporters/html/payload.ts';

const XSD = fileURLToPath(new URL('../../harness/src/reporters/junit.xsd', import.meta.url));
const SHOT_DIR = join(REPO_ROOT, 'test-output', 'reports');
const out = mkdtempSync(join(tmpdir(), 'rtc-harness-reports-'));
const baselineFile = join(out, '..', `${out.split('/').pop()}-baseline.json`);
let run: CliRun;
let results: RunResults;

beforeAll(async () => {
  const baseline = exampleResults({
    scenario: 'reports',
    scenarioFile: 'test/fixtures/reports.scenario.ts',
    durationSeconds: 12,
    thresholds: [],
    groups: [{ name: 'callers', count: 2, aggregates: { video_recv_fps: groupAggregates(100 / 29.9).video_recv_fps! } }],
  });
  writeFileSync(baselineFile, JSON.stringify(baseline));
  run = await runCli(['run', 'test/fixtures/reports.scenario.ts', '--out', out, '--baseline', baselineFile], { timeoutMs: 100_000 });
  console.log(`reports run: exit ${run.code} in ${(run.wallMs / 1000).toFixed(1)} s`);
  results = readResults(out);
}, 110_000);

afterAll(async () => {
  expect(await leftoverProcesses(run)).toEqual([]);
});

describe('a run gated on a baseline', () => {
  it('exits 99 for the regression although every threshold passed, and says why', () => {
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(results.verdict, run.stdout + run.stderr).toBe('pass');
    expect(run.code, run.stdout + run.stderr).toBe(99);
    expect(results.baseline?.regressed).toBe(true);
    const fps = results.baseline!.rows.find((r) => r.metric === 'video_recv_fps' && r.subject === 'callers')!;
    expect(fps).toMatchObject({ status: 'regressed', baseline: 100, stat: 'p50' });
    expect(run.stdout).toMatch(/✗ video_recv_fps \(callers\) p50\s+100 fps/);
    expect(run.stdout).toContain('verdict: PASS REGRESSED against the baseline');
    expect(run.stdout).toContain(`reports: ${join(out, 'report.html')}, ${join(out, 'junit.xml')}, ${join(out, 'summary.md')}`);
  });

  it('records what reproduces the run', () => {
    const env = results.environment;
    expect(env.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(env.chromium).toMatch(/Chrome\/\d+/);
    expect(env.mediasoup).toMatch(/^3\.\d+\.\d+$/);
    expect(env.cores).toBeGreaterThan(0);
    expect(env.memoryGiB).toBeGreaterThan(0);
    expect(results.seed).toBe(7);
    expect(results.timelineStartUnixMs).toBeGreaterThan(Date.parse(results.startedAt));
  });

  it('writes JUnit XML that the schema accepts, with the regression as a failure', () => {
    const junit = join(out, 'junit.xml');
    const check = spawnSync('xmllint', ['--noout', '--schema', XSD, junit], { encoding: 'utf8' });
    expect(check.error, 'xmllint is needed: apt-get install -y libxml2-utils').toBeUndefined();
    expect(check.status, check.stderr).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<failure message="video_recv_fps \(callers\) p50 regressed: [\d.]+ fps vs 100 fps in the baseline/);
    expect(xml).toContain('<testcase name="video_recv_fps{group:callers} med &gt; 5" classname="rtc-harness.reports.thresholds"');
    expect(xml).toContain('<testcase name="mobile[0] connects and stays" classname="rtc-harness.reports.participants.mobile"');
  });

  it('writes a Markdown summary with the verdict, the regression and the thresholds', () => {
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('## ✅ PASS · ❌ REGRESSED · rtc-harness · reports');
    expect(md).toMatch(/\| ✅ \| `video_recv_fps\{group:callers\}` `med > 5` \| [\d.]+ fps \|/);
    expect(md).toMatch(/\| ✗ regressed \| video_recv_fps \(callers\) p50 \| 100 fps \|/);
    expect(md).toContain('rtc-harness run test/fixtures/reports.scenario.ts --seed 7');
  });
});

describe('rtc-harness compare', () => {
  it('exits 0 for a run against itself, 99 against the better baseline, 1 for a missing file', async () => {
    const same = await runCli(['compare', join(out, 'results.json'), out]);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toMatch(/unchanged: no regression/);
    const worse = await runCli(['compare', baselineFile, out, '--format', 'markdown']);
    expect(worse.code).toBe(99);
    expect(worse.stdout).toContain('## ❌ Regressed against the baseline');
    // A generous enough tolerance lets the same drop pass.
    const tolerant = await runCli(['compare', baselineFile, out, '--tolerance', 'video_recv_fps=95%']);
    expect(tolerant.code, tolerant.stdout).toBe(0);
    const missing = await runCli(['compare', join(out, 'nope.json'), out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/baseline file .*nope\.json does not exist/);
  });
});

describe('the HTML report, opened offline in headless Chromium', () => {
  it('draws every chart with data, the network settings and the timeline, without console errors', async () => {
    const chromium = await launchChromium();
    try {
      const page = await chromium.browser.newPage();
      await page.setViewport({ width: 1400, height: 900 });
      const problems: string[] = [];
      const leftFile: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') problems.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
      await page.setOfflineMode(true);
      await page.setRequestInterception(true);
      page.on('request', (req) => {
        if (req.url().startsWith('file:')) void req.continue();
        else {
          leftFile.push(req.url());
          void req.abort();
        }
      });
      await page.goto(`file://${join(out, 'report.html')}`, { waitUntil: 'load' });
      await page.waitForFunction(() => document.body.dataset.rendered !== undefined, { timeout: 10_000 });
      const rendered = (await page.evaluate(() => window.rtcReport)) as RenderedReport;
      expect(rendered.errors).toEqual([]);
      const ids = rendered.charts.map((c) => c.id);
      for (const id of ['overview-recv_fps', 'callers-recv_kbps', 'callers-recv_fps', 'callers-rtt', 'mobile-recv_fps', 'mobile-set_rate', 'mobile-set_loss', 'mobile-link_kbps', 'run_cpu']) {
        expect(ids, `chart ${id}`).toContain(id);
      }
      for (const c of rendered.charts) {
        expect(c.points, `points of ${c.id}`).toBeGreaterThan(0);
        expect(c.width, `width of ${c.id}`).toBeGreaterThan(300);
      }
      // What uPlot drew: every chart's canvas has coloured pixels (series lines; axes and grid are grey).
      const colouredPerChart = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-chart]')].map((host) => {
          const canvas = host.querySelector('canvas')!;
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          let coloured = 0;
          for (let i = 0; i < data.length; i += 4) {
            const [r, g, b, a] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
            if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
          }
          return { id: host.dataset.chart!, coloured };
        }),
      );
      expect(colouredPerChart.length).toBe(rendered.charts.length);
      for (const c of colouredPerChart) expect(c.coloured, `coloured pixels of ${c.id}`).toBeGreaterThan(100);
      // The timeline's network change is in the actions table and marks the mobile group's charts.
      expect(await page.$eval('#actions', (el) => el.textContent)).toMatch(/network\s*mobile\[0\]/);
      expect(await page.$eval('#thresholds', (el) => el.textContent)).toContain('video_recv_fps{group:callers}');
      expect(await page.$eval('#baseline h2', (el) => el.textContent)).toContain('Regressed');
      expect(problems).toEqual([]);
      expect(leftFile).toEqual([]);
      mkdirSync(SHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SHOT_DIR, 'report.png'), fullPage: true });
      await (await page.$('#group-mobile'))!.screenshot({ path: join(SHOT_DIR, 'report-mobile.png') });
    } finally {
      await chromium.close();
    }
  });
});
