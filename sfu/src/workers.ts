// The mediasoup worker processes: one per core, each with one WebRtcServer listening on a single
// UDP and a single TCP socket on the same port, so every peer's media reaches the SFU at one
// address per worker (a simulated link or a firewall rule sees exactly that). Rooms go to the
// least-loaded live worker. A worker that dies is logged and reported; its routers close, which
// closes its rooms, and the pool carries on with the others while it starts a replacement on the
// same media port (so links and firewall rules that name the port stay right). A slot whose
// workers keep dying (more than RESPAWN_LIMIT deaths within RESPAWN_WINDOW_MS) stays empty.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { createWorker, workerBin, type types } from 'mediasoup';
import { TypedEmitter } from './events.ts';
import { errorMessage, type Logger, type LogLevel } from './logger.ts';
import { SignalingError } from './errors.ts';

export interface MediaWorker {
  /** 0-based, stable for the pool's life: the `worker` label in metrics. */
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  /** The UDP and TCP port of this worker's WebRtcServer. */
  readonly rtcPort: number;
}

export interface WorkerPoolOptions {
  numWorkers: number;
  listenIp: string;
  announcedAddress: string | undefined;
  /** First port (worker i gets rtcPort + i), or 0 for a free port per worker. */
  rtcPort: number;
  logLevel: LogLevel;
}

export type WorkerPoolEvents = {
  workerDied: [worker: MediaWorker, error: Error];
  /** A replacement for a dead worker is up at the same index, on the same media port. */
  workerReplaced: [worker: MediaWorker, previousPid: number];
  /** A dead worker's slot stays empty: why (it died too often, or the replacement failed). */
  workerNotReplaced: [index: number, reason: string];
};

/** How long a worker process may take to exit after close() before it is killed, ms. */
const EXIT_TIMEOUT_MS = 3000;
/** Attempts at finding a port free for both UDP and TCP when rtcPort is 0. */
const FREE_PORT_ATTEMPTS = 20;
/** A slot is refilled at most this many times within RESPAWN_WINDOW_MS: a worker that crashes on start, or on every call, must not spin. */
const RESPAWN_LIMIT = 3;
const RESPAWN_WINDOW_MS = 60_000;
/** Binding the dead worker's port again: attempts and the pause between them (the kernel frees it as the process is reaped). */
const REBIND_ATTEMPTS = 10;
const REBIND_PAUSE_MS = 200;

function workerLogLevel(level: LogLevel): types.WorkerLogLevel {
  if (level === 'silent') return 'none';
  if (level === 'info') return 'warn';
  return level;
}

/** A port the OS reports free for TCP on `ip`, checked free for UDP too (then released). */
async function probeFreePort(ip: string): Promise<number> {
  const port = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, ip, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
  await new Promise<void>((resolve, reject) => {
    const socket = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, ip, () => socket.close(() => resolve()));
  });
  return port;
}

export class WorkerPool extends TypedEmitter<WorkerPoolEvents> {
  readonly #workers: MediaWorker[];
  readonly #load = new Map<MediaWorker, number>();
  readonly #logger: Logger;
  readonly #options: WorkerPoolOptions;
  /** Death times per slot, within the respawn window. */
  readonly #deaths = new Map<number, number[]>();
  readonly #replacing = new Set<Promise<void>>();
  #closePromise: Promise<void> | undefined;

  private constructor(workers: MediaWorker[], options: WorkerPoolOptions, logger: Logger) {
    super(logger);
    this.#workers = workers;
    this.#options = options;
    this.#logger = logger;
    for (const mw of workers) this.#watch(mw);
  }

  #watch(mw: MediaWorker): void {
    this.#load.set(mw, 0);
    mw.worker.observer.on('newrouter', (router) => {
      this.#load.set(mw, (this.#load.get(mw) ?? 0) + 1);
      router.observer.once('close', () => this.#load.set(mw, (this.#load.get(mw) ?? 1) - 1));
    });
    mw.worker.on('died', (error) => {
      this.#logger.error(`mediasoup worker ${mw.index} (pid ${mw.worker.pid}) died: ${error.message}; its rooms are closed`);
      this.#load.delete(mw);
      this.safeEmit('workerDied', mw, error);
      if (this.#closePromise) return;
      const replacing = this.#replace(mw).finally(() => this.#replacing.delete(replacing));
      this.#replacing.add(replacing);
    });
  }

  /** Starts a worker in the dead one's slot, on its port, unless the slot died too often. */
  async #replace(dead: MediaWorker): Promise<void> {
    const now = Date.now();
    const deaths = [...(this.#deaths.get(dead.index) ?? []).filter((t) => now - t < RESPAWN_WINDOW_MS), now];
    this.#deaths.set(dead.index, deaths);
    const notReplaced = (reason: string) => {
      this.#logger.error(`mediasoup worker ${dead.index} is not replaced: ${reason}; the SFU carries on with ${this.aliveCount} worker(s)`);
      this.safeEmit('workerNotReplaced', dead.index, reason);
    };
    if (deaths.length > RESPAWN_LIMIT) {
      notReplaced(`it died ${deaths.length} times within ${RESPAWN_WINDOW_MS / 1000} s`);
      return;
    }
    let worker: types.Worker | undefined;
    try {
      worker = await createWorker({ logLevel: workerLogLevel(this.#options.logLevel), appData: { index: dead.index } });
      let lastError: unknown;
      for (let attempt = 0; attempt < REBIND_ATTEMPTS; attempt++) {
        if (this.#closePromise) throw new Error('the SFU is closing');
        try {
          const webRtcServer = await WorkerPool.#listen(worker, dead.index, dead.rtcPort, this.#options);
          const mw: MediaWorker = { index: dead.index, worker, webRtcServer, rtcPort: dead.rtcPort };
          this.#workers[dead.index] = mw;
          this.#watch(mw);
          // A warning, not info: the rooms it held were closed, which whoever reads the log must see.
          this.#logger.warn(`mediasoup worker ${dead.index} replaced by pid ${worker.pid}, on the same media port (${dead.rtcPort})`);
          this.safeEmit('workerReplaced', mw, dead.worker.pid);
          return;
        } catch (error) {
          lastError = error;
          await new Promise((resolve) => setTimeout(resolve, REBIND_PAUSE_MS));
        }
      }
      throw new Error(`its port ${dead.rtcPort} (UDP+TCP) could not be bound again: ${errorMessage(lastError)}`);
    } catch (error) {
      if (worker) await closeWorker(worker, this.#logger);
      if (!this.#closePromise) notReplaced(`the replacement failed: ${errorMessage(error)}`);
    }
  }

  /** Starts every worker and its WebRtcServer; on any failure, stops those already started. */
  static async start(options: WorkerPoolOptions, logger: Logger): Promise<WorkerPool> {
    const started: MediaWorker[] = [];
    const spawned: types.Worker[] = [];
    try {
      // Sequentially: with rtcPort 0, parallel probes could pick the same free port twice.
      for (let index = 0; index < options.numWorkers; index++) {
        let worker: types.Worker;
        try {
          worker = await createWorker({ logLevel: workerLogLevel(options.logLevel), appData: { index } });
        } catch (error) {
          throw new Error(
            `mediasoup-worker failed to start (${errorMessage(error)}); expected the binary at ${workerBin}: run 'npm run setup' to build it`,
          );
        }
        spawned.push(worker);
        const { webRtcServer, port } = await WorkerPool.#createWebRtcServer(worker, index, options);
        started.push({ index, worker, webRtcServer, rtcPort: port });
      }
    } catch (error) {
      await Promise.all(spawned.map((w) => closeWorker(w, logger)));
      throw error;
    }
    return new WorkerPool(started, options, logger);
  }

  static async #createWebRtcServer(
    worker: types.Worker,
    index: number,
    options: WorkerPoolOptions,
  ): Promise<{ webRtcServer: types.WebRtcServer; port: number }> {
    const listen = (port: number) => WorkerPool.#listen(worker, index, port, options);
    if (options.rtcPort !== 0) {
      const port = options.rtcPort + index;
      try {
        return { webRtcServer: await listen(port), port };
      } catch (error) {
        throw new Error(
          `worker ${index} cannot listen on ${options.listenIp}:${port} (UDP+TCP): ${errorMessage(error)}; pass another rtcPort, or 0 for free ports`,
        );
      }
    }
    let lastError: unknown;
    for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
      try {
        const port = await probeFreePort(options.listenIp);
        return { webRtcServer: await listen(port), port };
      } catch (error) {
        // Another process took the port between the probe and the bind: try another.
        lastError = error;
      }
    }
    throw new Error(`worker ${index} found no port free for both UDP and TCP on ${options.listenIp}: ${errorMessage(lastError)}`);
  }

  /** One WebRtcServer of `worker` on `port`, UDP and TCP. */
  static #listen(worker: types.Worker, index: number, port: number, options: WorkerPoolOptions): Promise<types.WebRtcServer> {
    const base = { ip: options.listenIp, port, ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}) };
    return worker.createWebRtcServer({
      listenInfos: [
        { ...base, protocol: 'udp' },
        { ...base, protocol: 'tcp' },
      ],
      appData: { index },
    });
  }

  /** By index; a dead worker stays in its slot until its replacement is up. */
  get workers(): readonly MediaWorker[] {
    return this.#workers;
  }

  get aliveCount(): number {
    return this.#workers.filter((w) => !w.worker.closed).length;
  }

  /** The live worker with the fewest rooms (the lowest index on ties). */
  pick(): MediaWorker {
    let best: MediaWorker | undefined;
    for (const mw of this.#workers) {
      if (mw.worker.closed) continue;
      if (!best || (this.#load.get(mw) ?? 0) < (this.#load.get(best) ?? 0)) best = mw;
    }
    if (!best) throw new SignalingError('internal', 'no mediasoup worker is alive; restart the SFU');
    return best;
  }

  /** Closes every WebRtcServer and worker and waits until each worker process has exited. */
  close(): Promise<void> {
    this.#closePromise ??= (async () => {
      // A replacement being started sees the close and stops its worker itself.
      await Promise.all(this.#replacing);
      for (const mw of this.#workers) if (!mw.webRtcServer.closed) mw.webRtcServer.close();
      await Promise.all(this.#workers.map((mw) => closeWorker(mw.worker, this.#logger)));
      this.removeAllListeners();
    })();
    return this.#closePromise;
  }
}

/** Closes `worker` and resolves once its process is gone (killed if it lingers). */
async function closeWorker(worker: types.Worker, logger: Logger): Promise<void> {
  if (worker.subprocessClosed) return;
  const exited = new Promise<void>((resolve) => worker.once('subprocessclose', () => resolve()));
  worker.close();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), EXIT_TIMEOUT_MS);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout' && !worker.subprocessClosed) {
    logger.warn(`mediasoup worker pid ${worker.pid} did not exit within ${EXIT_TIMEOUT_MS} ms; killing it`);
    try {
      process.kill(worker.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  }
}
