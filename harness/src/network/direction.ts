// One direction of a running link: the model decides, the scheduler releases, the counters
// count. UDP sessions and TCP connections of every route of the link share it, since they
// cross the same access pipe (one bottleneck, one loss process).
import { performance } from 'node:perf_hooks';
import { DirectionModel, TCP_OVERHEAD_BYTES, UDP_OVERHEAD_BYTES, type AccessRules } from './model.ts';
import type { RandomStreams } from './random.ts';
import { DepartureScheduler, type PacketSink } from './scheduler.ts';
import { isTransparent } from './settings.ts';
import type { DirectionCounters, ResolvedLinkSettings, Transport } from './types.ts';

export function emptyCounters(): DirectionCounters {
  return {
    packetsIn: 0,
    bytesIn: 0,
    packetsForwarded: 0,
    bytesForwarded: 0,
    droppedLoss: 0,
    droppedQueue: 0,
    droppedBlocked: 0,
    droppedOutage: 0,
    droppedSendError: 0,
    duplicated: 0,
    reordered: 0,
    tcpRetransmits: 0,
    tcpPauses: 0,
    inFlight: 0,
    queueDelayMs: 0,
    queueDelaySumMs: 0,
    queueDelayCount: 0,
  };
}

/** What the relay should do with the source after a packet was accepted. */
export type AcceptResult = { pauseUntilMs: number } | null;

export class LinkDirection {
  readonly #model: DirectionModel;
  readonly #scheduler: DepartureScheduler;
  readonly #counters = emptyCounters();
  #transparent: boolean;

  constructor(settings: ResolvedLinkSettings, access: AccessRules, random: RandomStreams) {
    this.#model = new DirectionModel(settings, access, random);
    this.#transparent = isTransparent(settings) && !access.blockUdp && access.allowPorts === null;
    this.#scheduler = new DepartureScheduler({
      onRelease: (payload, ok) => {
        if (ok) {
          this.#counters.packetsForwarded++;
          this.#counters.bytesForwarded += payload.length;
        } else {
          this.#counters.droppedSendError++;
        }
      },
    });
  }

  configure(settings: ResolvedLinkSettings, access: AccessRules): void {
    this.#model.configure(settings, access);
    this.#transparent = isTransparent(settings) && !access.blockUdp && access.allowPorts === null;
  }

  setOutageUntil(untilMs: number): void {
    this.#model.setOutageUntil(untilMs);
  }

  isBlocked(transport: Transport, targetPort: number): boolean {
    return this.#model.isBlocked(transport, targetPort);
  }

  /** Takes one packet (a datagram, or a whole RFC 4571 frame on TCP) through the link. */
  accept(payload: Buffer, transport: Transport, targetPort: number, sink: PacketSink): AcceptResult {
    const counters = this.#counters;
    counters.packetsIn++;
    counters.bytesIn += payload.length;
    const nowMs = performance.now();
    // Fast path: a link that changes nothing skips the model (and its allocations).
    if (this.#transparent && nowMs >= this.#model.outageUntilMs) {
      this.#scheduler.schedule(nowMs, payload, sink, 1, false);
      return null;
    }
    const overhead = transport === 'udp' ? UDP_OVERHEAD_BYTES : TCP_OVERHEAD_BYTES;
    const fate = this.#model.decide({ sizeBytes: payload.length + overhead, arrivalMs: nowMs, transport, targetPort });
    if (fate.kind === 'drop') {
      if (fate.reason === 'loss') counters.droppedLoss++;
      else if (fate.reason === 'queue') counters.droppedQueue++;
      else if (fate.reason === 'blocked') counters.droppedBlocked++;
      else counters.droppedOutage++;
      return null;
    }
    counters.queueDelaySumMs += fate.queueDelayMs;
    counters.queueDelayCount++;
    if (fate.copies > 1) counters.duplicated += fate.copies - 1;
    if (fate.reordered) counters.reordered++;
    if (fate.retransmitted) counters.tcpRetransmits++;
    this.#scheduler.schedule(fate.departMs, payload, sink, fate.copies, fate.reordered);
    if (fate.pauseSourceUntilMs === null) return null;
    counters.tcpPauses++;
    return { pauseUntilMs: fate.pauseSourceUntilMs };
  }

  counters(): DirectionCounters {
    return {
      ...this.#counters,
      inFlight: this.#scheduler.pending,
      queueDelayMs: this.#model.backlogMs(performance.now()),
    };
  }

  close(): void {
    this.#scheduler.close();
  }
}
