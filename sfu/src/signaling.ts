// The signaling WebSocket endpoint: `ws://<host>:<httpPort>/ws`, one socket per peer, JSON text
// frames (protocol.ts). This file owns the sockets (upgrade, size limit, keepalive); the
// per-socket protocol lives in session.ts.
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

export const SIGNALING_PATH = '/ws';
/** Largest frame read at all, bytes; between maxFrameBytes and this, the reply is frame_too_large. */
export const MAX_PAYLOAD_BYTES = 4 * PROTOCOL_LIMITS.maxFrameBytes;
/** Ping interval; a socket that misses two pongs is dropped (its peer leaves), ms. */
const KEEPALIVE_MS = 15_000;

export class SignalingServer {
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<WebSocket, Session>();
  readonly #alive = new WeakSet<WebSocket>();
  readonly #keepalive: NodeJS.Timeout;
  readonly #logger: Logger;
  readonly #onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly #http: HttpServer;
  #closed = false;
  #nextId = 1;

  constructor(http: HttpServer, ctx: SessionContext) {
    this.#http = http;
    this.#logger = ctx.logger;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
    this.#onUpgrade = (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      const pathname = new URL(req.url ?? '/', 'http://sfu.invalid').pathname;
      if (pathname !== SIGNALING_PATH || this.#closed) {
        socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nsignaling is at ${SIGNALING_PATH}\n`);
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

  #accept(ws: WebSocket, req: IncomingMessage, ctx: SessionContext): void {
    const label = `ws#${this.#nextId++} (${req.socket.remoteAddress}:${req.socket.remotePort})`;
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
