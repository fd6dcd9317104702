// A typed EventEmitter: the event map names each event and its argument tuple. A listener that
// throws is reported on stderr and does not break the emitter or the other listeners (one bad
// reporter must not stop a run). sfu/src/events.ts has its own, logger-based one: the SFU stands
// alone and never imports the harness.
import { EventEmitter } from 'node:events';

export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  removeAllListeners(): void {
    this.#emitter.removeAllListeners();
  }

  /** Calls every listener; returns false if any threw (the error is logged, not rethrown). */
  protected emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    let ok = true;
    // rawListeners keeps once() wrappers, so a once listener is removed after its first call.
    for (const listener of this.#emitter.rawListeners(event)) {
      try {
        (listener as (...a: E[K]) => void)(...args);
      } catch (err) {
        ok = false;
        process.stderr.write(`rtc-harness: a '${event}' listener threw: ${(err as Error)?.stack ?? String(err)}\n`);
      }
    }
    return ok;
  }
}
