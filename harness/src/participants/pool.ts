// Packs participants as pages into a few browser processes: measured on 2 cores, 8 pages in one
// browser cost ~12.7% of a core each against ~19.5% with one browser each, at half the memory.
// `participantsPerBrowser: 1` gives every participant its own browser, for isolation. Pages that
// need another command line (a clip camera) or receive in count mode (packed up to
// countingPerBrowser) get browsers of their own kind, and so do Firefox participants. With remote
// browsers (`endpoints`, Chromium only) nothing is launched: the pages are spread evenly over them.
import type { Page, BrowserContext } from 'puppeteer-core';
import { launchChromium, type ChromiumOptions, type LaunchedBrowser } from './chromium.ts';
import { launchFirefox, type FirefoxOptions } from './firefox.ts';
import type { BrowserName } from '../stats/browsers.ts';
import { connectChromium } from './remote.ts';

export interface BrowserPoolOptions {
  /** Pages per browser process before another is launched. Default 8. */
  participantsPerBrowser: number;
  /** The same for pages that receive in count mode (PageNeeds.counting). Default: participantsPerBrowser. */
  countingPerBrowser?: number;
  chromium: ChromiumOptions;
  /** How Firefox participants' browsers are launched. Default: firefox-esr with its defaults. */
  firefox?: FirefoxOptions;
  /** Chromium already running elsewhere (CDP endpoints): connected to instead of launching. Default: none. */
  endpoints?: readonly string[];
}

export interface PooledPage {
  page: Page;
  /** Which browser process holds the page (0-based, in launch order). */
  browserIndex: number;
  /** Closes the page and its browser context. Idempotent. */
  close(): Promise<void>;
  /** The remote browser's endpoint, when it is one. */
  endpoint?: string;
}

/** What a page needs of its browser's command line: pages with different needs never share one. */
export interface PageNeeds {
  /** The browser the page runs in. Default 'chromium'. */
  browser?: BrowserName;
  /** The .y4m the browser's fake camera loops (ChromiumOptions.fakeVideoFile); absent: the test pattern. */
  fakeVideoFile?: string;
  /** The page receives in count mode: it shares a browser with other such pages, up to countingPerBrowser. */
  counting?: boolean;
}

interface Slot {
  launched: LaunchedBrowser;
  browser: BrowserName;
  pages: number;
  fakeVideoFile?: string;
  counting: boolean;
  /** The remote endpoint it is connected to; absent for a browser launched here. */
  endpoint?: string;
}

export class BrowserPool {
  readonly #options: BrowserPoolOptions;
  readonly #slots: Slot[] = [];
  #launching: Promise<Slot> | null = null;
  #closed = false;

  constructor(options: BrowserPoolOptions) {
    this.#options = options;
  }

  /** The browsers are remote: no process here to measure, and no flags of ours on them. */
  get remote(): boolean {
    return (this.#options.endpoints?.length ?? 0) > 0;
  }

  /** Opens a page in its own browser context (no shared storage between participants). */
  async newPage(needs: PageNeeds = {}): Promise<PooledPage> {
    if (this.#closed) throw new Error('the browser pool is closed');
    const slot = await this.#slotWithRoom(needs);
    slot.pages += 1;
    const browserIndex = this.#slots.indexOf(slot);
    let context: BrowserContext | undefined;
    try {
      context = await slot.launched.browser.createBrowserContext();
      const page = await context.newPage();
      let closing: Promise<void> | undefined;
      const close = (): Promise<void> =>
        (closing ??= context!.close().catch(() => {
          // The browser may be gone already (crashed or closed by the pool).
        }));
      return { page, browserIndex, close, ...(slot.endpoint ? { endpoint: slot.endpoint } : {}) };
    } catch (err) {
      slot.pages -= 1;
      await context?.close().catch(() => {});
      throw err;
    }
  }

  /** PIDs of the browser processes (their renderers are children), for CPU and memory figures. */
  pids(): number[] {
    return this.#slots.flatMap((s) => {
      const pid = s.launched.browser.process()?.pid;
      return pid === undefined ? [] : [pid];
    });
  }

  get browserCount(): number {
    return this.#slots.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#launching?.catch(() => {});
    await Promise.all(this.#slots.map((s) => s.launched.close()));
  }

  async #slotWithRoom(needs: PageNeeds): Promise<Slot> {
    // Launches are serialised so that concurrent joins fill one browser before starting another.
    while (this.#launching) await this.#launching.catch(() => {});
    const browser = needs.browser ?? 'chromium';
    // A remote browser's flags are its owner's: the runner warns that its camera stays as it is.
    if (this.remote && browser === 'chromium') return this.#remoteSlot();
    if (this.remote) throw new Error(`remote browsers (--browser-endpoint) are Chromium: a ${browser} participant needs its browser launched here (run without --browser-endpoint)`);
    const counting = needs.counting ?? false;
    const capacity = counting ? (this.#options.countingPerBrowser ?? this.#options.participantsPerBrowser) : this.#options.participantsPerBrowser;
    const free = this.#slots.find(
      (s) => s.pages < capacity && s.browser === browser && s.fakeVideoFile === needs.fakeVideoFile && s.counting === counting,
    );
    if (free) return free;
    if (browser === 'firefox') {
      const firefox = { headful: this.#options.chromium.headful ?? false, ...this.#options.firefox };
      return this.#open(() => launchFirefox(firefox), { browser, counting });
    }
    const options = needs.fakeVideoFile ? { ...this.#options.chromium, fakeVideoFile: needs.fakeVideoFile } : this.#options.chromium;
    return this.#open(() => launchChromium(options), { browser, ...(needs.fakeVideoFile ? { fakeVideoFile: needs.fakeVideoFile } : {}), counting });
  }

  /** Remote browsers: each endpoint connected once, on first use; the least loaded one takes the page. */
  async #remoteSlot(): Promise<Slot> {
    const next = this.#options.endpoints!.find((e) => !this.#slots.some((s) => s.endpoint === e));
    const least = [...this.#slots].sort((a, b) => a.pages - b.pages)[0];
    if (!next || (least && least.pages === 0)) return least!;
    return this.#open(() => connectChromium(next), { browser: 'chromium', endpoint: next, counting: false });
  }

  /** Adds a browser (launched, or connected at `endpoint`), one at a time; a pool closed meanwhile closes it again. */
  async #open(start: () => Promise<LaunchedBrowser>, kind: Omit<Slot, 'launched' | 'pages'>): Promise<Slot> {
    this.#launching = (async () => {
      const launched = await start();
      const slot: Slot = { launched, pages: 0, ...kind };
      if (this.#closed) {
        await launched.close();
        throw new Error('the browser pool is closed');
      }
      this.#slots.push(slot);
      return slot;
    })();
    try {
      return await this.#launching;
    } finally {
      this.#launching = null;
    }
  }
}
