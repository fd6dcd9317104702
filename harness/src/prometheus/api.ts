// The few calls of Prometheus' HTTP API (v1) the harness and its tests make: instant and range
// queries, label values, readiness. Errors carry Prometheus' own message (a PromQL parse error
// names the position), so a broken dashboard query says what is wrong.

export interface PromSeries {
  metric: Record<string, string>;
  /** Instant queries: [unix seconds, value]. */
  value?: [number, string];
  /** Range queries. */
  values?: [number, string][];
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

export class PrometheusApi {
  readonly url: string;
  readonly #timeoutMs: number;

  /** @param url e.g. http://127.0.0.1:9090 (a trailing slash is fine). */
  constructor(url: string, options: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(this.#timeoutMs) });
      await res.body?.cancel();
      return res.ok;
    } catch {
      return false;
    }
  }

  /** The time span of the data in the head block (a run's data, reopened), unix ms; null if empty. */
  async headSpan(): Promise<{ minMs: number; maxMs: number } | null> {
    const status = await this.#get<{ headStats?: { numSeries: number; minTime: number; maxTime: number } }>('/api/v1/status/tsdb', {});
    const head = status.headStats;
    return head && head.numSeries > 0 ? { minMs: head.minTime, maxMs: head.maxTime } : null;
  }

  /** An instant query at `timeSeconds` (default: now). */
  async query(expr: string, timeSeconds?: number): Promise<PromSeries[]> {
    const params: Record<string, string> = { query: expr };
    if (timeSeconds !== undefined) params.time = String(timeSeconds);
    return (await this.#get<{ result: PromSeries[] }>('/api/v1/query', params)).result ?? [];
  }

  async queryRange(expr: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<PromSeries[]> {
    const params = { query: expr, start: String(startSeconds), end: String(endSeconds), step: String(stepSeconds) };
    return (await this.#get<{ result: PromSeries[] }>('/api/v1/query_range', params)).result ?? [];
  }

  /** Values of a label, optionally among the series a selector matches. */
  async labelValues(label: string, match?: string, range?: { startSeconds: number; endSeconds: number }): Promise<string[]> {
    const params: Record<string, string> = {};
    if (match) params['match[]'] = match;
    if (range) Object.assign(params, { start: String(range.startSeconds), end: String(range.endSeconds) });
    return this.#get<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, params);
  }

  async #get<T>(path: string, params: Record<string, string>): Promise<T> {
    const url = `${this.url}${path}?${new URLSearchParams(params)}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      throw new Error(`Prometheus at ${this.url} did not answer: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as ApiResponse<T> | null;
    if (!body || body.status !== 'success' || body.data === undefined) {
      throw new Error(`Prometheus ${path} failed (HTTP ${res.status}): ${body?.errorType ?? ''} ${body?.error ?? 'unreadable answer'}`.trim());
    }
    return body.data;
  }
}
