// What one run's tasks share: the plan, where measurements go (output, series store, reporters,
// the analysis pipeline), the participants' records, what earlier tasks started (TURN, the SFU,
// links, browsers) for the later ones, and how the run stops. Each task writes only its own part;
// results.json is built from all of it here.
import { unavailableFor, type BrowserName } from '../stats/browsers.ts';
import type { Sfu } from '../../../sfu/src/server.ts';
import { AnalysisPipeline } from '../analysis/pipeline.ts';
import { EffectTracker } from '../analysis/effects.ts';
import { IceLog } from '../analysis/ice-log.ts';
import { LayerLog } from '../analysis/layer-log.ts';
import { RecoveryLog } from '../analysis/recovery.ts';
import type { PageAdapter } from '../pages/adapter.ts';
import type { BrowserPool } from '../participants/pool.ts';
import { ReporterMux } from '../reporters/reporter.ts';
import type { SfuLeakCheck } from '../results/analyses.ts';
import type { ClockOffset, RunResults } from '../results/schema.ts';
import type { PlannedParticipant, RunPlan } from '../scenario/plan.ts';
import { outsideShard } from '../scenario/shard.ts';
import { SeriesStore } from '../stats/aggregate.ts';
import type { Point, Sample } from '../stats/types.ts';
import { evaluateThresholds, type SeriesQuery } from '../thresholds/evaluate.ts';
import type { RunTurn } from '../turn/run-turn.ts';
import type { RunAction } from './clock.ts';
import { runEnvironment } from './environment.ts';
import { LoadGuard } from './guard.ts';
import type { ParticipantLinks } from './links.ts';
import { RunOutput } from './output.ts';
import type { RunOptions } from './run.ts';
import { buildResults, type ParticipantRecord } from './summary.ts';
import type { Timeline } from './timeline.ts';
import { TrackedActions } from './tracked-actions.ts';
import { redactUrlsIn } from '../util/redact.ts';

export type LogLevel = 'info' | 'warn' | 'error';

/** Where the participants' pages go and what drives them, once the target is up. */
export interface PageTarget {
  pageUrl: (p: PlannedParticipant) => string;
  adapterFor: (p: PlannedParticipant) => PageAdapter;
}

export class RunContext {
  readonly plan: RunPlan;
  readonly options: RunOptions;
  readonly output: RunOutput;
  readonly mux: ReporterMux;
  readonly store = new SeriesStore();
  readonly guard: LoadGuard;
  readonly records: Map<string, ParticipantRecord>;
  /** Each participant's latest sample, for the progress lines. */
  readonly latest = new Map<string, Sample>();
  /** 'key expression' of the abortOnFail thresholds that stopped the run. */
  readonly abortedKeys = new Set<string>();
  readonly startedAt = new Date();
  // Read once: results.json is rebuilt every few seconds, and none of this changes during a run.
  readonly environment = runEnvironment(null);
  /** Told to the page adapters' hooks, so that a join or a script still waiting gives up. */
  readonly running = new AbortController();

  // The analyses; the pipeline feeds them in this order (the order of their points).
  readonly layers = new LayerLog();
  readonly effects = new EffectTracker();
  readonly recovery = new RecoveryLog();
  readonly ice = new IceLog();
  readonly analysis: AnalysisPipeline;
  readonly tracked: TrackedActions;

  /** Unix ms the clock started (until then: when the run was created). */
  startMs = Date.now();
  endMs: number | null = null;
  stopReason: string | null = null;
  runError: string | null = null;
  /** What each browser said its version was, once one of its pages opened ('HeadlessChrome/156...', 'firefox/153.8.0'). */
  readonly browserVersions = new Map<BrowserName, string>();

  // What the tasks started, each set by its own task.
  turn: RunTurn | null = null;
  sfu: Sfu | null = null;
  pages: PageTarget | null = null;
  links: ParticipantLinks | null = null;
  pool: BrowserPool | null = null;
  timeline: Timeline<RunAction> | null = null;
  sfuCheck: SfuLeakCheck | undefined;
  /** A shard's clock against the call server's (clock-sync.ts). */
  clockOffset: ClockOffset | null = null;
  /** Participants that send stamped video, by the sender number their frames carry (pages.ts). */
  readonly stampSenders = new Map<number, string>();
  /** The same the other way: participant id -> the number its frames carry. */
  readonly stampSenderNumbers = new Map<string, number>();

  /** Settles when the run is told to stop (duration, Ctrl-C, abortOnFail, nobody left). */
  readonly stopped: Promise<void>;
  #wake: () => void = () => {};

  constructor(plan: RunPlan, options: RunOptions) {
    this.plan = plan;
    this.options = options;
    this.output = new RunOutput(options.outDir);
    this.mux = new ReporterMux(options.reporters ?? []);
    this.guard = new LoadGuard(plan.guard);
    this.records = new Map(plan.participants.map((p) => [p.id, { plan: p, participant: null, collector: null, error: null, connected: false }]));
    this.analysis = new AnalysisPipeline([this.layers, this.effects, this.recovery, this.ice], { log: (m) => this.log('warn', m) });
    this.tracked = new TrackedActions((e) => this.analysis.action(e));
    this.stopped = new Promise<void>((resolve) => (this.#wake = resolve));
  }

  /** Every message of the run goes out here: credentials in URLs are redacted on the way (util/redact.ts). */
  log(level: LogLevel, message: string): void {
    this.mux.onLog(level, redactUrlsIn(message));
  }

  /** Stops the run; the first reason is the one results.json gives. */
  stop(reason: string): void {
    this.stopReason ??= reason;
    this.running.abort(new Error(`the run stopped: ${reason}`));
    this.#wake();
  }

  /** The run could not be carried out, for this reason; the first reason wins. */
  fail(message: string): void {
    this.runError ??= message;
  }

  /** Points measured outside the analysis (load, links, TURN, late effects): to the store and the reporters. */
  record(points: Point[], sample: Sample | null = null): void {
    this.store.ingest(points.map((p) => this.#withBrowser(p)));
    this.mux.onSample(sample, points);
  }

  readonly query: SeriesQuery = (metric, filter) => this.store.values(metric, filter);

  /** Each participant's browser, for the points the analysis and the links make without one. */
  #browsers: Map<string, BrowserName> | null = null;

  /** `point` with its participant's browser tag (`{browser:firefox}` selects every figure of theirs). */
  #withBrowser(point: Point): Point {
    if (point.tags.browser !== undefined) return point;
    this.#browsers ??= new Map(this.plan.participants.map((p) => [p.id, p.browser ?? 'chromium']));
    const browser = this.#browsers.get(point.tags.participant);
    return browser === undefined ? point : { ...point, tags: { ...point.tags, browser } };
  }

  /** Joined participants and the names their TURN credentials carry (their id, or the SFU's peer id). */
  turnUsers(): { id: string; group: string; users: string[] }[] {
    return [...this.records.values()]
      .filter((r) => r.participant?.joinedAtMs != null)
      .map((r) => ({ id: r.plan.id, group: r.plan.group, users: [r.plan.id, ...(r.participant!.peerId ? [r.participant!.peerId] : [])] }));
  }

  /** results.json as of now; `final` evaluates the thresholds and gives the verdict. */
  results(final: boolean): RunResults {
    const results = buildResults({
      plan: this.plan,
      store: this.store,
      records: this.records,
      startedAt: this.startedAt,
      startMs: this.startMs,
      endMs: final ? this.endMs : Date.now(),
      final,
      thresholds: final ? this.#evaluateThresholds() : [],
      abortedKeys: this.abortedKeys,
      stopReason: this.stopReason,
      runError: this.runError,
      actions: this.timeline?.outcomes ?? [],
      guard: this.guard.verdict(),
      browsers: this.pool?.browserCount ?? 0,
      browserVersions: this.browserVersions,
      sampleCount: this.output.sampleCount,
      storage: this.store.size(),
      links: this.links,
      layers: this.layers,
      ice: this.ice,
      effects: this.effects,
      recoveries: this.recovery.recoveries,
      ...(this.sfuCheck ? { sfu: this.sfuCheck } : {}),
      environment: {
        ...this.environment,
        chromium: this.browserVersions.get('chromium') ?? null,
        ...(this.browserVersions.has('firefox') ? { firefox: this.browserVersions.get('firefox')! } : {}),
      },
    });
    const shard = this.plan.shard ? { shard: { ...this.plan.shard, clock: this.clockOffset } } : {};
    return { ...results, ...(final && this.turn ? { turn: this.turn.summary() } : {}), ...shard };
  }

  /** A shard leaves to the merge the thresholds that name only other shards' participants. */
  #evaluateThresholds(): ReturnType<typeof evaluateThresholds> {
    const roster = this.plan.participants.map((p) => ({ id: p.id, group: p.group, browser: p.browser ?? 'chromium' }));
    const results = evaluateThresholds(this.plan.thresholds, this.query, (metric, filter) => unavailableFor(metric, filter, roster));
    if (!this.plan.shard) return results;
    return results.map((t) =>
      t.actual === null && outsideShard(this.plan, t.filter)
        ? { ...t, ok: true, reason: "none of this shard's participants: rtc-harness merge decides it over every shard" }
        : t,
    );
  }

  groupCounts(): { name: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const p of this.plan.participants) counts.set(p.group, (counts.get(p.group) ?? 0) + 1);
    return [...counts].map(([name, count]) => ({ name, count }));
  }
}
