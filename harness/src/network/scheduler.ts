// Releases packets at their departure time with one timer per link direction.
//
// The model guarantees that departures of non-reordered packets never decrease, and reordered
// packets (which skip the delay) leave the bottleneck in order too, so two FIFO queues merged
// at their heads replace a heap. One timer is armed for the earliest head; packets due within
// EARLY_RELEASE_MS are released together. Node timers have 1 ms resolution and fire up to ~1 ms
// early or late; spinning on setImmediate for sub-ms precision cost a full core at ≥1k packets/s
// (see harness/bench/network.bench.ts), so the model's exact times set the pacing and the
// timer only approximates them, never reordering.
import { performance } from 'node:perf_hooks';

/** Where a released packet goes (a UDP session, a TCP connection side). */
export interface PacketSink {
  /** Sends the payload on; returns false if the destination is gone. */
  deliver(payload: Buffer): boolean;
}

interface Pending {
  departMs: number;
  payload: Buffer;
  sink: PacketSink;
  copies: number;
}

/** Releasing a packet up to this much before its departure time saves a timer round, ms. */
export const EARLY_RELEASE_MS = 0.5;

class Fifo {
  #items: Pending[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  peek(): Pending | undefined {
    return this.#items[this.#head];
  }

  push(item: Pending): void {
    this.#items.push(item);
  }

  shift(): Pending | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    this.#items[this.#head++] = undefined as unknown as Pending;
    // Compact when the consumed prefix dominates, keeping shift() O(1) amortised.
    if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

export interface SchedulerHooks {
  /** Called once per payload copy handed to a sink (ok = the sink accepted it). */
  onRelease(payload: Buffer, ok: boolean): void;
}

export class DepartureScheduler {
  readonly #delayed = new Fifo();
  readonly #express = new Fifo();
  readonly #hooks: SchedulerHooks;
  #timer: NodeJS.Timeout | null = null;
  #armedForMs = Infinity;
  #closed = false;
  #pendingCopies = 0;
  readonly #run = () => this.#release();

  constructor(hooks: SchedulerHooks) {
    this.#hooks = hooks;
  }

  /** Packet copies waiting for their departure time. */
  get pending(): number {
    return this.#pendingCopies;
  }

  /**
   * Queues a packet (copies > 1 sends it again right after); `express` marks a reordered packet.
   * A packet already due with nothing queued ahead is delivered at once.
   */
  schedule(departMs: number, payload: Buffer, sink: PacketSink, copies: number, express: boolean): void {
    if (this.#closed) return;
    const queue = express ? this.#express : this.#delayed;
    if (queue.size === 0 && departMs <= performance.now() + EARLY_RELEASE_MS) {
      this.#deliver(payload, sink, copies);
      return;
    }
    queue.push({ departMs, payload, sink, copies });
    this.#pendingCopies += copies;
    if (departMs < this.#armedForMs) this.#arm(departMs);
  }

  /** Drops everything queued and stops the timer. Idempotent. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#delayed.clear();
    this.#express.clear();
    this.#pendingCopies = 0;
  }

  #deliver(payload: Buffer, sink: PacketSink, copies: number): void {
    for (let i = 0; i < copies; i++) this.#hooks.onRelease(payload, sink.deliver(payload));
  }

  #arm(dueMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#armedForMs = dueMs;
    this.#timer = setTimeout(this.#run, Math.max(0, Math.round(dueMs - performance.now())));
  }

  #release(): void {
    this.#timer = null;
    this.#armedForMs = Infinity;
    const limitMs = performance.now() + EARLY_RELEASE_MS;
    for (;;) {
      const a = this.#delayed.peek();
      const b = this.#express.peek();
      const next = a && (!b || a.departMs <= b.departMs) ? a : b;
      if (!next) return;
      if (next.departMs > limitMs) {
        this.#arm(next.departMs);
        return;
      }
      (next === a ? this.#delayed : this.#express).shift();
      this.#pendingCopies -= next.copies;
      this.#deliver(next.payload, next.sink, next.copies);
      if (this.#closed) return;
    }
  }
}
