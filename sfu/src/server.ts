// startSfu(): boots the bundled SFU (mediasoup workers, rooms, HTTP + WebSocket signaling,
// metrics) and returns a handle whose close() tears everything down in reverse: signaling
// sockets (peers -> transports), rooms (routers), WebRtcServers and worker processes, HTTP.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TypedEmitter } from './events.ts';
import { errorMessage, type Logger } from './logger.ts';
import { resolveSfuOptions, type ResolvedSfuOptions, type SfuOptions } from './options.ts';
import { WorkerPool } from './workers.ts';
import { RoomRegistry } from './rooms.ts';
import { SfuMetrics } from './metrics.ts';
import { createRequestHandler, type Health } from './http.ts';
import { SignalingServer, SIGNALING_PATH } from './signaling.ts';
import { WhipSessions } from './whip/sessions.ts';
import { WhipEndpoints } from './whip/endpoints.ts';
import type { types } from 'mediasoup';
import type { PeerCloseReason } from './peer.ts';

export type SfuEvents = {
  roomCreated: [info: { roomId: string; workerIndex: number }];
  roomClosed: [info: { roomId: string; reason: string }];
  peerJoined: [info: { roomId: string; peerId: string }];
  peerLeft: [info: { roomId: string; peerId: string; reason: PeerCloseReason }];
  /** A mediasoup worker process died; its rooms were closed and their sockets told to rejoin. */
  workerDied: [info: { workerIndex: number; pid: number; error: Error }];
  /** A new worker took the dead one's place (same index, same media port). */
  workerReplaced: [info: { workerIndex: number; pid: number; previousPid: number }];
  /** A dead worker's place stays empty (it died too often, or its replacement failed). */
  workerNotReplaced: [info: { workerIndex: number; reason: string }];
  /** close() finished: every worker process has exited. */
  close: [];
};

export interface SfuStats extends Health {
  transports: number;
  producers: number;
  consumers: number;
  connections: number;
}

/** A running SFU. Listeners that throw are logged, not fatal. */
export interface Sfu {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:43123 (the call page is at `/`). */
  readonly url: string;
  /** Signaling endpoint, e.g. ws://127.0.0.1:43123/ws. */
  readonly wsUrl: string;
  readonly httpPort: number;
  /** Media port (UDP and TCP) of each worker, by worker index. */
  readonly rtcPorts: readonly number[];
  /** mediasoup-worker process ids, by worker index (a replacement's once it is up). */
  readonly workerPids: readonly number[];
  /** The options in effect, defaults applied. */
  readonly options: Readonly<ResolvedSfuOptions>;
  readonly closed: boolean;
  stats(): SfuStats;
  /** The Prometheus exposition text /metrics serves. */
  metricsText(): Promise<string>;
  /** mediasoup's stats of a producer (one 'inbound-rtp' entry per received stream, e.g. per simulcast rid). */
  getProducerStats(producerId: string): Promise<types.ProducerStat[]>;
  /** mediasoup's stats of a consumer ('outbound-rtp', plus the producer's 'inbound-rtp'). */
  getConsumerStats(consumerId: string): Promise<(types.ConsumerStat | types.ProducerStat)[]>;
  on<K extends keyof SfuEvents & string>(event: K, listener: (...args: SfuEvents[K]) => void): Sfu;
  once<K extends keyof SfuEvents & string>(event: K, listener: (...args: SfuEvents[K]) => void): Sfu;
  off<K extends keyof SfuEvents & string>(event: K, listener: (...args: SfuEvents[K]) => void): Sfu;
  /** Closes everything; idempotent; resolves once every worker process has exited. */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

class SfuServer extends TypedEmitter<SfuEvents> implements Sfu {
  readonly url: string;
  readonly wsUrl: string;
  readonly httpPort: number;
  readonly rtcPorts: readonly number[];
  readonly options: Readonly<ResolvedSfuOptions>;
  readonly #pool: WorkerPool;
  readonly #rooms: RoomRegistry;
  readonly #metrics: SfuMetrics;
  readonly #http: HttpServer;
  readonly #signaling: SignalingServer;
  readonly #logger: Logger;
  #closePromise: Promise<void> | undefined;

  constructor(parts: {
    options: ResolvedSfuOptions;
    pool: WorkerPool;
    rooms: RoomRegistry;
    metrics: SfuMetrics;
    http: HttpServer;
    signaling: SignalingServer;
  }) {
    super(parts.options.logger);
    this.options = parts.options;
    this.#logger = parts.options.logger;
    this.#pool = parts.pool;
    this.#rooms = parts.rooms;
    this.#metrics = parts.metrics;
    this.#http = parts.http;
    this.#signaling = parts.signaling;
    this.httpPort = (parts.http.address() as AddressInfo).port;
    const host = hostForUrl(parts.options.announcedAddress ?? parts.options.listenIp);
    this.url = `http://${host}:${this.httpPort}`;
    this.wsUrl = `ws://${host}:${this.httpPort}${SIGNALING_PATH}`;
    this.rtcPorts = parts.pool.workers.map((w) => w.rtcPort);

    this.#rooms.on('roomCreated', (room) => this.safeEmit('roomCreated', { roomId: room.id, workerIndex: room.worker.index }));
    this.#rooms.on('roomClosed', (room, reason) => this.safeEmit('roomClosed', { roomId: room.id, reason }));
    this.#rooms.on('peerJoined', (room, peer) => this.safeEmit('peerJoined', { roomId: room.id, peerId: peer.id }));
    this.#rooms.on('peerLeft', (room, peer, reason) => this.safeEmit('peerLeft', { roomId: room.id, peerId: peer.id, reason }));
    this.#pool.on('workerDied', (mw, error) => {
      this.#metrics.recordWorkerDeath();
      this.safeEmit('workerDied', { workerIndex: mw.index, pid: mw.worker.pid, error });
    });
    this.#pool.on('workerReplaced', (mw, previousPid) => this.safeEmit('workerReplaced', { workerIndex: mw.index, pid: mw.worker.pid, previousPid }));
    this.#pool.on('workerNotReplaced', (workerIndex, reason) => this.safeEmit('workerNotReplaced', { workerIndex, reason }));
  }

  get workerPids(): readonly number[] {
    return this.#pool.workers.map((w) => w.worker.pid);
  }

  get closed(): boolean {
    return this.#closePromise !== undefined;
  }

  stats(): SfuStats {
    const peers = this.#peers();
    const count = (pick: (p: (typeof peers)[number]) => Iterable<unknown>) => peers.reduce((n, p) => n + [...pick(p)].length, 0);
    return {
      workersAlive: this.#pool.aliveCount,
      workers: this.#pool.workers.length,
      rooms: this.#rooms.size,
      peers: peers.length,
      transports: count((p) => p.transports),
      producers: count((p) => p.producers),
      consumers: count((p) => p.consumers),
      connections: this.#signaling.connections,
    };
  }

  async metricsText(): Promise<string> {
    return (await this.#metrics.render()).body;
  }

  #peers() {
    return [...this.#rooms.rooms].flatMap((room) => [...room.peers.values()]);
  }

  async getProducerStats(producerId: string): Promise<types.ProducerStat[]> {
    for (const peer of this.#peers()) {
      for (const { producer } of peer.producers) if (producer.id === producerId) return producer.getStats();
    }
    throw new Error(`getProducerStats: no open producer '${producerId}'`);
  }

  async getConsumerStats(consumerId: string): Promise<(types.ConsumerStat | types.ProducerStat)[]> {
    for (const peer of this.#peers()) {
      for (const consumer of peer.consumers) if (consumer.id === consumerId) return consumer.getStats();
    }
    throw new Error(`getConsumerStats: no open consumer '${consumerId}'`);
  }

  close(): Promise<void> {
    this.#closePromise ??= (async () => {
      this.#logger.info('closing');
      await this.#signaling.close().catch((e: unknown) => this.#logger.warn(`closing signaling: ${errorMessage(e)}`));
      this.#rooms.close();
      await this.#pool.close();
      await closeHttp(this.#http);
      this.safeEmit('close');
      this.removeAllListeners();
    })();
    return this.#closePromise;
  }
}

async function closeHttp(http: HttpServer): Promise<void> {
  if (!http.listening) return;
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
}

/** Starts an SFU; rejects (having stopped whatever it started) if any part cannot start. */
export async function startSfu(userOptions: SfuOptions = {}): Promise<Sfu> {
  const options = resolveSfuOptions(userOptions);
  const logger = options.logger;
  const pool = await WorkerPool.start(options, logger);
  const rooms = new RoomRegistry(pool, options, logger);
  let connections = () => 0;
  const metrics = new SfuMetrics({ pool, rooms, connections: () => connections(), logger });
  // WHIP/WHEP peers live in the rooms like the WebSocket's, so they close with them.
  const whip = new WhipEndpoints({
    sessions: new WhipSessions(rooms, logger),
    tokenSecret: options.tokenSecret,
    maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds,
    turn: options.turn,
    logger,
  });
  const http = createServer(
    createRequestHandler({
      clientDir: options.clientDir,
      health: () => ({
        workersAlive: pool.aliveCount,
        workers: pool.workers.length,
        rooms: rooms.size,
        peers: [...rooms.rooms].reduce((n, r) => n + r.peers.size, 0),
      }),
      metrics: () => metrics.render(),
      whip,
      hostPolicy: options.hostPolicy,
      logger,
    }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.httpPort, options.listenIp, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    rooms.close();
    await pool.close();
    throw new Error(
      `startSfu: cannot listen on ${options.listenIp}:${options.httpPort}: ${errorMessage(error)}; pass another httpPort (0 picks a free one)`,
    );
  }
  http.on('error', (error) => logger.error(`HTTP server error: ${errorMessage(error)}`));
  const signaling = new SignalingServer(http, {
    rooms,
    tokenSecret: options.tokenSecret,
    maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds,
    turn: options.turn,
    limits: options.limits,
    hostPolicy: options.hostPolicy,
    logger,
    onOutcome: (method, outcome) => metrics.recordOutcome(method, outcome),
  });
  connections = () => signaling.connections;
  const sfu = new SfuServer({ options, pool, rooms, metrics, http, signaling });
  logger.info(`listening on ${sfu.url} (signaling ${sfu.wsUrl}), media ports ${sfu.rtcPorts.join(', ')}`);
  return sfu;
}
