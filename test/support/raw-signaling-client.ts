// A bare signaling client for end-to-end tests of the SFU: raw `ws`, no mediasoup-client, so a
// test can send anything (malformed frames included) and read every reply and notification.
import WebSocket from 'ws';
import type { ErrorCode, Notification, NotificationMethod, Response } from '../../sfu/src/protocol.ts';

export type ErrorResponse = Extract<Response, { ok: false }>;

export class RawSignalingClient {
  readonly ws: WebSocket;
  readonly notifications: Notification[] = [];
  readonly responses: Response[] = [];
  #nextId = 1;
  #waiters: (() => void)[] = [];
  closeCode: number | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Response | Notification;
      if (message.kind === 'notification') this.notifications.push(message);
      else this.responses.push(message);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.#waiters.splice(0)) wake();
    });
    ws.on('error', () => {});
  }

  /** `options` for ws itself, e.g. `localAddress` (another loopback source) or `headers` (an Origin). */
  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RawSignalingClient> {
    const ws = new WebSocket(url, options);
    // Listening before 'open': a server may send (and close) in the same packet as its handshake.
    const client = new RawSignalingClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Resolves when `predicate` holds, re-checked on every inbound message; rejects after timeoutMs. */
  async until<T>(predicate: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a well-formed request and returns its response. */
  async request(method: string, data: unknown): Promise<Response> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ kind: 'request', id, method, data }));
    return this.until(() => this.responses.find((r) => r.id === id), `the response to ${method} #${id}`);
  }

  /** Sends a request and returns its data, failing with the server's error if it was refused. */
  async ok<T = Record<string, unknown>>(method: string, data: unknown): Promise<T> {
    const response = await this.request(method, data);
    if (!response.ok) throw new Error(`${method} failed: ${response.error.code}: ${response.error.message}`);
    return response.data as T;
  }

  /** Sends a raw frame and returns the next error response with a null id. */
  async sendRaw(frame: string | Buffer, options: { binary?: boolean } = {}): Promise<Response> {
    const before = this.responses.length;
    this.ws.send(frame, { binary: options.binary ?? typeof frame !== 'string' });
    return this.until(() => this.responses.slice(before).find(() => true), 'a reply to a raw frame');
  }

  /** Expects `response` to be an error with `code`; returns it for further checks. */
  /** Resolves with the close code once the server closes the socket. */
  async closed(timeoutMs = 5000): Promise<number> {
    return this.until(() => this.closeCode, 'the socket to close', timeoutMs);
  }

  static error(response: Response, code: ErrorCode): ErrorResponse {
    if (response.ok) throw new Error(`expected a ${code} error, got success: ${JSON.stringify(response.data).slice(0, 200)}`);
    if (response.error.code !== code) {
      throw new Error(`expected a ${code} error, got ${response.error.code}: ${response.error.message}`);
    }
    return response;
  }

  notificationsOf<M extends NotificationMethod>(method: M): Extract<Notification, { method: M }>[] {
    return this.notifications.filter((n): n is Extract<Notification, { method: M }> => n.method === method);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    await closed;
  }
}
