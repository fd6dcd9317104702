// A signaling load without media: `clients` WebSocket clients against a running SFU, each joining
// a room, opening a receive transport (a real mediasoup WebRtcTransport), staying a few seconds,
// leaving and reconnecting, until `durationMs` is over. Clients come from several loopback
// source addresses, as from several machines, so the SFU's per-address cap is met at its default.
// Used by sfu/bench/signaling.bench.ts (npm run bench:signaling) and test/e2e/signaling-load.test.ts.
import WebSocket from 'ws';

export interface SignalingLoadOptions {
  /** The SFU's signaling URL, e.g. ws://127.0.0.1:3000/ws. */
  wsUrl: string;
  /** Concurrent clients. */
  clients: number;
  /** How long clients keep cycling, ms; each finishes its cycle after. */
  durationMs: number;
  /** Peers per room. Default 10. */
  roomSize?: number;
  /** How long a client stays in its room, ms: uniform in [min, max]. Default [2000, 8000]. */
  holdMs?: readonly [min: number, max: number];
  /** Source addresses clients connect from, round robin. Default 127.0.0.2 to 127.0.0.5. */
  sourceAddresses?: readonly string[];
}

export interface SignalingLoadResult {
  joins: number;
  /** Error replies, unexpected closes and timeouts, each with what happened. */
  errors: string[];
  /** Join request to response, ms, sorted. */
  joinLatenciesMs: number[];
}

const REQUEST_TIMEOUT_MS = 10_000;

class LoadClient {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (reply: { ok: boolean; error?: { code: string; message: string } }) => void>();
  #nextId = 1;
  closedUnexpectedly: string | undefined;
  #closing = false;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { kind: string; id?: number | null; ok?: boolean; error?: { code: string; message: string } };
      if (message.kind !== 'response') return;
      if (message.id === null || message.id === undefined) {
        this.closedUnexpectedly = `unsolicited error ${message.error?.code}: ${message.error?.message}`;
        return;
      }
      this.#pending.get(message.id)?.({ ok: message.ok === true, ...(message.error && { error: message.error }) });
      this.#pending.delete(message.id);
    });
    ws.on('close', (code) => {
      if (!this.#closing) this.closedUnexpectedly ??= `socket closed by the server (${code})`;
      for (const settle of this.#pending.values()) settle({ ok: false, error: { code: 'closed', message: `socket closed (${code})` } });
      this.#pending.clear();
    });
  }

  static open(url: string, localAddress: string): Promise<LoadClient> {
    const ws = new WebSocket(url, { localAddress });
    const client = new LoadClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  request(method: string, data: unknown): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({ ok: false, error: { code: 'timeout', message: `no reply to ${method} in ${REQUEST_TIMEOUT_MS} ms` } });
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.#ws.send(JSON.stringify({ kind: 'request', id, method, data }));
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()));
    this.#ws.close();
    await closed;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the load; resolves once every client has left and closed. */
export async function runSignalingLoad(options: SignalingLoadOptions): Promise<SignalingLoadResult> {
  const roomSize = options.roomSize ?? 10;
  const [holdMin, holdMax] = options.holdMs ?? [2000, 8000];
  const sources = options.sourceAddresses ?? ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
  const result: SignalingLoadResult = { joins: 0, errors: [], joinLatenciesMs: [] };
  const endAt = Date.now() + options.durationMs;
  // Arrivals spread over the first few seconds, not all in one tick.
  const rampMs = Math.min(5000, options.durationMs / 4);

  const cycle = async (index: number, round: number): Promise<void> => {
    const client = await LoadClient.open(options.wsUrl, sources[index % sources.length]!);
    const fail = (what: string): void => {
      result.errors.push(`client ${index} round ${round}: ${what}`);
    };
    try {
      const roomId = `load-${Math.floor(index / roomSize)}`;
      const started = performance.now();
      const joined = await client.request('join', { roomId, peerId: `c${index}-r${round}` });
      if (!joined.ok) return fail(`join: ${joined.error?.code}: ${joined.error?.message}`);
      result.joinLatenciesMs.push(performance.now() - started);
      result.joins++;
      const transport = await client.request('createTransport', { direction: 'recv' });
      if (!transport.ok) return fail(`createTransport: ${transport.error?.code}: ${transport.error?.message}`);
      await sleep(holdMin + Math.random() * (holdMax - holdMin));
      const left = await client.request('leave', {});
      if (!left.ok) return fail(`leave: ${left.error?.code}: ${left.error?.message}`);
      if (client.closedUnexpectedly) fail(client.closedUnexpectedly);
    } finally {
      await client.close();
    }
  };

  const runClient = async (index: number): Promise<void> => {
    await sleep(Math.random() * rampMs);
    for (let round = 0; Date.now() < endAt; round++) {
      try {
        await cycle(index, round);
      } catch (error) {
        result.errors.push(`client ${index} round ${round}: ${(error as Error).message}`);
        await sleep(500);
      }
    }
  };

  await Promise.all(Array.from({ length: options.clients }, (_, i) => runClient(i)));
  result.joinLatenciesMs.sort((a, b) => a - b);
  return result;
}

/** The q-quantile (0..1) of sorted values, nearest rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
