// The fate of each packet crossing one direction of an access link, decided at its arrival.
// Pure: no clock, no I/O; time comes in with the packet and randomness from seeded streams, so
// a test drives it with a fake clock and two runs with the same seed decide the same.
//
// Stages, in order (as in netem, loss comes before the queue, so lost packets use no capacity):
//   access (blockUdp, allowPorts) -> outage -> loss (Bernoulli or Gilbert–Elliott) ->
//   bottleneck (rateKbps serialisation behind a drop-tail queue) -> delay + jitter (jitter.ts,
//   a smooth function of time) -> reorder / duplicate. A packet never departs before the
//   previous one unless reorderPct picks it: the departure is clamped to the last one.
//
// TCP frames cannot be dropped or reordered: a loss becomes a retransmission delay (and,
// through the clamp, head-of-line blocking for the frames behind it); an outage holds frames
// until it ends; a full queue still accepts the frame. In the last two cases the fate asks the
// relay to stop reading the source for a while, so the sender's TCP feels backpressure.
import { JitterProcess } from './jitter.ts';
import type { RandomStreams } from './random.ts';
import type { ResolvedLinkSettings, Transport } from './types.ts';

export type DropReason = 'blocked' | 'outage' | 'loss' | 'queue';

export interface PacketInfo {
  /** Size on the wire (payload + IP/transport headers), bytes: what the rate limit counts. */
  sizeBytes: number;
  /** Arrival time, ms on any monotonic clock (non-decreasing across calls). */
  arrivalMs: number;
  transport: Transport;
  /** The port of the route's target (SFU or TURN server), for allowPorts. */
  targetPort: number;
}

export type PacketFate =
  | { kind: 'drop'; reason: DropReason }
  | {
      kind: 'forward';
      departMs: number;
      /** Time spent waiting behind earlier packets at the bottleneck, ms. */
      queueDelayMs: number;
      /** 2 when duplicated. */
      copies: 1 | 2;
      /** Skipped the delay (may overtake earlier packets). */
      reordered: boolean;
      /** TCP only: the loss model hit it, so it carries a retransmission delay. */
      retransmitted: boolean;
      /**
       * TCP only: the source should stop reading until then (the queue is over its limit, or the
       * link is in an outage), so the sender's own TCP feels the backpressure. null: no pause.
       */
      pauseSourceUntilMs: number | null;
    };

export interface AccessRules {
  blockUdp: boolean;
  allowPorts: ReadonlySet<number> | null;
}

/** Wire overhead of IPv4 + UDP headers, bytes. */
export const UDP_OVERHEAD_BYTES = 28;
/** Wire overhead of IPv4 + TCP headers (no options), bytes. */
export const TCP_OVERHEAD_BYTES = 40;
/**
 * A lost TCP segment is resent after about one round trip once duplicate ACKs arrive; estimate
 * the round trip as 2·delay + 4·jitter (RFC 6298's SRTT + 4·RTTVAR) with this floor, ms.
 */
export const TCP_MIN_RETRANSMIT_MS = 20;

export class DirectionModel {
  #settings: ResolvedLinkSettings;
  #access: AccessRules;
  readonly #random: RandomStreams;
  #outageUntilMs = -Infinity;
  /** When the bottleneck finishes sending everything accepted so far. */
  #linkFreeAtMs = -Infinity;
  /** Serialisation end times of packets still in the bottleneck (for queuePackets). */
  #queueEnds: number[] = [];
  #queueHead = 0;
  #lastDepartMs = -Infinity;
  #lastArrivalMs = -Infinity;
  readonly #jitter: JitterProcess;
  #burstBad = false;

  constructor(settings: ResolvedLinkSettings, access: AccessRules, random: RandomStreams) {
    this.#settings = settings;
    this.#access = access;
    this.#random = random;
    this.#jitter = new JitterProcess(random.jitter);
    this.#jitter.configure(settings.jitterMs, settings.jitterCorrelation);
  }

  get settings(): ResolvedLinkSettings {
    return this.#settings;
  }

  /** Applies to packets arriving after this call; packets already accepted keep their fate. */
  configure(settings: ResolvedLinkSettings, access: AccessRules): void {
    if (!settings.burstLoss) this.#burstBad = false;
    this.#jitter.configure(settings.jitterMs, settings.jitterCorrelation);
    this.#settings = settings;
    this.#access = access;
  }

  /** Everything arriving before untilMs is dropped. */
  setOutageUntil(untilMs: number): void {
    this.#outageUntilMs = untilMs;
  }

  get outageUntilMs(): number {
    return this.#outageUntilMs;
  }

  /** True if a packet on this transport and target port would be blocked. */
  isBlocked(transport: Transport, targetPort: number): boolean {
    const access = this.#access;
    return (transport === 'udp' && access.blockUdp) || (access.allowPorts !== null && !access.allowPorts.has(targetPort));
  }

  /** How long a packet arriving at nowMs would wait at the bottleneck, ms. */
  backlogMs(nowMs: number): number {
    return Math.max(0, this.#linkFreeAtMs - nowMs);
  }

  decide(packet: PacketInfo): PacketFate {
    const settings = this.#settings;
    const reliable = packet.transport === 'tcp';
    const arrivalMs = Math.max(packet.arrivalMs, this.#lastArrivalMs);
    this.#lastArrivalMs = arrivalMs;

    if (this.isBlocked(packet.transport, packet.targetPort)) return { kind: 'drop', reason: 'blocked' };
    // TCP resends what an outage swallowed once the link is back: hold the frame until then.
    let enterMs = arrivalMs;
    let pauseSourceUntilMs: number | null = null;
    if (arrivalMs < this.#outageUntilMs) {
      if (!reliable) return { kind: 'drop', reason: 'outage' };
      enterMs = this.#outageUntilMs;
      pauseSourceUntilMs = this.#outageUntilMs;
    }

    const lost = this.#drawLoss(settings) || enterMs > arrivalMs;
    if (lost && !reliable) return { kind: 'drop', reason: 'loss' };

    // Bottleneck: serialise at rateKbps behind the packets already accepted.
    let queueStartMs = enterMs;
    let serialisedMs = enterMs;
    if (settings.rateKbps > 0) {
      queueStartMs = Math.max(enterMs, this.#linkFreeAtMs);
      const overQueueLimit = this.#queueFull(settings, enterMs, queueStartMs);
      if (overQueueLimit && !reliable) return { kind: 'drop', reason: 'queue' };
      if (overQueueLimit) pauseSourceUntilMs = Math.max(pauseSourceUntilMs ?? 0, queueStartMs);
      // bits / (kbit/s) = ms
      serialisedMs = queueStartMs + (packet.sizeBytes * 8) / settings.rateKbps;
      this.#linkFreeAtMs = serialisedMs;
      this.#queueEnds.push(serialisedMs);
    }
    const queueDelayMs = queueStartMs - enterMs;

    const delayMs = settings.jitterMs > 0 ? Math.max(0, settings.delayMs + this.#jitter.at(enterMs)) : settings.delayMs;
    const retransmitMs = lost ? Math.max(TCP_MIN_RETRANSMIT_MS, 2 * settings.delayMs + 4 * settings.jitterMs) : 0;

    const reordered = !reliable && settings.reorderPct > 0 && this.#random.reorder.chance(settings.reorderPct);
    let departMs: number;
    if (reordered) {
      departMs = serialisedMs;
    } else {
      departMs = Math.max(serialisedMs + delayMs + retransmitMs, this.#lastDepartMs);
      this.#lastDepartMs = departMs;
    }
    const duplicated = !reliable && settings.duplicatePct > 0 && this.#random.duplicate.chance(settings.duplicatePct);
    return {
      kind: 'forward',
      departMs,
      queueDelayMs,
      copies: duplicated ? 2 : 1,
      reordered,
      retransmitted: lost,
      pauseSourceUntilMs,
    };
  }

  #drawLoss(settings: ResolvedLinkSettings): boolean {
    const burst = settings.burstLoss;
    if (burst) {
      const lost = this.#random.loss.chance(this.#burstBad ? burst.lossInBadPct : burst.lossInGoodPct);
      const step = this.#random.burst.next01();
      this.#burstBad = this.#burstBad ? step >= burst.pBadToGood : step < burst.pGoodToBad;
      return lost;
    }
    return settings.lossPct > 0 && this.#random.loss.chance(settings.lossPct);
  }

  #queueFull(settings: ResolvedLinkSettings, arrivalMs: number, queueStartMs: number): boolean {
    // Forget packets that have left the bottleneck (tracked in both modes, so a switch from a
    // limit in ms to one in packets counts the backlog right); compact the array now and then.
    const ends = this.#queueEnds;
    while (this.#queueHead < ends.length && (ends[this.#queueHead] as number) <= arrivalMs) this.#queueHead++;
    if (this.#queueHead > 1024 && this.#queueHead * 2 > ends.length) {
      this.#queueEnds = ends.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    if (settings.queue.unit === 'ms') return queueStartMs - arrivalMs > settings.queue.ms;
    return this.#queueEnds.length - this.#queueHead >= settings.queue.packets;
  }
}
