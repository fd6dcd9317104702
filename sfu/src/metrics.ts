// Prometheus metrics of one SFU, in a Registry the SFU owns (never prom-client's global one, so
// two SFUs in one process, e.g. in tests, do not mix). Gauges are computed from the live rooms
// when scraped; nothing runs per packet. Labels are bounded: kind, direction, worker index,
// method and outcome; never room, peer or consumer ids.
//
// | name                                   | type    | labels          | meaning                                              |
// |----------------------------------------|---------|-----------------|------------------------------------------------------|
// | rtc_sfu_workers_alive                  | gauge   |                 | mediasoup workers running                            |
// | rtc_sfu_worker_deaths_total            | counter |                 | workers that died unexpectedly                       |
// | rtc_sfu_worker_cpu_seconds_total       | counter | worker          | user+system CPU of the worker process, seconds       |
// | rtc_sfu_worker_max_rss_bytes           | gauge   | worker          | peak resident memory of the worker process, bytes    |
// | rtc_sfu_rooms                          | gauge   | worker          | open rooms                                           |
// | rtc_sfu_peers                          | gauge   |                 | joined peers                                         |
// | rtc_sfu_ws_connections                 | gauge   |                 | open signaling WebSockets (joined or not)            |
// | rtc_sfu_transports                     | gauge   | direction       | WebRTC transports (send, recv)                       |
// | rtc_sfu_producers                      | gauge   | kind            | producers (audio, video)                             |
// | rtc_sfu_consumers                      | gauge   | kind            | consumers (audio, video)                             |
// | rtc_sfu_consumer_score_mean            | gauge   | kind            | mean mediasoup score (0-10) of the consumers         |
// | rtc_sfu_consumer_score_min             | gauge   | kind            | lowest consumer score (0-10)                         |
// | rtc_sfu_transport_bitrate_bps          | gauge   | direction       | sum over transports: in = received, out = sent, bit/s|
// | rtc_sfu_signaling_requests_total       | counter | method, outcome | requests by method ('invalid' if unreadable) and    |
// |                                        |         |                 | outcome ('ok' or the error code)                     |
import { Counter, Gauge, Registry } from 'prom-client';
import type { types } from 'mediasoup';
import type { RoomRegistry } from './rooms.ts';
import type { WorkerPool } from './workers.ts';
import type { Logger } from './logger.ts';
import { errorMessage } from './logger.ts';

export interface MetricsSource {
  pool: WorkerPool;
  rooms: RoomRegistry;
  /** Open signaling sockets. */
  connections: () => number;
  logger: Logger;
}

type Kind = 'audio' | 'video';

export class SfuMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'outcome'>;
  readonly #deaths: Counter;

  constructor(source: MetricsSource) {
    const { pool, rooms, connections, logger } = source;
    const registers = [this.registry];
    const peers = () => [...rooms.rooms].flatMap((room) => [...room.peers.values()]);

    this.#deaths = new Counter({ name: 'rtc_sfu_worker_deaths_total', help: 'mediasoup workers that died unexpectedly', registers });
    this.#requests = new Counter({
      name: 'rtc_sfu_signaling_requests_total',
      help: "signaling requests by method ('invalid' when unreadable) and outcome ('ok' or the error code)",
      labelNames: ['method', 'outcome'],
      registers,
    });
    new Gauge({
      name: 'rtc_sfu_workers_alive',
      help: 'mediasoup workers running',
      registers,
      collect() {
        this.set(pool.aliveCount);
      },
    });
    // CPU per worker slot sums every process that held it (a dead worker's last reading stays,
    // its replacement's adds to it), so the counter never goes back. Memory is the latest process's.
    const cpuSecondsByPid = new Map<number, { index: number; seconds: number }>();
    const maxRssBytes = new Map<number, number>();
    // The CPU and memory series share one reading per scrape (both collect() calls start together).
    let reading: { atMs: number; done: Promise<void> } | undefined;
    const usage = (): Promise<void> => {
      const now = Date.now();
      if (!reading || now - reading.atMs > 500) reading = { atMs: now, done: readUsage() };
      return reading.done;
    };
    const readUsage = async () => {
      await Promise.all(
        pool.workers.map(async (mw) => {
          if (mw.worker.closed) return;
          try {
            const ru = await mw.worker.getResourceUsage();
            cpuSecondsByPid.set(mw.worker.pid, { index: mw.index, seconds: (ru.ru_utime + ru.ru_stime) / 1000 });
            maxRssBytes.set(mw.index, ru.ru_maxrss * 1024); // getrusage reports kilobytes.
          } catch (error) {
            logger.debug(`metrics: worker ${mw.index} resource usage unavailable: ${errorMessage(error)}`);
          }
        }),
      );
    };
    new Counter({
      name: 'rtc_sfu_worker_cpu_seconds_total',
      help: 'user + system CPU time of each mediasoup worker process, seconds',
      labelNames: ['worker'],
      registers,
      async collect() {
        await usage();
        this.reset();
        for (const { index, seconds } of cpuSecondsByPid.values()) this.inc({ worker: String(index) }, seconds);
      },
    });
    new Gauge({
      name: 'rtc_sfu_worker_max_rss_bytes',
      help: 'peak resident memory of each mediasoup worker process, bytes',
      labelNames: ['worker'],
      registers,
      async collect() {
        await usage();
        this.reset();
        for (const [index, bytes] of maxRssBytes) this.set({ worker: String(index) }, bytes);
      },
    });
    new Gauge({
      name: 'rtc_sfu_rooms',
      help: 'open rooms, by worker',
      labelNames: ['worker'],
      registers,
      collect() {
        this.reset();
        for (const mw of pool.workers) this.set({ worker: String(mw.index) }, 0);
        for (const room of rooms.rooms) this.inc({ worker: String(room.worker.index) });
      },
    });
    new Gauge({
      name: 'rtc_sfu_peers',
      help: 'joined peers',
      registers,
      collect() {
        this.set(peers().length);
      },
    });
    new Gauge({
      name: 'rtc_sfu_ws_connections',
      help: 'open signaling WebSockets, joined or not',
      registers,
      collect() {
        this.set(connections());
      },
    });
    new Gauge({
      name: 'rtc_sfu_transports',
      help: 'WebRTC transports by direction',
      labelNames: ['direction'],
      registers,
      collect() {
        const count = { send: 0, recv: 0 };
        for (const peer of peers()) {
          for (const t of peer.transports) count[t.appData.direction === 'send' ? 'send' : 'recv']++;
        }
        this.set({ direction: 'send' }, count.send);
        this.set({ direction: 'recv' }, count.recv);
      },
    });
    new Gauge({
      name: 'rtc_sfu_producers',
      help: 'producers by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        const count: Record<Kind, number> = { audio: 0, video: 0 };
        for (const peer of peers()) for (const { producer } of peer.producers) count[producer.kind]++;
        this.set({ kind: 'audio' }, count.audio);
        this.set({ kind: 'video' }, count.video);
      },
    });
    const consumersByKind = () => {
      const byKind: Record<Kind, types.Consumer[]> = { audio: [], video: [] };
      for (const peer of peers()) for (const consumer of peer.consumers) byKind[consumer.kind].push(consumer);
      return byKind;
    };
    new Gauge({
      name: 'rtc_sfu_consumers',
      help: 'consumers by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        const byKind = consumersByKind();
        this.set({ kind: 'audio' }, byKind.audio.length);
        this.set({ kind: 'video' }, byKind.video.length);
      },
    });
    new Gauge({
      name: 'rtc_sfu_consumer_score_mean',
      help: "mean mediasoup score (0-10) of the consumers' streams, by kind; absent without consumers",
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, list] of Object.entries(consumersByKind())) {
          if (list.length > 0) this.set({ kind }, list.reduce((sum, c) => sum + c.score.score, 0) / list.length);
        }
      },
    });
    new Gauge({
      name: 'rtc_sfu_consumer_score_min',
      help: 'lowest mediasoup score (0-10) among the consumers, by kind; absent without consumers',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, list] of Object.entries(consumersByKind())) {
          if (list.length > 0) this.set({ kind }, Math.min(...list.map((c) => c.score.score)));
        }
      },
    });
    new Gauge({
      name: 'rtc_sfu_transport_bitrate_bps',
      help: 'sum over all transports of the bitrate received (in) and sent (out), bits per second',
      labelNames: ['direction'],
      registers,
      async collect() {
        const transports = peers().flatMap((peer) => [...peer.transports]);
        const results = await Promise.allSettled(transports.map((t) => t.getStats()));
        let inBps = 0;
        let outBps = 0;
        for (const result of results) {
          // A transport that closed during the scrape simply does not count.
          if (result.status !== 'fulfilled') continue;
          for (const stat of result.value) {
            inBps += stat.recvBitrate ?? 0;
            outBps += stat.sendBitrate ?? 0;
          }
        }
        this.set({ direction: 'in' }, inBps);
        this.set({ direction: 'out' }, outBps);
      },
    });
  }

  recordOutcome(method: string, outcome: string): void {
    this.#requests.inc({ method, outcome });
  }

  recordWorkerDeath(): void {
    this.#deaths.inc();
  }

  /** The exposition text and its content type, collected now. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
