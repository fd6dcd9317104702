// A bounded, timestamped log of call events that the harness drains. Bounded so that a page
// nobody drains (a --headful session, a harness that only reads state) cannot grow without end.
import type { CallEvent } from './api.ts';

/** Distributes Omit over the union so each event keeps its own fields. */
export type CallEventInput = CallEvent extends infer E ? (E extends CallEvent ? Omit<E, 'atMs'> : never) : never;

export interface EventLogOptions {
  /** Most events kept; the oldest are dropped first. Default 1000. */
  capacity?: number;
  /** Clock, epoch ms. Default Date.now. */
  now?: () => number;
  /** Called with every event as it is logged (the page's UI status line uses it). Default: none. */
  onEvent?: (event: CallEvent) => void;
}

export class EventLog {
  private entries: CallEvent[] = [];
  private droppedCount = 0;
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly onEvent: ((event: CallEvent) => void) | undefined;

  constructor(options: EventLogOptions = {}) {
    this.capacity = options.capacity ?? 1000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new Error(`EventLog capacity must be a whole number >= 1, got ${this.capacity}`);
    }
    this.now = options.now ?? Date.now;
    this.onEvent = options.onEvent;
  }

  push(input: CallEventInput): CallEvent {
    const event = { ...input, atMs: this.now() } as CallEvent;
    this.entries.push(event);
    if (this.entries.length > this.capacity) {
      const excess = this.entries.length - this.capacity;
      this.entries.splice(0, excess);
      this.droppedCount += excess;
    }
    if (this.onEvent) {
      try {
        this.onEvent(event);
      } catch (err) {
        console.error('event log: listener threw', err);
      }
    }
    return event;
  }

  /** A copy of the current entries, oldest first. */
  snapshot(): CallEvent[] {
    return [...this.entries];
  }

  /** Returns the entries, oldest first, and empties the log. */
  drain(): CallEvent[] {
    const out = this.entries;
    this.entries = [];
    return out;
  }

  /** Events dropped since the page loaded because the log was full. */
  get dropped(): number {
    return this.droppedCount;
  }
}
