// The UDP side of a route: one listening socket for the browser, and one upstream socket per
// browser source address (ip:port). An ICE-lite SFU answers from the address it received on and
// pairs candidates by source address, so each browser socket must keep its own 5-tuple towards
// the target; replies on that upstream socket go back to that browser address only.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { LinkDirection } from './direction.ts';
import type { TcpFraming } from './framing.ts';
import type { PacketSink } from './scheduler.ts';

export interface RouteTarget {
  host: string;
  port: number;
  /** How the TCP stream to this target is cut into packets (see TcpFraming). Default 'rfc4571' (ICE-TCP). */
  framing?: TcpFraming;
}

export interface UdpSessionInfo {
  route: string;
  /** The browser's source address, 'ip:port'. */
  client: string;
  /** Local port of the upstream socket: the source the target sees for this client. */
  upstreamPort: number;
}

export interface UdpRouteHooks {
  session(info: UdpSessionInfo): void;
  sessionClose(info: UdpSessionInfo & { reason: 'idle' | 'close' }): void;
  error(error: Error): void;
}

export interface UdpRouteOptions {
  name: string;
  listenHost: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  target: RouteTarget;
  up: LinkDirection;
  down: LinkDirection;
  /** A session with no packet from its browser for this long is closed, ms. */
  sessionIdleMs: number;
  /** Source IPs whose sessions skip the link model both ways (server-side traffic, e.g. a TURN relay). */
  unshapedSources?: ReadonlySet<string>;
  hooks: UdpRouteHooks;
}

/** Socket buffers, bytes: room for bursts while a timer or GC holds the event loop (the kernel caps them at rmem_max/wmem_max). */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

function bindSocket(socket: dgram.Socket, port: number, address?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

class UdpSession {
  readonly info: UdpSessionInfo; // upstreamPort is 0 until connected
  lastSeenMs = performance.now();
  closed = false;
  /** Not the participant's traffic (see UdpRouteOptions.unshapedSources): forwarded as is, not counted. */
  unshaped = false;
  readonly #upstream: dgram.Socket;
  #connected = false;
  #waiting: Buffer[] = [];
  /** Browser -> target, on the session's connected upstream socket. */
  readonly upSink: PacketSink;
  /** Target -> browser, from the route's listening socket. */
  readonly downSink: PacketSink;

  constructor(route: string, client: string, upstream: dgram.Socket, listen: dgram.Socket, address: string, port: number) {
    this.#upstream = upstream;
    this.info = { route, client, upstreamPort: 0 };
    this.upSink = {
      deliver: (payload) => {
        if (this.closed) return false;
        if (this.#connected) upstream.send(payload);
        else this.#waiting.push(payload);
        return true;
      },
    };
    this.downSink = {
      deliver: (payload) => {
        if (this.closed) return false;
        listen.send(payload, port, address);
        return true;
      },
    };
  }

  /**
   * Connected sockets skip the per-send address lookup and only hear from the target. connect()
   * binds a free port first; packets released before it completes wait in order.
   */
  connect(target: RouteTarget, onConnected: () => void, onError: (error: Error) => void): void {
    this.#upstream.on('error', onError);
    this.#upstream.connect(target.port, target.host, () => {
      if (this.closed) return;
      this.#connected = true;
      this.info.upstreamPort = this.#upstream.address().port;
      for (const payload of this.#waiting) this.#upstream.send(payload);
      this.#waiting = [];
      onConnected();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#waiting = [];
    this.#upstream.close();
  }
}

export class UdpRoute {
  readonly port: number;
  readonly #options: UdpRouteOptions;
  readonly #listen: dgram.Socket;
  readonly #sessions = new Map<string, UdpSession>();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  static async open(options: UdpRouteOptions): Promise<UdpRoute> {
    const type = isIPv6(options.listenHost) ? 'udp6' : 'udp4';
    const listen = dgram.createSocket({ type, recvBufferSize: SOCKET_BUFFER_BYTES, sendBufferSize: SOCKET_BUFFER_BYTES });
    try {
      await bindSocket(listen, options.port, options.listenHost);
    } catch (error) {
      try {
        listen.close();
      } catch {
        // never bound: nothing to close
      }
      throw error;
    }
    return new UdpRoute(options, listen);
  }

  private constructor(options: UdpRouteOptions, listen: dgram.Socket) {
    this.#options = options;
    this.#listen = listen;
    this.port = listen.address().port;
    listen.on('message', (payload, rinfo) => this.#fromBrowser(payload, rinfo));
    // e.g. ICMP unreachable reported on a later send: the link stays up.
    listen.on('error', (error) => options.hooks.error(error));
    this.#sweep = setInterval(() => this.#closeIdle(), Math.max(250, Math.min(5_000, options.sessionIdleMs / 4)));
    this.#sweep.unref();
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Upstream ports by browser address (for tests and reports). */
  sessions(): UdpSessionInfo[] {
    return [...this.#sessions.values()].map((session) => ({ ...session.info }));
  }

  #fromBrowser(payload: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#closed) return;
    const client = `${rinfo.address}:${rinfo.port}`;
    let session = this.#sessions.get(client);
    session ??= this.#openSession(client, rinfo);
    session.lastSeenMs = performance.now();
    if (session.unshaped) session.upSink.deliver(payload);
    else this.#options.up.accept(payload, 'udp', this.#options.target.port, session.upSink);
  }

  #openSession(client: string, rinfo: dgram.RemoteInfo): UdpSession {
    const { name, target, down, hooks } = this.#options;
    const upstream = dgram.createSocket({
      type: isIPv6(target.host) ? 'udp6' : 'udp4',
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
    });
    const session = new UdpSession(name, client, upstream, this.#listen, rinfo.address, rinfo.port);
    session.unshaped = this.#options.unshapedSources?.has(rinfo.address) ?? false;
    this.#sessions.set(client, session);
    upstream.on('message', (payload) => {
      if (session.closed) return;
      if (session.unshaped) session.downSink.deliver(payload);
      else down.accept(payload, 'udp', target.port, session.downSink);
    });
    session.connect(
      target,
      () => hooks.session({ ...session.info }),
      (error) => hooks.error(error),
    );
    return session;
  }

  #closeIdle(): void {
    const idleBeforeMs = performance.now() - this.#options.sessionIdleMs;
    for (const [client, session] of this.#sessions) {
      if (session.lastSeenMs >= idleBeforeMs) continue;
      this.#sessions.delete(client);
      session.close();
      this.#options.hooks.sessionClose({ ...session.info, reason: 'idle' });
    }
  }

  /** Closes every session and the listening socket; resolves once the port is free. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const session of this.#sessions.values()) {
      session.close();
      this.#options.hooks.sessionClose({ ...session.info, reason: 'close' });
    }
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#listen.close(() => resolve()));
  }
}
