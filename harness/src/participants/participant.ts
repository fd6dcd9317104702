// One participant: one page driven through the page's control surface (`window.rtcHarness`, which
// our call page implements and a user's own page can implement too). The participant owns its
// page; the runner owns the participants.
import type { Page } from 'puppeteer-core';
import { TypedEmitter } from '../util/events.ts';
import type { PooledPage } from './pool.ts';
// The stats agent declares `window.__rtcHarness`.
import type {} from '../browser/agent.ts';

export type ParticipantState = 'created' | 'opened' | 'joined' | 'left' | 'crashed' | 'closed';

export type ParticipantEvents = {
  /** The page crashed or its browser died; what was measured before stays in the results. */
  crashed: [reason: string];
  /** A message the page printed with console.error, or an uncaught page error. */
  pageError: [message: string];
};

export interface ParticipantInfo {
  /** 'viewers[0]': the group name and the index within the group. */
  id: string;
  group: string;
  index: number;
}

export class Participant extends TypedEmitter<ParticipantEvents> {
  readonly id: string;
  readonly group: string;
  readonly index: number;
  readonly #pooled: PooledPage;
  #state: ParticipantState = 'created';
  #crashReason: string | null = null;
  #forgetBrowser: () => void;
  /** Unix ms of the last successful join, null before. */
  joinedAtMs: number | null = null;
  /** The id the SFU gave it at its last join (from the page's join()), null if the page did not say. */
  peerId: string | null = null;

  constructor(info: ParticipantInfo, pooled: PooledPage) {
    super();
    this.id = info.id;
    this.group = info.group;
    this.index = info.index;
    this.#pooled = pooled;
    const page = pooled.page;
    page.on('error', (err) => this.#crash(`page crashed: ${err.message}`));
    // A dead browser process takes its pages without a 'close' or 'error' event on them.
    const browser = page.browser();
    const onBrowserGone = () => this.#crash('its browser process died');
    browser.once('disconnected', onBrowserGone);
    this.#forgetBrowser = () => browser.off('disconnected', onBrowserGone);
    page.on('close', () => {
      if (this.#state !== 'closed') this.#crash('page closed unexpectedly');
    });
    page.on('pageerror', (err) => this.emit('pageError', (err as Error).message ?? String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.emit('pageError', msg.text());
    });
  }

  get page(): Page {
    return this.#pooled.page;
  }

  get browserIndex(): number {
    return this.#pooled.browserIndex;
  }

  get state(): ParticipantState {
    return this.#state;
  }

  get crashReason(): string | null {
    return this.#crashReason;
  }

  get alive(): boolean {
    return this.#state !== 'crashed' && this.#state !== 'closed';
  }

  /** Installs scripts that must run before the page's own code (the stats agent), then loads the page. */
  async open(url: string, initScripts: string[], timeoutMs = 30_000): Promise<void> {
    for (const script of initScripts) await this.page.evaluateOnNewDocument(script);
    await this.page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    this.#state = 'opened';
  }

  /**
   * Calls a method of the page's `window.rtcHarness` control surface and returns its result.
   * Errors name the participant and the method.
   */
  async invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    if (!this.alive) throw new Error(`${this.id}: ${method}() not possible, the participant has ${this.#state}`);
    try {
      return (await this.page.evaluate(
        async (m: string, a: unknown[]) => {
          const api = (window as unknown as { rtcHarness?: Record<string, (...x: unknown[]) => unknown> }).rtcHarness;
          if (!api) throw new Error('the page has no window.rtcHarness control surface');
          const fn = api[m];
          if (typeof fn !== 'function') throw new Error(`window.rtcHarness has no method '${m}'`);
          return await fn.apply(api, a);
        },
        method,
        args,
      )) as T;
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      // Puppeteer appends the page's stack frames to the message: the first line says what failed.
      const first = message.replace(/^Error: /, '').split('\n')[0]!.trim();
      throw new Error(`${this.id}: ${method}() failed: ${first}`);
    }
  }

  async join(params: { room: string; token?: string }): Promise<void> {
    // The stats agent measures time to first frame from this mark.
    await this.page.evaluate(() => window.__rtcHarness?.mark('join')).catch(() => {});
    const joined = await this.invoke<{ peerId?: unknown } | undefined>('join', { room: params.room, name: this.id, token: params.token });
    if (typeof joined?.peerId === 'string') this.peerId = joined.peerId;
    this.joinedAtMs = Date.now();
    this.#state = 'joined';
  }

  async leave(): Promise<void> {
    await this.invoke('leave');
    this.#state = 'left';
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasCrashed = this.#state === 'crashed';
    this.#state = 'closed';
    this.#forgetBrowser();
    if (!wasCrashed) await this.#pooled.close();
    else await this.#pooled.close().catch(() => {});
  }

  #crash(reason: string): void {
    if (this.#state === 'crashed' || this.#state === 'closed') return;
    this.#state = 'crashed';
    this.#crashReason = reason;
    this.emit('crashed', reason);
  }
}
