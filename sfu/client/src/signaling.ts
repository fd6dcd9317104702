// The page's side of the signaling protocol (sfu/src/protocol.ts): one WebSocket, requests
// correlated with their responses by id, notifications dispatched to typed listeners.
import type {
  ErrorCode,
  NotificationMap,
  NotificationMethod,
  RequestData,
  RequestMethod,
  ResponseData,
} from '../../src/protocol.ts';

/** The part of the browser's WebSocket this client uses (Node's `ws` package also fits). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

export interface SignalingOptions {
  /** How long a request waits for its response before it fails, ms. Default 10000. */
  requestTimeoutMs?: number;
  /** How long connecting may take before it fails, ms. Default 10000. */
  connectTimeoutMs?: number;
  /** Creates the socket. Default: the browser's `new WebSocket(url)`. */
  createSocket?: (url: string) => SocketLike;
  /** Where a throwing notification listener is reported. Default: console.error. */
  onListenerError?: (error: unknown, method: NotificationMethod) => void;
}

/** A request the SFU answered with `ok: false`, or that never got an answer. */
export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  constructor(
    readonly method: string,
    /** The SFU's error code; 'timeout' and 'closed' come from this client. */
    readonly code: ErrorCode | 'timeout' | 'closed',
    message: string,
  ) {
    super(`${method}: ${message} (${code})`);
  }
}

type Listener<M extends NotificationMethod> = (data: NotificationMap[M]) => void;
type AnyListener = (data: unknown) => void;

interface Pending {
  method: string;
  resolve(data: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const SOCKET_OPEN = 1;

export class SignalingClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<NotificationMethod, Set<AnyListener>>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private closedReason: string | undefined;
  /** The SFU's last error not tied to a request (a limit it enforced), told with the close that follows. */
  private serverNotice: string | undefined;

  private constructor(
    private readonly socket: SocketLike,
    private readonly url: string,
    private readonly requestTimeoutMs: number,
    private readonly onListenerError: (error: unknown, method: NotificationMethod) => void,
  ) {
    socket.addEventListener('message', (event) => this.handleMessage(event.data));
    socket.addEventListener('close', (event) =>
      this.handleClose(
        `socket closed (code ${event.code}${event.reason ? `: ${event.reason}` : ''})${this.serverNotice ? `; the SFU said: ${this.serverNotice}` : ''}`,
      ),
    );
  }

  /** Opens the socket; rejects with a message naming the URL when it cannot connect. */
  static connect(url: string, options: SignalingOptions = {}): Promise<SignalingClient> {
    const createSocket = options.createSocket ?? ((u: string) => new WebSocket(u) as SocketLike);
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let socket: SocketLike;
      try {
        socket = createSocket(url);
      } catch (err) {
        reject(new Error(`signaling: cannot open ${url}: ${errorMessage(err)}`));
        return;
      }
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.close();
        reject(new Error(`signaling: cannot connect to ${url}: ${why} (is the SFU running? pass &ws=ws://host:port/ws to override)`));
      };
      const timer = setTimeout(() => fail(`no answer within ${connectTimeoutMs} ms`), connectTimeoutMs);
      socket.addEventListener('error', () => fail('connection error'));
      socket.addEventListener('close', (event) => fail(`closed with code ${event.code}`));
      socket.addEventListener('open', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(
          new SignalingClient(
            socket,
            url,
            options.requestTimeoutMs ?? 10_000,
            options.onListenerError ?? ((error, method) => console.error(`signaling: '${method}' listener threw`, error)),
          ),
        );
      });
    });
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    if (this.closedReason !== undefined || this.socket.readyState !== SOCKET_OPEN) {
      const why = this.closedReason ?? 'socket not open';
      return Promise.reject(new SignalingError(method, 'closed', `signaling to ${this.url} is closed: ${why}`));
    }
    const id = this.nextId++;
    return new Promise<ResponseData<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SignalingError(method, 'timeout', `no response within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { method, resolve: resolve as (data: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ kind: 'request', id, method, data }));
    });
  }

  /** Subscribes to one notification; returns the function that unsubscribes. */
  on<M extends NotificationMethod>(method: M, listener: Listener<M>): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener as AnyListener);
    return () => set.delete(listener as AnyListener);
  }

  /** Called once when the socket closes (by either side); pending requests fail first. */
  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.socket.close(1000, 'client closed');
    this.handleClose('closed by the page');
  }

  private handleMessage(raw: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(String(raw));
    } catch {
      console.error('signaling: ignored a frame that is not JSON', raw);
      return;
    }
    if (!isObject(message)) return;
    if (message.kind === 'response') this.handleResponse(message);
    else if (message.kind === 'notification') this.handleNotification(message);
    else console.error('signaling: ignored a frame of unknown kind', message);
  }

  private handleResponse(message: Record<string, unknown>): void {
    const id = message.id;
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!pending) {
      // id null with an error: a limit the SFU enforces on the socket (join_timeout,
      // rate_limited, limit_exceeded), and a close follows; the close's reason will carry it.
      if (id === null && isObject(message.error) && message.ok === false) {
        this.serverNotice = `${String(message.error.code)}: ${String(message.error.message)}`;
        return;
      }
      console.error('signaling: response to no pending request', message);
      return;
    }
    this.pending.delete(id as number);
    clearTimeout(pending.timer);
    if (message.ok === true) {
      pending.resolve(message.data);
      return;
    }
    const error = isObject(message.error) ? message.error : {};
    const code = typeof error.code === 'string' ? (error.code as ErrorCode) : 'internal';
    const text = typeof error.message === 'string' ? error.message : 'the SFU gave no reason';
    pending.reject(new SignalingError(pending.method, code, text));
  }

  private handleNotification(message: Record<string, unknown>): void {
    const method = message.method as NotificationMethod;
    const set = this.listeners.get(method);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message.data);
      } catch (err) {
        this.onListenerError(err, method);
      }
    }
  }

  private handleClose(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new SignalingError(pending.method, 'closed', `no response: ${reason}`));
      this.pending.delete(id);
    }
    for (const listener of [...this.closeListeners]) {
      try {
        listener(reason);
      } catch (err) {
        console.error('signaling: close listener threw', err);
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
