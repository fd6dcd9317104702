// The command-line side of the Prometheus export: the `run` options, their checks (bad
// combinations are bad input, exit 1), starting the reporter before the run so that a missing
// binary or a taken port fails at once, and `rtc-harness prometheus <dir>`.
import { InvalidArgumentError, Option } from 'commander';
import { ScenarioError } from '../scenario/errors.ts';
import type { RunPlan } from '../scenario/plan.ts';
import { PrometheusApi } from './api.ts';
import { findDataDir, openHistory } from './history.ts';
import { PrometheusReporter, type PrometheusReporterOptions } from './reporter.ts';
import { DEFAULT_MAX_PARTICIPANTS_PER_GROUP } from './series.ts';

export interface PrometheusFlags {
  /** true, or a data folder to keep (and reuse) the TSDB in. */
  prometheus?: boolean | string;
  prometheusUrl?: string;
  pushgateway?: boolean;
  pushgatewayUrl?: string;
  metricsPort?: number;
  metricsMaxPerGroup?: number;
}

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}`);
  return n;
};
const httpUrl = (value: string) => {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidArgumentError('must be an http(s) URL, e.g. http://127.0.0.1:9090');
};

/** The options `rtc-harness run` adds for metrics, each with its default. */
export function prometheusOptions(): Option[] {
  return [
    new Option('--prometheus [dir]', "start Debian's Prometheus for the run, scraping the harness and the SFU every 1 s; data kept in <out>/prometheus/data, or in [dir] to collect runs in one place"),
    new Option('--prometheus-url <url>', 'an existing Prometheus that scrapes this harness (via --metrics-port or the gateway); asked at the end whether it has the final values').conflicts('prometheus').argParser(httpUrl),
    new Option('--pushgateway', "start Debian's Pushgateway and push the harness's metrics to it every 5 s").conflicts('pushgatewayUrl'),
    new Option('--pushgateway-url <url>', 'push the metrics to this Pushgateway every 5 s; the group is deleted at the end').argParser(httpUrl),
    new Option('--metrics-port <port>', 'serve /metrics on 127.0.0.1:<port> (0: a free port, printed) (default: a free port with --prometheus, else not served)').argParser(integer('--metrics-port', 0, 65_535)),
    new Option('--metrics-max-per-group <n>', 'participants per group labelled individually in metrics; the rest are exported as participant="_other"')
      .argParser(integer('--metrics-max-per-group', 0, 10_000))
      .default(DEFAULT_MAX_PARTICIPANTS_PER_GROUP),
  ];
}

/** Reporter options from the flags; null when no metrics were asked for. Throws on bad combinations. */
export function reporterOptions(flags: PrometheusFlags): PrometheusReporterOptions | null {
  const wanted = flags.prometheus || flags.prometheusUrl || flags.pushgateway || flags.pushgatewayUrl || flags.metricsPort !== undefined;
  if (!wanted) return null;
  if (flags.prometheusUrl && flags.metricsPort === undefined && !flags.pushgateway && !flags.pushgatewayUrl) {
    throw new ScenarioError(
      `--prometheus-url needs a way for that server to get the metrics: --metrics-port <port> (and a scrape job for 127.0.0.1:<port>) or --pushgateway-url <url> (a gateway it scrapes)`,
    );
  }
  const options: PrometheusReporterOptions = { maxParticipantsPerGroup: flags.metricsMaxPerGroup };
  if (flags.prometheus) options.embedded = typeof flags.prometheus === 'string' ? { dataDir: flags.prometheus } : {};
  if (flags.prometheusUrl) options.prometheusUrl = flags.prometheusUrl;
  if (flags.pushgateway) options.pushgateway = 'embedded';
  if (flags.pushgatewayUrl) options.pushgateway = flags.pushgatewayUrl;
  if (flags.metricsPort !== undefined) options.metricsPort = flags.metricsPort;
  return options;
}

/**
 * The reporter for `run`, already started (Prometheus up, /metrics served), or null when the flags
 * ask for no metrics. A failure to start is an Error whose message says what to do.
 */
export async function startPrometheusReporter(
  flags: PrometheusFlags,
  run: { plan: RunPlan; outDir: string; onLog: PrometheusReporterOptions['onLog'] },
): Promise<PrometheusReporter | null> {
  const options = reporterOptions(flags);
  if (!options) return null;
  const reporter = new PrometheusReporter({ ...options, onLog: run.onLog });
  const groups = new Map<string, number>();
  for (const p of run.plan.participants) groups.set(p.group, (groups.get(p.group) ?? 0) + 1);
  await reporter.start({
    scenario: run.plan.name,
    outDir: run.outDir,
    seed: run.plan.seed,
    groups: [...groups].map(([name, count]) => ({ name, count })),
  });
  return reporter;
}

/** `rtc-harness prometheus <dir>`: serves a kept run's data on 127.0.0.1:<port> until SIGINT/SIGTERM. */
export async function serveHistory(dir: string, port: number, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ScenarioError(`--port must be an integer 1..65535, got ${port}`);
  try {
    findDataDir(dir);
  } catch (err) {
    throw new ScenarioError((err as Error).message);
  }
  const prometheus = await openHistory(dir, { port });
  const span = await new PrometheusApi(prometheus.url).headSpan().catch(() => null);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  out.write(`Prometheus serving ${prometheus.dataDir} at ${prometheus.url}${span ? `, data from ${iso(span.minMs)} to ${iso(span.maxMs)}` : ''} (Ctrl-C to stop)\n`);
  let onSignal: () => void = () => {};
  await new Promise<void>((resolve) => {
    onSignal = resolve;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await prometheus.stop();
}
