// One participant: one page, driven through its page adapter (the reference page's control surface,
// `window.rtcHarness`, unless the scenario names another). The participant owns its page and
// words every hook's failure the same way; the runner owns the participants.
import type { Page } from 'puppeteer-core';
import { TypedEmitter } from '../util/events.ts';
import type { PageAdapter, PageContext } from '../pages/adapter.ts';
import { callSurface, referencePage } from '../pages/reference.ts';
import type { PlannedPublish } from '../scenario/plan.ts';
import type { PooledPage } from './pool.ts';
import { AgentBridge } from './agent-bridge.ts';

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

export interface ParticipantOptions {
  /** Drives the page. Default: the reference page's control surface. */
  adapter?: PageAdapter;
  /** The room it joins. Default: 'default'. */
  room?: string;
  /** What its group sends (the adapter's join or publish sends it). Default: nothing. */
  publish?: PlannedPublish;
  /** The run's stop: hooks still waiting are told to give up. */
  signal?: AbortSignal;
  /** The run's log, for the adapter's own lines. */
  log?: (message: string) => void;
  /** How long a join may take before it counts as failed, ms. Default 30000. */
  joinTimeoutMs?: number;
}

const NOTHING: PlannedPublish = { audio: false, video: null };

/**
 * Functions handed to page.evaluate by code that tsx compiled (the CLI runs scenarios, adapters
 * and script steps with it) call `__name(fn, 'name')` for every named inner function: esbuild's
 * keepNames helper, which exists in Node only. In the page it is an identity stand-in, so that
 * `const done = () => ...` inside an evaluated function works there as it reads.
 */
const KEEP_NAMES_SHIM = 'globalThis.__name ??= (fn) => fn;';

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

  readonly adapter: PageAdapter;
  /** The page's stats agent: the one way to it (collect, marks, candidate rewrites, ICE overrides). */
  readonly agent: AgentBridge;
  readonly #options: ParticipantOptions;
  #url = 'about:blank';

  constructor(info: ParticipantInfo, pooled: PooledPage, options: ParticipantOptions = {}) {
    super();
    this.id = info.id;
    this.group = info.group;
    this.index = info.index;
    this.#pooled = pooled;
    this.adapter = options.adapter ?? referencePage;
    this.#options = options;
    const page = pooled.page;
    this.agent = new AgentBridge(page);
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
    await this.page.evaluateOnNewDocument(KEEP_NAMES_SHIM);
    for (const script of initScripts) await this.page.evaluateOnNewDocument(script);
    this.#url = url;
    await this.page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    this.#state = 'opened';
  }

  /** What the adapter's hooks get besides the page. */
  get context(): PageContext {
    const log = this.#options.log;
    return {
      room: this.#options.room ?? 'default',
      participantId: this.id,
      group: this.group,
      index: this.index,
      url: this.#url,
      publish: this.#options.publish ?? NOTHING,
      signal: this.#options.signal ?? new AbortController().signal,
      log: (message) => log?.(`${this.id}: ${message}`),
    };
  }

  /**
   * Runs one of the adapter's hooks (`what`: 'join()') or a script step ("script 'mute'") on the
   * page. Errors name the participant and `what`, with the first line of the page's message
   * (puppeteer appends the page's stack).
   */
  async run<T>(what: string, fn: (page: Page, ctx: PageContext) => Promise<T>, timeoutMs?: number): Promise<T> {
    if (!this.alive) throw new Error(`${this.id}: ${what} not possible, the participant has ${this.#state}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const done = fn(this.page, this.context);
      if (timeoutMs === undefined) return await done;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      });
      return await Promise.race([done, late]);
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      const first = message.replace(/^Error: /, '').split('\n')[0]!.trim();
      throw new Error(`${this.id}: ${what} failed: ${first}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls a method of the page's `window.rtcHarness` control surface (the reference page's) and returns its result. */
  async invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    return this.run(`${method}()`, (page) => callSurface<T>(page, method, ...args));
  }

  /** Joins its room through the adapter, within the join timeout. */
  async join(): Promise<void> {
    // The stats agent measures time to first frame from this mark.
    await this.agent.mark('join').catch(() => {});
    const adapter = this.adapter;
    const joined = await this.run('join()', (page, ctx) => adapter.join(page, ctx), this.#options.joinTimeoutMs ?? 30_000);
    if (typeof joined?.peerId === 'string') this.peerId = joined.peerId;
    this.joinedAtMs = Date.now();
    this.#state = 'joined';
  }

  /**
   * Leaves through the adapter. `signal` replaces the run's for this leave: the hang-up at the end
   * of a run leaves after the run's signal was aborted, and must still reach the server.
   */
  async leave(signal?: AbortSignal): Promise<void> {
    const leave = this.adapter.leave;
    if (!leave) throw new Error(`${this.id}: leave() not possible, the page adapter '${this.adapter.name}' has no leave hook`);
    await this.run('leave()', (page, ctx) => leave.call(this.adapter, page, signal ? { ...ctx, signal } : ctx));
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
