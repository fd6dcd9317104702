// Runs a plan: start the target (the bundled SFU), open the participants' pages, join them on
// schedule, collect their stats, play the timeline, watch the load generator, then evaluate the
// thresholds and write the results. Everything started is torn down in reverse order, also on
// failure or Ctrl-C, and what was measured is always written.
import type { Sfu } from '../../../sfu/src/server.ts';
import { buildAgentScript } from '../browser/bundle.ts';
import { BrowserPool } from '../participants/pool.ts';
import { Participant } from '../participants/participant.ts';
import type { ChromiumOptions } from '../participants/chromium.ts';
import { SeriesStore } from '../stats/aggregate.ts';
import { StatsCollector } from '../participants/stats-collector.ts';
import { samplePoints, type Sample } from '../stats/types.ts';
import { evaluateThresholds, thresholdsToAbort, type SeriesQuery } from '../thresholds/evaluate.ts';
import { DEFAULTS, type PlannedAction, type PlannedNetwork, type PlannedPublish, type RunPlan } from '../scenario/plan.ts';
import { ReporterMux, type Reporter } from '../reporters/reporter.ts';
import { publish } from './actions.ts';
import { EffectTracker } from '../analysis/effects.ts';
import { RecoveryLog } from '../analysis/recovery.ts';
import { AnalysisPipeline } from '../analysis/pipeline.ts';
import { TrackedActions } from './tracked-actions.ts';
import { checkSfuAtEnd } from '../analysis/sfu-check.ts';
import type { SfuLeakCheck } from '../results/analyses.ts';
import { LoadGuard } from './guard.ts';
import { LoadSampler } from './load-sampler.ts';
import { RunOutput } from './output.ts';
import { groupFigures } from './progress.ts';
import { buildResults, type ParticipantRecord } from './summary.ts';
import { Timeline, type TimelineStep } from './timeline.ts';
import type { RunResults } from '../results/schema.ts';
import { runEnvironment } from './environment.ts';
import type { ParticipantLinks } from './links.ts';
import { startTarget, type TeardownStep } from './target.ts';
import { LayerLog } from '../analysis/layer-log.ts';
import { IceLog } from '../analysis/ice-log.ts';
import type { RunTurn } from '../turn/run-turn.ts';

export interface RunOptions {
  /** Output folder; created if missing. */
  outDir: string;
  /** Aborting stops the run early; results are still evaluated and written. */
  signal?: AbortSignal;
  reporters?: Reporter[];
  /** How often reporters get a progress snapshot, ms. Default 5000. */
  progressIntervalMs?: number;
  /** How often results.json is rewritten during the run, ms. Default 5000. */
  flushIntervalMs?: number;
  /** Extra Chromium options (e.g. a different binary). */
  chromium?: ChromiumOptions;
  /** Called once the bundled SFU is up, with where it serves its Prometheus metrics (to scrape them). */
  onTargetStarted?: (target: { name: 'sfu'; metricsUrl: string }) => void;
  /** Adds to the final results before they are written and reported (a baseline comparison). Default: none. */
  finish?: (results: RunResults) => RunResults;
}

/** The first join of a participant: open nothing more, join and publish what the plan says. */
type RunAction = PlannedAction | { do: 'enter'; publish: PlannedPublish };

export async function runScenario(plan: RunPlan, options: RunOptions): Promise<RunResults> {
  const output = new RunOutput(options.outDir);
  const mux = new ReporterMux(options.reporters ?? []);
  const store = new SeriesStore();
  const guard = new LoadGuard(plan.guard);
  const layerLog = new LayerLog();
  const iceLog = new IceLog();
  // What each action made the others see, and how calls came back after outages.
  const effects = new EffectTracker();
  const recovery = new RecoveryLog();
  const log = (level: 'info' | 'warn' | 'error', message: string) => mux.onLog(level, message);
  // Order kept from before the pipeline: layer points, then effects, recoveries, ICE.
  const analysis = new AnalysisPipeline([layerLog, effects, recovery, iceLog], { log: (m) => log('warn', m) });
  const tracked = new TrackedActions((e) => analysis.action(e));
  /** Link changes already handed to the analysis. */
  let changesSeen = 0;
  let sfuCheck: SfuLeakCheck | undefined;
  const records = new Map<string, ParticipantRecord>(
    plan.participants.map((p) => [p.id, { plan: p, participant: null, collector: null, error: null, connected: false }]),
  );
  const latest = new Map<string, Sample>();
  /** 'key expression' of the abortOnFail thresholds that stopped the run. */
  const abortedKeys = new Set<string>();
  const teardown: TeardownStep[] = [];
  const timers: NodeJS.Timeout[] = [];
  const startedAt = new Date();
  // Read once: results.json is rebuilt every few seconds, and none of this changes during a run.
  const environment = runEnvironment(null);
  let startMs = Date.now();
  let endMs: number | null = null;
  let runError: string | null = null;
  let stopReason: string | null = null;
  let chromiumVersion: string | null = null;
  let pool: BrowserPool | null = null;
  let timeline: Timeline<RunAction> | null = null;
  let links: ParticipantLinks | null = null;
  let turn: RunTurn | null = null;
  let bundledSfu: Sfu | null = null;
  let wake: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  // Told to the page adapters' hooks, so that a join or a script still waiting gives up.
  const running = new AbortController();
  const stop = (reason: string) => {
    stopReason ??= reason;
    running.abort(new Error(`the run stopped: ${reason}`));
    wake();
  };

  const query: SeriesQuery = (metric, filter) => store.values(metric, filter);
  const snapshotResults = (final: boolean): RunResults =>
    buildResults({
      plan,
      store,
      records,
      startedAt,
      startMs,
      endMs: final ? endMs : Date.now(),
      final,
      thresholds: final ? evaluateThresholds(plan.thresholds, query) : [],
      abortedKeys: abortedKeys,
      stopReason,
      runError,
      actions: timeline?.outcomes ?? [],
      guard: guard.verdict(),
      browsers: pool?.browserCount ?? 0,
      sampleCount: output.sampleCount,
      storage: store.size(),
      links,
      layers: layerLog,
      ice: iceLog,
      effects,
      recoveries: recovery.recoveries,
      ...(sfuCheck ? { sfu: sfuCheck } : {}),
      environment: { ...environment, chromium: chromiumVersion },
    });
  /** Joined participants and the names their TURN credentials carry (their id, or the SFU's peer id). */
  const turnUsers = () =>
    [...records.values()]
      .filter((r) => r.participant?.joinedAtMs != null)
      .map((r) => ({ id: r.plan.id, group: r.plan.group, users: [r.plan.id, ...(r.participant!.peerId ? [r.participant!.peerId] : [])] }));
  const onAbort = () => stop(String((options.signal?.reason as Error)?.message ?? 'interrupted'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  await mux.onStart({
    scenario: plan.name,
    scenarioFile: plan.file,
    outDir: options.outDir,
    durationMs: plan.durationMs,
    groups: groupCounts(plan),
    seed: plan.seed,
  });

  try {
    // 0-1. What the pages connect to: TURN, the bundled SFU, the participants' links.
    const started = await startTarget(plan, { outDir: options.outDir, teardown, log, onTargetStarted: options.onTargetStarted });
    const pageUrl = started.pageUrl;
    turn = started.turn;
    links = started.links;
    bundledSfu = started.sfu;

    // 2. Browsers and pages, opened before the clock starts so that joins happen on time.
    const agentScript = await buildAgentScript();
    pool = new BrowserPool({
      participantsPerBrowser: plan.browser.participantsPerBrowser,
      // The bundled TURN server's TLS certificate is the run's own: the browsers must accept it.
      chromium: { ...options.chromium, headful: plan.browser.headful, ...(turn?.selfSignedTls ? { ignoreCertificateErrors: true } : {}) },
    });
    const browsers = pool;
    teardown.push({ name: 'browsers', fn: () => browsers.close() });
    // Torn down before the browsers, so that no page counts as crashed when its browser closes.
    teardown.push({
      name: 'participants',
      fn: async () => {
        await Promise.allSettled([...records.values()].map((r) => r.participant?.close()));
      },
    });
    for (const rec of records.values()) {
      if (stopReason) break;
      try {
        const participant = new Participant({ id: rec.plan.id, group: rec.plan.group, index: rec.plan.index }, await browsers.newPage(), {
          adapter: started.adapterFor(rec.plan),
          room: rec.plan.room,
          publish: rec.plan.publish,
          signal: running.signal,
          log: (message) => log('info', message),
          joinTimeoutMs: ('joinTimeoutMs' in plan.target ? plan.target.joinTimeoutMs : undefined) ?? DEFAULTS.joinTimeoutMs,
        });
        rec.participant = participant;
        chromiumVersion ??= await participant.page.browser().version().catch(() => null);
        participant.on('crashed', (reason) => {
          rec.error ??= reason;
          // Its collector would only wait on a page that never answers again.
          void rec.collector?.stop();
          tracked.gone(rec.plan.id, rec.plan.room);
          log('error', `${rec.plan.id}: ${reason}; its measurements so far are kept`);
          // Once the clock runs (the timeline exists), a run with no live page left has nothing more to measure.
          if (timeline && ![...records.values()].some((r) => r.participant?.alive)) {
            runError ??= `every participant's page is gone (the last: ${reason})`;
            stop('every participant is gone');
          }
        });
        await participant.open(pageUrl(rec.plan), [agentScript]);
        if (links?.has(rec.plan.id)) {
          // Every SFU candidate the page receives now names its link, so all its media crosses it.
          const rules = links.rewriteRules(rec.plan.id);
          await participant.agent.setCandidateRewrite(rules);
        }
        const iceOverrides = turn?.overrides(rec.plan.id, rec.plan.turn);
        if (iceOverrides) await participant.agent.setIceOverrides(iceOverrides);
      } catch (err) {
        rec.error = `could not open its page: ${(err as Error).message}`;
        log('error', `${rec.plan.id}: ${rec.error}`);
      }
    }
    if ([...records.values()].every((r) => r.error)) throw new Error('no participant page could be opened');

    // 3. The clock starts: joins and timeline actions at their offsets, stats every interval.
    startMs = Date.now();
    links?.setStart(startMs);
    analysis.start(startMs);
    const steps: TimelineStep<RunAction>[] = [
      ...plan.participants.map((p) => ({ atMs: p.joinAtMs, action: { do: 'enter', publish: p.publish } as RunAction, participantIds: [p.id] })),
      ...plan.timeline.map((s) => ({ atMs: s.atMs, action: s.action as RunAction, participantIds: s.participantIds })),
    ];
    timeline = new Timeline<RunAction>(steps, (id, action) => execute(id, action));
    let entersSettled = 0;
    timeline.start(startMs, (o) => {
      if (!o.ok) log('warn', `${o.action.do} ${o.participant} failed: ${o.error}`);
      else if (o.action.do === 'enter') log('info', `${o.participant} joined in ${o.durationMs} ms`);
      // A participant that could not join at all says why in its own result.
      if (o.action.do === 'enter' && !o.ok) records.get(o.participant)!.error ??= o.error ?? 'its join failed';
      // Nobody could join: there is no call to measure, and waiting out the duration would say nothing more.
      if (o.action.do === 'enter' && ++entersSettled === plan.participants.length) {
        if (![...records.values()].some((r) => r.participant?.joinedAtMs != null)) {
          const first = timeline?.outcomes.find((x) => x.action.do === 'enter' && !x.ok);
          runError ??= `nobody joined the call (the first error: ${first?.error ?? 'none'})`;
          stop('nobody joined');
        }
      }
    });

    async function execute(id: string, action: RunAction): Promise<void> {
      const rec = records.get(id)!;
      const p = rec.participant;
      if (!p || rec.error) throw new Error(`${id} is not available (${rec.error ?? 'never opened'})`);
      if (action.do === 'enter') {
        await p.join();
        tracked.entered(id, rec.plan.room, Date.now(), action.publish);
        startCollector(rec);
        // Without a publish hook, the adapter's join sent what the app sends.
        if (p.adapter.publish && (action.publish.audio || action.publish.video)) await publish(p, action.publish);
        return;
      }
      await tracked.perform(p, action, {
        room: rec.plan.room,
        groupPublish: rec.plan.publish,
        ...(links ? { setNetwork: async (pid: string, set: PlannedNetwork) => links!.apply(pid, set) } : {}),
        ...(links && turn ? { forceTurn: async (pid: string, transport: 'udp' | 'tcp' | 'tls') => links!.apply(pid, turn!.access(transport)) } : {}),
      });
      if (action.do === 'join' || action.do === 'rejoin') startCollector(rec);
    }

    function startCollector(rec: ParticipantRecord): void {
      if (rec.collector || !rec.participant) return;
      const agent = rec.participant.agent;
      const collector = new StatsCollector({
        snapshots: () => agent.collect(),
        participant: rec.plan.id,
        group: rec.plan.group,
        intervalMs: plan.statsIntervalMs,
      });
      rec.collector = collector;
      collector.on('sample', (sample) => {
        output.appendSample(sample);
        // The analysis hears of every network change before the samples taken after it.
        const changes = links?.changes ?? [];
        while (changesSeen < changes.length) analysis.linkChange(changes[changesSeen++]!);
        const points = [...samplePoints(sample), ...analysis.sample(sample)];
        store.ingest(points);
        mux.onSample(sample, points);
        latest.set(sample.participant, sample);
        // A participant can connect and leave between two samples: its connections are then seen
        // closed, and only its time to connect says that it was connected.
        if (sample.values.connected === 1 || sample.values.time_to_connected_ms !== undefined) rec.connected = true;
        const cpuLimited = sample.streams.some((s) => (s.values.video_send_quality_limited_cpu_percent ?? 0) > 50);
        guard.noteCpuLimited(rec.plan.id, cpuLimited, sample.t);
      });
      collector.on('error', (err) => {
        // The message names the collection and why it stopped: 'stats collection for <id> stopped: ...'.
        rec.error ??= err.message;
        log('error', `${rec.plan.id}: ${rec.error}; its measurements so far are kept`);
      });
      collector.start();
    }

    // 4. Periodic work: the load-generator guard, abortOnFail thresholds, progress, results.json.
    let lastProgress = 0;
    let lastFlush = 0;
    const loadSampler = new LoadSampler(guard);
    timers.push(
      setInterval(() => {
        const now = Date.now();
        const elapsedMs = now - startMs;
        const { hostCpu, points } = loadSampler.sample(now, browsers.pids());
        if (links) points.push(...links.sample(now));
        if (turn) points.push(...turn.points(now, turnUsers()));
        store.ingest(points);
        mux.onSample(null, points);

        for (const r of thresholdsToAbort(plan.thresholds, query, elapsedMs)) {
          abortedKeys.add(`${r.key} ${r.expression}`);
          stop(`threshold ${r.key} ${r.expression} failed (abortOnFail): ${r.reason ?? `actual ${r.actual}`}`);
        }
        if (now - lastProgress >= (options.progressIntervalMs ?? 5000)) {
          lastProgress = now;
          mux.onProgress({
            elapsedMs,
            durationMs: plan.durationMs,
            joined: [...records.values()].filter((r) => r.participant?.joinedAtMs != null).length,
            participants: records.size,
            crashed: [...records.values()].filter((r) => r.error).length,
            groups: groupFigures(groupCounts(plan).map((g) => g.name), latest),
            machineCpuPercent: hostCpu,
          });
        }
        if (now - lastFlush >= (options.flushIntervalMs ?? 5000)) {
          lastFlush = now;
          output.writeResults(snapshotResults(false));
        }
      }, 1000),
    );

    // 5. Until the duration is over, or a stop (Ctrl-C, abortOnFail).
    timers.push(setTimeout(() => stop('duration reached'), Math.max(0, startMs + plan.durationMs - Date.now())));
    await stopped;
  } catch (err) {
    runError = (err as Error)?.message ?? String(err);
    log('error', `the run could not be carried out: ${runError}`);
  } finally {
    endMs = Date.now();
    for (const t of timers) clearInterval(t);
    options.signal?.removeEventListener('abort', onAbort);
    await timeline?.stop();
    // A last sample from every live page, so the final seconds count, then collection stops.
    await Promise.allSettled([...records.values()].map((r) => (r.collector?.running ? r.collector.collectNow() : undefined)));
    await Promise.allSettled([...records.values()].map((r) => r.collector?.stop()));
    // Effects still awaited are decided now, before the thresholds see them.
    const late = analysis.finish(endMs);
    store.ingest(late);
    mux.onSample(null, late);
    // On someone else's server (an app, a WHIP/WHEP endpoint), everyone hangs up through its
    // adapter as a user would, so that the server ends their sessions now rather than keep ghosts
    // (a WHEP viewer of the next run could be handed a ghost's stream). Bounded: a page that
    // cannot leave is closed with its browser anyway.
    if (!bundledSfu) {
      const joined = [...records.values()].flatMap((r) => (r.participant?.state === 'joined' && r.participant.adapter.leave ? [r.participant] : []));
      await Promise.race([Promise.allSettled(joined.map((p) => p.leave())), new Promise((r) => setTimeout(r, 5_000))]);
    }
    // Everyone hangs up, then the SFU must hold nothing for them: what it still counts leaked.
    if (bundledSfu) {
      const sfu = bundledSfu;
      const joined = [...records.values()].flatMap((r) => (r.participant?.state === 'joined' ? [{ participant: r.participant, room: r.plan.room }] : []));
      sfuCheck = await checkSfuAtEnd(joined, () => sfu.metricsText(), log);
      for (const d of sfuCheck?.dropped ?? []) {
        const rec = records.get(d.id)!;
        rec.error ??= `dropped from its room by the SFU: ${d.reason}`;
        log('error', `${d.id}: ${rec.error}`);
      }
    }
  }

  // A participant that joined but never connected says why when TURN tells (e.g. credentials refused).
  for (const u of turnUsers()) {
    const r = records.get(u.id)!;
    if (r.connected || r.error) continue;
    const reason = iceLog.failureReason(u.id, turn?.refusals(u.users));
    if (reason) r.error = reason;
  }
  let results = snapshotResults(true);
  if (turn) results = { ...results, turn: turn.summary() };
  try {
    results = options.finish?.(results) ?? results;
  } catch (err) {
    log('error', `finishing the results failed, they are written without it: ${(err as Error).message}`);
  }
  output.writeResults(results);
  for (const step of teardown.reverse()) {
    try {
      await withTimeout(step.fn(), 20_000, `closing the ${step.name} took over 20 s`);
    } catch (err) {
      log('warn', `teardown of ${step.name}: ${(err as Error).message}`);
    }
  }
  // coturn writes the bytes it relayed when sessions close: the summary is complete only now.
  if (turn) {
    results = { ...results, turn: turn.summary() };
    output.writeResults(results);
  }
  await output.close();
  await mux.onEnd(results, options.outDir);
  return results;
}

function groupCounts(plan: RunPlan): { name: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const p of plan.participants) counts.set(p.group, (counts.get(p.group) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count }));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
