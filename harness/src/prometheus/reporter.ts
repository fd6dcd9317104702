// Live metrics of a run, as a Reporter: the exporter fed with every sample, the /metrics
// endpoint, and (as asked) an embedded Prometheus, a Pushgateway (embedded or not), or an
// existing Prometheus. What it starts, it stops in onEnd (or close()), in reverse.
//
// The end of a run: the last values must reach Prometheus before /metrics and the gateway go.
// When a Prometheus is known (embedded or --prometheus-url), the reporter waits until it holds a
// sample of this run taken after the end (about one scrape interval), at most `lingerMs`; with no
// Prometheus to ask, it waits `lingerMs` (default 16 s: Prometheus' default 15 s interval + 1 s).
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Reporter, RunStartInfo } from '../reporters/reporter.ts';
import type { Point, Sample } from '../stats/types.ts';
import { PrometheusApi } from './api.ts';
import { startEmbeddedPrometheus, JOBS, type EmbeddedPrometheus } from './embedded.ts';
import { PrometheusExporter } from './exporter.ts';
import { startMetricsServer, type MetricsServer } from './http.ts';
import { OWN_METRICS } from './names.ts';
import type { Daemon } from './process.ts';
import { Pusher, startPushgateway } from './pushgateway.ts';

export interface PrometheusReporterOptions {
  /** Serve /metrics on this port (0: a free one). Default: a free port when the embedded Prometheus scrapes it, else no server. */
  metricsPort?: number;
  /** Address /metrics listens on. Default 127.0.0.1 (0.0.0.0 in a container that Prometheus scrapes from outside). */
  metricsHost?: string;
  /** Start Debian's Prometheus for the run; `dataDir` defaults to <out>/prometheus/data. Default: not started. */
  embedded?: { dataDir?: string; scrapeIntervalMs?: number };
  /** An existing Prometheus that scrapes this harness (or its gateway): checked at start, asked at the end. */
  prometheusUrl?: string;
  /** 'embedded' starts Debian's Pushgateway; a URL pushes to an existing one. Default: no pushing. */
  pushgateway?: 'embedded' | string;
  /** How often to push, ms. Default 5000. */
  pushIntervalMs?: number;
  /** Participants labelled individually per group (the rest: participant="_other"). Default 20. */
  maxParticipantsPerGroup?: number;
  /** The longest wait at the end for the last values to be scraped, ms. Default 16000. */
  lingerMs?: number;
  /** The `run` label. Default: the name of the run's output folder. */
  run?: string;
  /** Where to say what was started. Default: nowhere. */
  onLog?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export class PrometheusReporter implements Reporter {
  readonly name = 'prometheus';
  readonly #options: PrometheusReporterOptions;
  #exporter: PrometheusExporter | null = null;
  #run = '';
  #scenario = '';
  #server: MetricsServer | null = null;
  #prometheus: EmbeddedPrometheus | null = null;
  #gateway: Daemon | null = null;
  #pusher: Pusher | null = null;
  #pushTimer: NodeJS.Timeout | null = null;
  #pushing: Promise<void> = Promise.resolve();
  #started: Promise<void> | null = null;
  #closed: Promise<void> | null = null;

  constructor(options: PrometheusReporterOptions) {
    this.#options = options;
  }

  /** The URL of the Prometheus that holds this run (embedded or given), once started. */
  get prometheusUrl(): string | null {
    return this.#prometheus?.url ?? this.#options.prometheusUrl ?? null;
  }

  /** The harness's /metrics URL, when served. */
  get metricsUrl(): string | null {
    return this.#server?.metricsUrl ?? null;
  }

  get run(): string {
    return this.#run;
  }

  /**
   * Starts what the options ask for. Call it before the run to fail early (a missing binary, a
   * port in use); onStart calls it otherwise. On failure, what was started is stopped again.
   */
  start(info: Pick<RunStartInfo, 'scenario' | 'outDir' | 'groups' | 'seed'>): Promise<void> {
    return (this.#started ??= this.#start(info).catch(async (err) => {
      await this.close();
      throw err;
    }));
  }

  async #start(info: Pick<RunStartInfo, 'scenario' | 'outDir' | 'groups' | 'seed'>): Promise<void> {
    const o = this.#options;
    const log = o.onLog ?? (() => {});
    this.#run = o.run ?? basename(resolve(info.outDir));
    this.#scenario = info.scenario;
    const exporter = new PrometheusExporter({
      run: this.#run,
      scenario: info.scenario,
      seed: info.seed,
      groups: info.groups,
      maxParticipantsPerGroup: o.maxParticipantsPerGroup,
    });
    this.#exporter = exporter;
    const dir = join(info.outDir, 'prometheus');

    if (o.pushgateway) {
      let url = o.pushgateway;
      if (url === 'embedded') {
        mkdirSync(dir, { recursive: true });
        this.#gateway = await startPushgateway({ dir });
        url = this.#gateway.url;
        log('info', `Pushgateway at ${url}`);
      }
      this.#pusher = new Pusher({ url, run: this.#run, render: () => exporter.metrics(), contentType: exporter.contentType });
      await this.#pusher.push();
      this.#pushTimer = setInterval(() => this.#push(), o.pushIntervalMs ?? 5000);
    }
    // Pushed metrics reach Prometheus through the gateway: scraping /metrics too would double them.
    const scrapeDirectly = Boolean(o.embedded) && !o.pushgateway;
    if (o.metricsPort !== undefined || scrapeDirectly) {
      this.#server = await startMetricsServer(exporter, o.metricsHost ?? '127.0.0.1', o.metricsPort ?? 0);
      log('info', `metrics at ${this.#server.metricsUrl}`);
    }
    if (o.embedded) {
      const startedAt = Date.now();
      this.#prometheus = await startEmbeddedPrometheus({
        configDir: dir,
        dataDir: o.embedded.dataDir ?? join(dir, 'data'),
        scrapeIntervalMs: o.embedded.scrapeIntervalMs,
      });
      if (scrapeDirectly && this.#server) this.#prometheus.setTargets(JOBS.harness, [{ url: this.#server.metricsUrl }]);
      if (this.#gateway || o.pushgateway) this.#prometheus.setTargets(JOBS.pushgateway, [{ url: `${this.#gateway?.url ?? o.pushgateway}/metrics` }]);
      log('info', `Prometheus at ${this.#prometheus.url} (ready in ${Date.now() - startedAt} ms, data in ${this.#prometheus.dataDir})`);
    } else if (o.prometheusUrl && !(await new PrometheusApi(o.prometheusUrl, { timeoutMs: 3000 }).ready())) {
      log('warn', `Prometheus at ${o.prometheusUrl} is not ready; metrics are still served for it to scrape`);
    }
  }

  /** Where the bundled SFU serves its metrics: the embedded Prometheus scrapes it too. */
  addTarget(target: { name: 'sfu'; metricsUrl: string }): void {
    this.#prometheus?.setTargets(JOBS.sfu, [{ url: target.metricsUrl, labels: { run: this.#run, scenario: this.#scenario } }]);
  }

  async onStart(info: RunStartInfo): Promise<void> {
    await this.start(info);
  }

  onSample(sample: Sample | null, points: readonly Point[]): void {
    this.#exporter?.ingest(sample, points);
  }

  async onEnd(): Promise<void> {
    await this.close();
  }

  /** Final push, wait for the last scrape, delete the group, stop everything. Idempotent. */
  close(): Promise<void> {
    return (this.#closed ??= this.#close());
  }

  async #close(): Promise<void> {
    const log = this.#options.onLog ?? (() => {});
    if (this.#pushTimer) clearInterval(this.#pushTimer);
    await this.#pushing;
    const lingerMs = this.#options.lingerMs ?? 16_000;
    const scraped = this.#server !== null || this.#pusher !== null;
    if (this.#exporter && scraped) {
      try {
        if (this.#pusher) await this.#pusher.push();
        const finalSeconds = Date.now() / 1000;
        const url = this.prometheusUrl;
        if (url) {
          const waited = await this.#waitForScrape(new PrometheusApi(url, { timeoutMs: 2000 }), finalSeconds, lingerMs);
          if (!waited) log('warn', `Prometheus at ${url} has not scraped this run's final values after ${lingerMs} ms: is ${this.#pusher ? 'the gateway' : (this.metricsUrl ?? 'the harness')} in its scrape config?`);
        } else {
          await new Promise((r) => setTimeout(r, lingerMs));
        }
        await this.#pusher?.delete();
      } catch (err) {
        log('warn', `Prometheus export at the end: ${(err as Error).message}`);
      }
    }
    const steps: [string, (() => Promise<void>) | undefined][] = [
      ['Prometheus', this.#prometheus?.stop],
      ['Pushgateway', this.#gateway?.stop],
      ['/metrics server', this.#server?.close],
    ];
    for (const [name, stop] of steps) {
      try {
        await stop?.();
      } catch (err) {
        log('warn', `stopping the ${name}: ${(err as Error).message}`);
      }
    }
    if (this.#prometheus) log('info', `Prometheus data kept in ${this.#prometheus.dataDir} (open it: rtc-harness prometheus ${this.#prometheus.dataDir})`);
  }

  #push(): void {
    const pusher = this.#pusher;
    if (!pusher) return;
    this.#pushing = this.#pushing.then(() =>
      pusher.push().catch((err: Error) => this.#options.onLog?.('warn', err.message)),
    );
  }

  /** True once Prometheus holds a sample of this run scraped after `afterSeconds`. */
  async #waitForScrape(api: PrometheusApi, afterSeconds: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const expr = `max(timestamp(${OWN_METRICS.runInfo}{run="${this.#run.replace(/["\\]/g, '\\$&')}"}))`;
    while (Date.now() < deadline) {
      const result = await api.query(expr).catch(() => []);
      const latest = Number(result[0]?.value?.[1] ?? 0);
      if (latest >= afterSeconds) return true;
      await new Promise((r) => setTimeout(r, 250));
    }
    return false;
  }
}
