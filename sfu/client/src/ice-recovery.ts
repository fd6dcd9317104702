// Restarts ICE when a transport loses its connection, as a production call app does: a network
// that changed under the call (UDP blocked mid-call, a new interface) leaves the old candidate
// pair dead, and only a restart gathers again and finds another way, through TURN if need be.
// Opt-in (URL parameter icerestart=1), so that a harness measuring raw ICE behaviour sees none.

/** The part of a mediasoup-client Transport this needs. */
export interface RecoverableTransport {
  readonly connectionState: string;
  on(event: 'connectionstatechange', listener: (state: string) => void): unknown;
  off(event: 'connectionstatechange', listener: (state: string) => void): unknown;
}

export interface IceRecoveryOptions {
  /** Restarts ICE on every transport (new ICE parameters from the SFU). */
  restart(): Promise<void>;
  /** A restart failed, or recovery gave up. */
  report(message: string): void;
  /** After a restart, how long to wait for 'connected' before restarting again, ms. Default 4000. */
  retryMs?: number;
  /** Restarts in a row without reaching 'connected' before giving up. Default 5. */
  maxAttempts?: number;
}

const LOST = new Set(['disconnected', 'failed']);

export class IceRecovery {
  readonly #transports: readonly RecoverableTransport[];
  readonly #options: IceRecoveryOptions;
  readonly #listener = (state: string) => this.#onState(state);
  #attempts = 0;
  #running = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(transports: readonly RecoverableTransport[], options: IceRecoveryOptions) {
    this.#transports = transports;
    this.#options = options;
    for (const t of transports) t.on('connectionstatechange', this.#listener);
  }

  /** Restarts so far since the last time every transport was connected. */
  get attempts(): number {
    return this.#attempts;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const t of this.#transports) t.off('connectionstatechange', this.#listener);
  }

  #onState(state: string): void {
    if (this.#closed) return;
    if (state === 'connected' && this.#transports.every((t) => t.connectionState !== 'disconnected' && t.connectionState !== 'failed')) {
      this.#attempts = 0;
      clearTimeout(this.#timer);
      return;
    }
    if (LOST.has(state)) this.#restart();
  }

  #restart(): void {
    if (this.#closed || this.#running) return;
    const max = this.#options.maxAttempts ?? 5;
    if (this.#attempts >= max) {
      if (this.#attempts === max) this.#options.report(`ICE restart gave up after ${max} attempts without reconnecting`);
      this.#attempts++;
      return;
    }
    this.#attempts++;
    this.#running = true;
    clearTimeout(this.#timer);
    void this.#options
      .restart()
      .catch((err: unknown) => this.#options.report(`automatic ICE restart failed: ${(err as Error)?.message ?? String(err)}`))
      .finally(() => {
        this.#running = false;
        if (this.#closed) return;
        this.#timer = setTimeout(() => {
          if (this.#transports.some((t) => t.connectionState !== 'connected' && t.connectionState !== 'new')) this.#restart();
        }, this.#options.retryMs ?? 4000);
      });
  }
}
