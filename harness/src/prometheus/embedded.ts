// Debian's Prometheus, started for one run: a generated config, its data in a folder of the run
// (so the run leaves a queryable history behind), loopback only, a 1 s scrape interval.
//
// Targets are discovered from files (file_sd), one per job, so Prometheus can start before the
// SFU exists: setTargets() rewrites a job's file and Prometheus picks it up at once (inotify).
// The config is written as JSON, which is valid YAML.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './process.ts';

export const DEFAULT_PROMETHEUS_BIN = '/usr/bin/prometheus';

/** The jobs of a generated config. */
export const JOBS = {
  /** The harness's own /metrics. */
  harness: 'rtc-harness',
  /** The bundled SFU's /metrics. */
  sfu: 'rtc-sfu',
  /** A Pushgateway: scraped with honor_labels, so pushed job/instance labels are kept. */
  pushgateway: 'pushgateway',
} as const;
export type JobName = (typeof JOBS)[keyof typeof JOBS];

export interface ScrapeTarget {
  /** What to scrape, e.g. http://127.0.0.1:43123/metrics. */
  url: string;
  /** Extra labels for every series of the target, e.g. { run, scenario } for the SFU. */
  labels?: Record<string, string>;
}

export interface EmbeddedPrometheusOptions {
  /** Folder of the generated prometheus.yml, targets/ and prometheus.log; created if missing. */
  configDir: string;
  /** The TSDB folder; created if missing. Reuse one across runs to compare them. */
  dataDir: string;
  /** Scrape and evaluation interval, ms. Default 1000. */
  scrapeIntervalMs?: number;
  /** Default: $PROMETHEUS_BIN, else /usr/bin/prometheus. */
  binary?: string;
  /** Listen on this loopback port. Default: a free one. */
  port?: number;
}

export interface EmbeddedPrometheus {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly configPath: string;
  /** Replaces the targets of a job. */
  setTargets(job: JobName, targets: readonly ScrapeTarget[]): void;
  /** SIGTERM (Prometheus closes its TSDB cleanly), SIGKILL after 10 s. Idempotent. */
  stop(): Promise<void>;
}

/** The generated config (pure): every job reads its targets from targets/<job>.json. */
export function scrapeConfig(scrapeIntervalMs = 1000): object {
  const interval = `${Math.max(1, Math.round(scrapeIntervalMs / 1000))}s`;
  const job = (name: JobName, extra: object = {}) => ({
    job_name: name,
    ...extra,
    file_sd_configs: [{ files: [`targets/${name}.json`], refresh_interval: '5s' }],
  });
  return {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [job(JOBS.harness), job(JOBS.sfu), job(JOBS.pushgateway, { honor_labels: true })],
  };
}

/** A job's file_sd content (pure): host:port targets, the path and scheme as special labels. */
export function fileSdTargets(targets: readonly ScrapeTarget[]): object[] {
  return targets.map((t) => {
    const url = new URL(t.url);
    return {
      targets: [url.host],
      labels: { __scheme__: url.protocol.replace(':', ''), __metrics_path__: url.pathname || '/metrics', ...t.labels },
    };
  });
}

export async function startEmbeddedPrometheus(options: EmbeddedPrometheusOptions): Promise<EmbeddedPrometheus> {
  const targetsDir = join(options.configDir, 'targets');
  mkdirSync(targetsDir, { recursive: true });
  mkdirSync(options.dataDir, { recursive: true });
  const configPath = join(options.configDir, 'prometheus.yml');
  writeFileSync(configPath, `${JSON.stringify(scrapeConfig(options.scrapeIntervalMs), null, 2)}\n`);
  const setTargets = (job: JobName, targets: readonly ScrapeTarget[]) => {
    const path = join(targetsDir, `${job}.json`);
    // Written whole then renamed, so Prometheus never reads half a file.
    writeFileSync(`${path}.tmp`, `${JSON.stringify(fileSdTargets(targets), null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
  };
  for (const job of Object.values(JOBS)) setTargets(job, []);

  const daemon: Daemon = await startDaemon({
    name: 'Prometheus',
    binary: options.binary ?? process.env.PROMETHEUS_BIN ?? DEFAULT_PROMETHEUS_BIN,
    args: (port) => [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${options.dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // A run's history is kept until its folder is deleted, not 15 days.
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    logPath: join(options.configDir, 'prometheus.log'),
    readyPath: '/-/ready',
    installHint: 'install it (apt-get install prometheus), set PROMETHEUS_BIN, or use --prometheus-url with a server of your own',
    port: options.port,
  });
  return {
    url: daemon.url,
    port: daemon.port,
    pid: daemon.pid,
    dataDir: options.dataDir,
    configPath,
    setTargets,
    stop: () => daemon.stop(),
  };
}
