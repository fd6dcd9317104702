// Polls one participant's stats agent every interval and turns its snapshots into Samples. One
// collect per tick, never two at once: a page too busy to answer within the interval makes the
// next interval longer (rates use real time), not a queue of calls. The snapshots come from a
// SnapshotSource (the participant's AgentBridge), so this file knows the page only by its errors.
//
// A page that is gone (closed, crashed, browser dead) ends collection at once with one `error`
// event; other failures (a navigation in progress, the agent missing) end it after
// `maxConsecutiveFailures` in a row. Samples already emitted stay with whoever listened.
import type { BrowserName } from '../stats/browsers.ts';
import { TypedEmitter } from '../util/events.ts';
import { deriveSample } from '../stats/derive.ts';
import type { RawSnapshot } from '../stats/raw.ts';
import type { Sample } from '../stats/types.ts';

/**
 * One raw snapshot from the page's stats agent, or null when the page has no agent. Rejects with
 * the page's error (puppeteer's words for a closed page count as the page being gone).
 */
export type SnapshotSource = () => Promise<RawSnapshot | null>;

export interface StatsCollectorOptions {
  /** Where the snapshots come from: `participant.snapshots`. */
  snapshots: SnapshotSource;
  /** Participant id for the samples, e.g. 'viewers[0]'. */
  participant: string;
  /** Group of the participant, e.g. 'viewers'. */
  group: string;
  /** The browser it runs in, named in every sample. Default: none named (Chromium). */
  browser?: BrowserName;
  /** Time between the starts of two collects, ms. Default 1000. */
  intervalMs?: number;
  /** Longest wait for one collect before it counts as a failure, ms. Default 10_000. */
  collectTimeoutMs?: number;
  /** Failures in a row (other than a closed page) before collection stops. Default 5. */
  maxConsecutiveFailures?: number;
  /** The run's stamped senders, number -> participant id (stamped streams are tagged with theirs). Default: none. */
  stampSenders?: ReadonlyMap<number, string>;
}

export type StatsCollectorEvents = {
  sample: [sample: Sample];
  /** Collection stopped for good because of this error. Emitted at most once. */
  error: [error: Error];
};

const PAGE_GONE = /target closed|session closed|page has been closed|connection closed|browser has disconnected|detached/i;

export class StatsCollector extends TypedEmitter<StatsCollectorEvents> {
  private readonly snapshots: SnapshotSource;
  private readonly participant: string;
  private readonly group: string;
  private readonly browser: BrowserName | undefined;
  private readonly intervalMs: number;
  private readonly collectTimeoutMs: number;
  private readonly maxFailures: number;
  private readonly stampSenders: ReadonlyMap<number, string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private prevSnapshot: RawSnapshot | undefined;
  private prevSample: Sample | undefined;
  private failures = 0;
  private samples = 0;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  /** Settles when stop() is called, so a collect waiting on a dead page is abandoned at once. */
  private readonly stopSignal: Promise<null>;
  private signalStop!: () => void;

  constructor(options: StatsCollectorOptions) {
    super();
    this.stopSignal = new Promise((resolve) => (this.signalStop = () => resolve(null)));
    this.snapshots = options.snapshots;
    this.participant = options.participant;
    this.group = options.group;
    this.browser = options.browser;
    this.intervalMs = positive(options.intervalMs ?? 1000, 'intervalMs');
    this.collectTimeoutMs = positive(options.collectTimeoutMs ?? 10_000, 'collectTimeoutMs');
    this.maxFailures = positive(options.maxConsecutiveFailures ?? 5, 'maxConsecutiveFailures');
    this.stampSenders = options.stampSenders;
  }

  /** Samples emitted so far. */
  get sampleCount(): number {
    return this.samples;
  }

  /** The latest sample, if any. */
  get lastSample(): Sample | undefined {
    return this.prevSample;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Starts polling: the first collect runs now. Idempotent; a stopped collector stays stopped. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.schedule(0);
  }

  /**
   * Collects once now, outside the schedule (e.g. a final sample before the page closes), after
   * any collect in flight. Resolves with the sample, or undefined if the collect failed.
   */
  async collectNow(): Promise<Sample | undefined> {
    if (this.state === 'stopped') return undefined;
    const before = this.samples;
    await this.runTick();
    return this.samples > before ? this.prevSample : undefined;
  }

  /**
   * Stops polling. A collect in flight is abandoned rather than awaited: a crashed page never
   * answers, and waiting for its timeout would hold up the end of the run. Idempotent.
   */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.signalStop();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(() => {
      const startedMs = Date.now();
      void this.runTick().then(() => this.schedule(Math.max(0, startedMs + this.intervalMs - Date.now())));
    }, delayMs);
  }

  /** Runs a tick after the one in flight, so that two collects never overlap. */
  private runTick(): Promise<void> {
    const tick: Promise<void> = (this.inFlight ?? Promise.resolve())
      .then(() => this.tick())
      .finally(() => {
        if (this.inFlight === tick) this.inFlight = undefined;
      });
    this.inFlight = tick;
    return tick;
  }

  private async tick(): Promise<void> {
    if (this.stopped()) return;
    let snapshot: RawSnapshot | null;
    try {
      snapshot = await withTimeout(Promise.race([this.snapshots(), this.stopSignal]), this.collectTimeoutMs);
    } catch (err) {
      if (this.stopped()) return;
      this.failures++;
      if (PAGE_GONE.test(String((err as Error)?.message ?? err))) {
        this.fail(`the page is gone (${String((err as Error)?.message ?? err)})`, err);
      } else if (this.failures >= this.maxFailures) {
        this.fail(`${this.failures} collects in a row failed, the last with: ${String((err as Error)?.message ?? err)}`, err);
      }
      return;
    }
    if (this.stopped()) return;
    if (snapshot === null) {
      this.failures++;
      if (this.failures >= this.maxFailures) {
        this.fail(
          'the page has no stats agent: install it before the page loads with page.evaluateOnNewDocument(await buildAgentScript())',
        );
      }
      return;
    }
    let sample: Sample;
    try {
      sample = deriveSample(this.prevSnapshot, snapshot, {
        participant: this.participant,
        group: this.group,
        ...(this.browser ? { browser: this.browser } : {}),
        previous: this.prevSample,
        ...(this.stampSenders ? { stampSenders: this.stampSenders } : {}),
      });
    } catch (err) {
      this.fail(`its snapshot could not be read: ${String((err as Error)?.message ?? err)}`, err);
      return;
    }
    this.failures = 0;
    this.prevSnapshot = snapshot;
    this.prevSample = sample;
    this.samples++;
    this.emit('sample', sample);
  }

  /** Read through a call: stop() may change the state while a tick awaits the page. */
  private stopped(): boolean {
    return this.state === 'stopped';
  }

  private fail(reason: string, cause?: unknown): void {
    if (this.stopped()) return;
    this.state = 'stopped';
    this.signalStop();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.emit('error', new Error(`stats collection for ${this.participant} stopped: ${reason}`, { cause }));
  }
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new Error(`StatsCollector ${name} must be a positive number (got ${String(value)})`);
  }
  return value;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the page within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
