// Live metrics, end to end: the CLI runs real scenarios with the embedded Prometheus (Debian's
// /usr/bin/prometheus), then the Prometheus data the run kept is reopened and every panel query of
// every dashboard (variables resolved from that data, as Grafana would) must return data. Grafana
// itself cannot run here; what it relies on in the JSON is checked in dashboards.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { leftoverProcesses, REPO_ROOT, runCli, type CliRun } from '../support/cli.ts';
import { checkAgainstData } from '../support/dashboard-data.ts';
import { readResults, readSamples } from '../support/results.ts';
import { PrometheusApi } from '../../harness/src/prometheus/api.ts';
import { scrapeConfig } from '../../harness/src/prometheus/embedded.ts';
import { openHistory } from '../../harness/src/prometheus/history.ts';
import { startPushgateway } from '../../harness/src/prometheus/pushgateway.ts';
import type { Daemon } from '../../harness/src/prometheus/process.ts';
import type { RunResults } from '../../harness/src/results/schema.ts';

const dirs: string[] = [];
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const outDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-prom-'));
  dirs.push(dir);
  return dir;
};

/** Runs the CLI; while it runs, fetches its /metrics once (as Prometheus would) to measure a scrape. */
async function runWithScrape(args: string[], scrapeAtMs: number): Promise<{ run: CliRun; scrapeBytes: number | null; scrapeText: string }> {
  let scrapeBytes: number | null = null;
  let scrapeText = '';
  let pending: Promise<void> = Promise.resolve();
  const run = await runCli(args, {
    onSpawn: (child) => {
      let out = '';
      let timer: NodeJS.Timeout | undefined;
      child.stdout?.on('data', (d) => {
        out += d;
        const url = /metrics at (http:\/\/\S+\/metrics)/.exec(out)?.[1];
        if (url && !timer) {
          timer = setTimeout(() => {
            pending = fetch(url)
              .then((r) => r.text())
              .then((t) => {
                scrapeText = t;
                scrapeBytes = Buffer.byteLength(t);
              })
              .catch(() => {});
          }, scrapeAtMs);
        }
      });
      child.on('close', () => clearTimeout(timer));
    },
  });
  await pending;
  return { run, scrapeBytes, scrapeText };
}

async function reopen(out: string) {
  const started = Date.now();
  const prometheus = await openHistory(out);
  stops.push(() => prometheus.stop());
  return { prometheus, api: new PrometheusApi(prometheus.url), reopenMs: Date.now() - started };
}

function expectCompleted(run: CliRun, out: string): RunResults {
  expect(run.stderr, run.stdout + run.stderr).not.toMatch(/\n\s+at |could not start the Prometheus export/);
  // 2 is allowed: on a busy machine the load guard can call the run invalid; its metrics still count.
  expect([0, 2, 99], run.stdout + run.stderr).toContain(run.code);
  const results = readResults(out);
  for (const p of results.participants) expect(p.connected, `${p.id} connected`).toBe(true);
  return results;
}

describe('rtc-harness run --prometheus', () => {
  it('serves /metrics during the run, keeps the history, and every dashboard panel returns data', async () => {
    const out = outDir();
    const startSeconds = Date.now() / 1000;
    const { run, scrapeBytes, scrapeText } = await runWithScrape(['run', 'scenarios/smoke.scenario.ts', '--prometheus', '--out', out], 12_000);
    const endSeconds = Date.now() / 1000;
    expectCompleted(run, out);
    const readyMs = Number(/Prometheus at \S+ \(ready in (\d+) ms/.exec(run.stdout)?.[1]);
    expect(readyMs, run.stdout).toBeGreaterThan(0);
    expect(await leftoverProcesses(run), 'processes left behind').toEqual([]);
    // A scrape mid-run: labelled by run and participant, never by stream id.
    expect(scrapeText).toMatch(new RegExp(`rtc_video_recv_fps\\{run="${basename(out)}",scenario="smoke",group="callers",participant="callers\\[\\d\\]",kind="video",direction="in"\\} [\\d.]+`));
    expect(scrapeText).not.toMatch(/pc\d+\/(in|out)\//);
    expect(existsSync(join(out, 'prometheus', 'prometheus.yml'))).toBe(true);

    const { api, reopenMs } = await reopen(out);
    const runId = basename(out);
    // The final values were scraped: the last sample of the run is older than the last scrape.
    const lastSampleSeconds = Math.max(...readSamples(out).map((s) => s.t)) / 1000;
    const lastScrape = await api.query(`max(timestamp(rtc_run_info{run="${runId}"}))`, endSeconds);
    expect(Number(lastScrape[0]?.value?.[1])).toBeGreaterThanOrEqual(lastSampleSeconds);
    const seriesAtEnd = await api.query(`rtc_exporter_series{run="${runId}"}`, endSeconds);
    const samplesScraped = await api.query(`max by (job) (max_over_time(scrape_samples_scraped[${Math.ceil(endSeconds - startSeconds)}s]))`, endSeconds);

    // participant.json is checked on the layers-and-links run: its renegotiation, ICE restart and
    // media-gap panels need timeline actions that smoke does not have.
    const files = ['call-quality.json', 'sfu.json', 'comparison.json'];
    const { failures, queries } = await checkAgainstData(api, files, runId, { startSeconds, endSeconds });
    console.log(
      `smoke --prometheus: exit ${run.code}, wall ${(run.wallMs / 1000).toFixed(1)} s; Prometheus ready in ${readyMs} ms, reopened in ${reopenMs} ms; ` +
        `scrape ${scrapeBytes} bytes, ${seriesAtEnd[0]?.value?.[1]} harness series; samples per scrape by job ${JSON.stringify(samplesScraped.map((s) => [s.metric.job, s.value?.[1]]))}; ` +
        `${queries} panel queries checked`,
    );
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThan(45);

    // The same check fails for a panel naming a metric that does not exist.
    const bogus = await api.queryRange(`rtc_video_recv_fpss{run="${runId}"}`, startSeconds, endSeconds, 2);
    expect(bogus).toEqual([]);
  }, 180_000);

  it('proves the simulcast, network and participant dashboards on a run with layers, links and timeline actions', async () => {
    const out = outDir();
    const startSeconds = Date.now() / 1000;
    const run = await runCli(['run', 'test/fixtures/layers-and-links.scenario.ts', '--prometheus', '--out', out, '--quiet']);
    const endSeconds = Date.now() / 1000;
    expectCompleted(run, out);
    expect(await leftoverProcesses(run)).toEqual([]);
    const { api } = await reopen(out);
    const { failures, queries } = await checkAgainstData(api, ['simulcast.json', 'network.json', 'participant.json'], basename(out), { startSeconds, endSeconds });
    console.log(`layers-and-links --prometheus: exit ${run.code}, wall ${(run.wallMs / 1000).toFixed(1)} s, ${queries} panel queries checked`);
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThan(80);
  }, 150_000);

  it('pushes to an existing Pushgateway that Prometheus scrapes, and deletes its group at the end', async () => {
    const gatewayDir = outDir();
    const gateway: Daemon = await startPushgateway({ dir: gatewayDir });
    stops.push(() => gateway.stop());
    const out = outDir();
    const runId = basename(out);
    const startSeconds = Date.now() / 1000;
    const run = await runCli(['run', 'scenarios/smoke.scenario.ts', '--duration', '6s', '--prometheus', '--pushgateway-url', gateway.url, '--out', out, '--quiet']);
    const endSeconds = Date.now() / 1000;
    expectCompleted(run, out);
    expect(await leftoverProcesses(run)).toEqual([]);

    // The gateway no longer holds the run's group.
    const groups = (await (await fetch(`${gateway.url}/api/v1/metrics`)).json()) as { data: { labels: Record<string, string> }[] };
    expect(groups.data.filter((g) => g.labels.run === runId)).toEqual([]);

    // Prometheus got the harness's metrics through the gateway (job and instance of the push), not directly.
    const { api } = await reopen(out);
    const info = await api.queryRange(`rtc_run_info{run="${runId}"}`, startSeconds, endSeconds, 1);
    expect(info.length).toBe(1);
    expect(info[0]!.metric).toMatchObject({ job: 'rtc-harness', run: runId, scenario: 'smoke' });
    expect(info[0]!.metric.instance).toMatch(/-\d+$/);
    const fps = await api.queryRange(`rtc_video_recv_fps{run="${runId}"}`, startSeconds, endSeconds, 1);
    expect(fps.length).toBeGreaterThan(0);
    const lastSampleSeconds = Math.max(...readSamples(out).map((s) => s.t)) / 1000;
    const lastScrape = await api.query(`max(timestamp(rtc_run_info{run="${runId}"}))`, endSeconds);
    expect(Number(lastScrape[0]?.value?.[1])).toBeGreaterThanOrEqual(lastSampleSeconds);
    console.log(`smoke 6 s --pushgateway-url: exit ${run.code}, wall ${(run.wallMs / 1000).toFixed(1)} s`);
  }, 120_000);

  it('rejects --prometheus-url without a way to reach the metrics, with exit 1', async () => {
    const run = await runCli(['run', 'scenarios/smoke.scenario.ts', '--prometheus-url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--prometheus-url needs .*--metrics-port/);
  });
});

describe('docker-compose.yml', () => {
  // Docker's v2 plugin (`docker compose`) is not installable here (no internet beyond npm and
  // Debian); Debian's docker-compose 1.29 validates the file against the Compose spec schema it
  // bundles, offline and without a Docker engine.
  it('is accepted by docker-compose config', () => {
    let output: string;
    try {
      output = execFileSync('docker-compose', ['-f', join(REPO_ROOT, 'docker-compose.yml'), 'config'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { code?: string; stderr?: string; message: string };
      if (e.code === 'ENOENT') throw new Error('docker-compose is missing: apt-get install docker-compose (npm run setup installs it)');
      throw new Error(`docker-compose config rejected the file: ${e.stderr ?? e.message}`);
    }
    for (const service of ['sfu', 'coturn', 'prometheus', 'pushgateway', 'grafana', 'harness']) expect(output).toMatch(new RegExp(`^  ${service}:`, 'm'));
  });

  it("the stack's Prometheus config and the embedded one pass promtool", () => {
    const dir = outDir();
    mkdirSync(join(dir, 'targets'));
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(scrapeConfig(1000)));
    for (const file of [join(REPO_ROOT, 'dashboards/provisioning/prometheus/prometheus.yml'), join(dir, 'prometheus.yml')]) {
      expect(execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8' })).toMatch(/SUCCESS/);
    }
  });
});
