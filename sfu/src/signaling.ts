// The signaling WebSocket endpoint: `ws://<host>:<httpPort>/ws`, one socket per peer, JSON text
// frames (protocol.ts). This file owns the sockets (upgrade, Host and Origin checks, connection
// caps, size limit, keepalive); the per-socket protocol and its limits live in session.ts.
//
// Frame size: frames up to PROTOCOL_LIMITS.maxFrameBytes are parsed; larger ones up to
// MAX_PAYLOAD_BYTES get a `frame_too_large` error reply (the socket stays usable); anything larger
// still makes `ws` close the socket with code 1009 (message too big) without reading it.
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { PROTOCOL_LIMITS } from './protocol.ts';
import { Session, type SessionContext } from './session.ts';
import { errorMessage, type Logger } from './logger.ts';
import { hostAllowed, originAllowed, type HostPolicy } from './hosts.ts';

export const SIGNALING_PATH = '/ws';
/** Largest frame read at all, bytes; between maxFrameBytes and this, the reply is frame_too_large. */
export const MAX_PAYLOAD_BYTES = 4 * PROTOCOL_LIMITS.maxFrameBytes;
/** Ping interval; a socket that misses two pongs is dropped (its peer leaves), ms. */
const KEEPALIVE_MS = 15_000;
/** WebSocket close code: the server is at capacity, try again later (RFC 6455 registry, 1013). */
const TRY_AGAIN_LATER = 1013;

export interface SignalingContext extends SessionContext {
  hostPolicy: HostPolicy;
}

function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`);
}

export class SignalingServer {
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<WebSocket, Session>();
  readonly #alive = new WeakSet<WebSocket>();
  /** Open sockets by remote address, for maxConnectionsPerAddress. */
  readonly #perAddress = new Map<string, number>();
  readonly #keepalive: NodeJS.Timeout;
  readonly #logger: Logger;
  readonly #onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly #http: HttpServer;
  #closed = false;
  #nextId = 1;

  constructor(http: HttpServer, ctx: SignalingContext) {
    this.#http = http;
    this.#logger = ctx.logger;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    this.#onUpgrade = (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      const pathname = new URL(req.url ?? '/', 'http://sfu.invalid').pathname;
      if (pathname !== SIGNALING_PATH || this.#closed) {
        refuseUpgrade(socket, '404 Not Found', `signaling is at ${SIGNALING_PATH}`);
        return;
      }
      const host = req.headers.host;
      if (!hostAllowed(ctx.hostPolicy, host)) {
        refuseUpgrade(socket, '421 Misdirected Request', 'this SFU does not answer to that Host name; add it to the SFU\'s allowedHosts (SFU_ALLOWED_HOSTS)');
        return;
      }
      if (!originAllowed(ctx.hostPolicy, req.headers.origin, host)) {
        refuseUpgrade(socket, '403 Forbidden', 'pages from this Origin may not open signaling; add it to the SFU\'s allowedOrigins (SFU_ALLOWED_ORIGINS)');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req, ctx));
    };
    http.on('upgrade', this.#onUpgrade);
    this.#keepalive = setInterval(() => this.#ping(), KEEPALIVE_MS);
    this.#keepalive.unref();
  }

  get connections(): number {
    return this.#sessions.size;
  }

  /**
   * Over a connection cap, the socket is upgraded only to be told why (a browser cannot read an
   * HTTP refusal of a WebSocket), then closed with 1013 and dropped if it does not answer.
   */
  #overCapacity(address: string, ctx: SignalingContext): string | undefined {
    const { maxConnections, maxConnectionsPerAddress } = ctx.limits;
    if (this.#sessions.size >= maxConnections) return `the SFU has ${maxConnections} signaling connections open (its maxConnections); try again later`;
    if ((this.#perAddress.get(address) ?? 0) >= maxConnectionsPerAddress) {
      return `${maxConnectionsPerAddress} signaling connections are open from your address (the SFU's maxConnectionsPerAddress); close one first`;
    }
    return undefined;
  }

  #accept(ws: WebSocket, req: IncomingMessage, ctx: SignalingContext): void {
    const address = req.socket.remoteAddress ?? 'unknown';
    const refusal = this.#overCapacity(address, ctx);
    if (refusal !== undefined) {
      ctx.onOutcome('invalid', 'limit_exceeded');
      ws.on('error', () => {});
      ws.send(JSON.stringify({ kind: 'response', id: null, ok: false, error: { code: 'limit_exceeded', message: refusal } }));
      ws.close(TRY_AGAIN_LATER, 'limit_exceeded');
      setTimeout(() => ws.terminate(), 1000).unref();
      return;
    }
    this.#perAddress.set(address, (this.#perAddress.get(address) ?? 0) + 1);
    const label = `ws#${this.#nextId++} (${address}:${req.socket.remotePort})`;
    const session = new Session(ws, ctx, label);
    this.#sessions.set(ws, session);
    this.#alive.add(ws);
    this.#logger.debug(`${label} connected`);
    ws.on('pong', () => this.#alive.add(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      session.handleFrame(buffer, isBinary);
    });
    // Without a listener, ws would throw on protocol errors (oversized frame, bad UTF-8).
    ws.on('error', (error) => this.#logger.debug(`${label} socket error: ${errorMessage(error)}`));
    ws.on('close', (code) => {
      this.#logger.debug(`${label} closed (${code})`);
      this.#sessions.delete(ws);
      const left = (this.#perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#perAddress.set(address, left);
      else this.#perAddress.delete(address);
      session.close();
    });
  }

  #ping(): void {
    for (const ws of this.#sessions.keys()) {
      if (!this.#alive.has(ws)) {
        this.#logger.info('a signaling socket stopped answering pings; dropping it');
        ws.terminate();
        continue;
      }
      this.#alive.delete(ws);
      ws.ping();
    }
  }

  /** Stops accepting sockets and closes every open one (their peers leave); resolves when all are shut. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    this.#http.off('upgrade', this.#onUpgrade);
    const shut: Promise<void>[] = [];
    for (const [ws, session] of this.#sessions) {
      session.close();
      shut.push(
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1001, 'the SFU is shutting down');
          // The close handshake needs the client; a silent one must not hold the server open.
          setTimeout(() => ws.terminate(), 1000).unref();
        }),
      );
    }
    await Promise.all(shut);
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
