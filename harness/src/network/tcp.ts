// The TCP side of a route: accept the browser's ICE-TCP connection, connect upstream to the
// target, and pass every RFC 4571 frame (or TURN/TLS frame, per the target's framing) of both
// directions through the link model. Frames are
// never dropped (the stream must stay intact): loss and outages become delay, and a full
// bottleneck queue pauses reading from the sender, which its own TCP then feels as backpressure.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LinkDirection } from './direction.ts';
import { FrameReader } from './framing.ts';
import type { RouteTarget } from './udp.ts';

export interface TcpConnectionInfo {
  route: string;
  /** The browser's address, 'ip:port'. */
  client: string;
}

export interface TcpRouteHooks {
  connection(info: TcpConnectionInfo): void;
  connectionClose(info: TcpConnectionInfo & { reason: 'closed' | 'blocked' | 'error' | 'link-closed'; error?: Error }): void;
}

export interface TcpRouteOptions {
  name: string;
  listenHost: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  target: RouteTarget;
  up: LinkDirection;
  down: LinkDirection;
  hooks: TcpRouteHooks;
}

/** Pumps one direction of a connection: frames from `from` cross `direction` and go to `to`. */
function pump(from: net.Socket, to: net.Socket, direction: LinkDirection, target: RouteTarget, timers: Set<NodeJS.Timeout>): void {
  const targetPort = target.port;
  const reader = new FrameReader(target.framing);
  const sink = { deliver: (payload: Buffer) => !to.destroyed && (to.write(payload), true) };
  let resumeAtMs = 0;
  from.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      const result = direction.accept(frame, 'tcp', targetPort, sink);
      if (result && result.pauseUntilMs > resumeAtMs) resumeAtMs = result.pauseUntilMs;
    }
    if (resumeAtMs > performance.now() && !from.isPaused()) {
      from.pause();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!from.destroyed) from.resume();
      }, Math.ceil(resumeAtMs - performance.now()));
      timers.add(timer);
    }
  });
}

class TcpPipe {
  readonly info: TcpConnectionInfo;
  readonly #client: net.Socket;
  readonly #upstream: net.Socket;
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(options: TcpRouteOptions, client: net.Socket, onClose: (pipe: TcpPipe, reason: 'closed' | 'error', error?: Error) => void) {
    this.info = { route: options.name, client: `${client.remoteAddress}:${client.remotePort}` };
    this.#client = client;
    this.#upstream = net.connect({ host: options.target.host, port: options.target.port });
    client.setNoDelay(true);
    this.#upstream.setNoDelay(true);
    pump(client, this.#upstream, options.up, options.target, this.#timers);
    pump(this.#upstream, client, options.down, options.target, this.#timers);
    const end = (error?: Error) => {
      if (this.#closed) return;
      this.close();
      onClose(this, error ? 'error' : 'closed', error);
    };
    for (const socket of [client, this.#upstream]) {
      socket.on('error', end);
      socket.on('close', () => end());
    }
  }

  /** Destroys both sockets; frames still scheduled for them are dropped. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#client.destroy();
    this.#upstream.destroy();
  }
}

export class TcpRoute {
  readonly port: number;
  readonly #options: TcpRouteOptions;
  readonly #server: net.Server;
  readonly #pipes = new Set<TcpPipe>();
  #closed = false;

  static async open(options: TcpRouteOptions): Promise<TcpRoute> {
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port, host: options.listenHost, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TcpRoute(options, server);
  }

  private constructor(options: TcpRouteOptions, server: net.Server) {
    this.#options = options;
    this.#server = server;
    this.port = (server.address() as net.AddressInfo).port;
    server.on('connection', (client) => this.#accept(client));
  }

  get connectionCount(): number {
    return this.#pipes.size;
  }

  #accept(client: net.Socket): void {
    const { name, up, target, hooks } = this.#options;
    if (this.#closed) {
      client.destroy();
      return;
    }
    if (up.isBlocked('tcp', target.port)) {
      // A reset, as a rejecting firewall sends, lets ICE give up on the candidate quickly.
      client.resetAndDestroy();
      hooks.connectionClose({ route: name, client: `${client.remoteAddress}:${client.remotePort}`, reason: 'blocked' });
      return;
    }
    const pipe = new TcpPipe(this.#options, client, (closed, reason, error) => {
      this.#pipes.delete(closed);
      hooks.connectionClose({ ...closed.info, reason, error });
    });
    this.#pipes.add(pipe);
    hooks.connection({ ...pipe.info });
  }

  /** Resets the open connections if the access rules now block this route. */
  enforceAccess(): void {
    if (!this.#options.up.isBlocked('tcp', this.#options.target.port)) return;
    for (const pipe of this.#pipes) {
      this.#pipes.delete(pipe);
      pipe.close();
      this.#options.hooks.connectionClose({ ...pipe.info, reason: 'blocked' });
    }
  }

  /** Stops listening and destroys every connection; resolves once the port is free. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pipe of this.#pipes) {
      pipe.close();
      this.#options.hooks.connectionClose({ ...pipe.info, reason: 'link-closed' });
    }
    this.#pipes.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
