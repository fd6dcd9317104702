// Pushing to a Pushgateway, for runs a Prometheus cannot scrape directly (short runs, shards on
// other machines, a harness in a CI container). The harness replaces its group every few seconds
// (PUT: series that ended disappear), pushes once more at the end, and deletes its group once the
// final values were scraped, so a finished run does not linger in the gateway forever (the usual
// Pushgateway pitfall). The grouping key is job + run + instance, so shards of one run (same run
// label) do not overwrite each other.
import { join } from 'node:path';
import { hostname } from 'node:os';
import { startDaemon, type Daemon } from './process.ts';

export const DEFAULT_PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';
export const PUSH_JOB = 'rtc-harness';

/** Starts Debian's Pushgateway on a free loopback port, logging into `dir`. */
export function startPushgateway(options: { dir: string; binary?: string }): Promise<Daemon> {
  return startDaemon({
    name: 'Pushgateway',
    binary: options.binary ?? process.env.PUSHGATEWAY_BIN ?? DEFAULT_PUSHGATEWAY_BIN,
    args: (port) => [`--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    logPath: join(options.dir, 'pushgateway.log'),
    readyPath: '/-/ready',
    installHint: 'install it (apt-get install prometheus-pushgateway), set PUSHGATEWAY_BIN, or use --pushgateway-url',
  });
}

export interface PusherOptions {
  /** The gateway, e.g. http://127.0.0.1:9091. */
  url: string;
  /** The run label: part of the grouping key. */
  run: string;
  /** Tells shards of one run apart. Default: <hostname>-<pid>. */
  instance?: string;
  /** The exposition text to push, collected now. */
  render: () => Promise<string>;
  contentType: string;
  timeoutMs?: number;
}

export class Pusher {
  /** e.g. http://127.0.0.1:9091/metrics/job/rtc-harness/run/smoke-1/instance/host-42 */
  readonly groupUrl: string;
  readonly #options: PusherOptions;

  constructor(options: PusherOptions) {
    this.#options = options;
    const instance = options.instance ?? `${hostname()}-${process.pid}`;
    this.groupUrl = `${options.url.replace(/\/+$/, '')}/metrics/job/${PUSH_JOB}${groupingPath({ run: options.run, instance })}`;
  }

  /** Replaces the group with the current values. */
  async push(): Promise<void> {
    const body = await this.#options.render();
    await this.#request('PUT', body);
  }

  async delete(): Promise<void> {
    await this.#request('DELETE');
  }

  async #request(method: 'PUT' | 'DELETE', body?: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.groupUrl, {
        method,
        body,
        headers: body === undefined ? {} : { 'content-type': this.#options.contentType },
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new Error(`Pushgateway ${method} ${this.groupUrl} failed: ${(err as Error).message} (is the gateway running?)`);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`Pushgateway ${method} ${this.groupUrl}: HTTP ${res.status} ${text.trim().slice(0, 300)}`);
  }
}

/**
 * `/label/value` pairs of a grouping key (pure). Values with a slash, or empty ones, use the
 * gateway's base64 form (`label@base64/...`), as plain path segments cannot carry them.
 */
export function groupingPath(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => (v === '' || v.includes('/') ? `/${k}@base64/${Buffer.from(v).toString('base64url') || '='}` : `/${k}/${encodeURIComponent(v)}`))
    .join('');
}
