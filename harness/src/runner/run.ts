// Runs a plan as two lists of tasks (tasks.ts). What the call runs on: the TURN server, the target
// (the bundled SFU), a loopback forward to a call page over http on another host, a shard's clock
// sync, the participants' links, the browsers and the pages. The call itself: the hang-up at the
// end, the stats collectors, the clock (joins, the timeline, the duration) and the periodic work.
// Both are stopped in reverse on every path (the end, a failure, Ctrl-C), the call first;
// results.json is written between the two, so what was measured is kept even when a browser or
// the SFU then refuses to close.
import type { ChromiumOptions } from '../participants/chromium.ts';
import type { Reporter } from '../reporters/reporter.ts';
import type { RunResults } from '../results/schema.ts';
import type { RunPlan } from '../scenario/plan.ts';
import { Clock } from './clock.ts';
import { Collectors } from './collectors.ts';
import { RunContext } from './context.ts';
import { hangUpTask } from './hang-up.ts';
import { clockSyncTask } from './clock-sync.ts';
import { originForwardTask } from './origin-forward.ts';
import { browsersTask, pagesTask } from './pages.ts';
import { periodicTask } from './periodic.ts';
import { linksTask, targetTask, turnTask } from './target.ts';
import { TaskList } from './tasks.ts';

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
  /** Chromium already running elsewhere (CDP endpoints) to drive instead of launching it here. Default: none. */
  browserEndpoints?: string[];
  /** Called once the bundled SFU is up, with where it serves its Prometheus metrics (to scrape them). */
  onTargetStarted?: (target: { name: 'sfu'; metricsUrl: string }) => void;
  /** Adds to the final results before they are written and reported (a baseline comparison). Default: none. */
  finish?: (results: RunResults) => RunResults;
  /**
   * The most the whole run may take, set-up and hang-up included, ms: past it the run stops as for
   * Ctrl-C, keeps what was measured and is invalid. Default: runTimeoutMs(plan).
   */
  timeoutMs?: number;
}

/** Set-up and hang-up on top of a scenario's duration before the run counts as stuck, ms. */
export const RUN_TIMEOUT_MARGIN_MS = 15 * 60_000;

/** The default run timeout: the scenario's duration plus RUN_TIMEOUT_MARGIN_MS. */
export function runTimeoutMs(plan: Pick<RunPlan, 'durationMs'>): number {
  return plan.durationMs + RUN_TIMEOUT_MARGIN_MS;
}

/** '90 s', '16 min', '1 h 5 min': how a timeout is named in messages. */
export function formatTimeout(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 120 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

export async function runScenario(plan: RunPlan, options: RunOptions): Promise<RunResults> {
  const run = new RunContext(plan, options);
  const log = (level: 'warn', message: string) => run.log(level, message);
  // TURN first (the SFU hands out its credentials) and stopped last; pages closed before browsers.
  const infrastructure = new TaskList(
    [turnTask(run), targetTask(run), originForwardTask(run), clockSyncTask(run), linksTask(run), browsersTask(run), pagesTask(run)],
    { log },
  );
  const collectors = new Collectors(run);
  // Stopped in reverse: no more ticks, no more actions, last samples, then everyone hangs up.
  const call = new TaskList([hangUpTask(run), collectors, new Clock(run, collectors), periodicTask(run)], { log });

  const onAbort = () => run.stop(String((options.signal?.reason as Error)?.message ?? 'interrupted'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // A run that hangs (a page that never loads, a server that never answers) must not hold a CI
  // job until its own limit kills it and everything measured with it.
  const timeoutMs = options.timeoutMs ?? runTimeoutMs(plan);
  const timeout = setTimeout(() => {
    const why = `the run took longer than its timeout of ${formatTimeout(timeoutMs)} (--timeout)`;
    run.fail(why);
    run.log('error', `${why}: stopping, keeping what was measured`);
    run.stop('timed out');
  }, timeoutMs);
  timeout.unref();
  await run.mux.onStart({
    scenario: plan.name,
    scenarioFile: plan.file,
    outDir: options.outDir,
    durationMs: plan.durationMs,
    groups: run.groupCounts(),
    seed: plan.seed,
  });

  try {
    const stopping = () => run.stopReason !== null;
    await infrastructure.start(stopping);
    await call.start(stopping);
    await run.stopped;
  } catch (err) {
    run.fail((err as Error)?.message ?? String(err));
    run.log('error', `the run could not be carried out: ${run.runError}`);
  } finally {
    run.endMs = Date.now();
    clearTimeout(timeout);
    options.signal?.removeEventListener('abort', onAbort);
    await call.stop();
  }

  explainUnconnected(run);
  let results = run.results(true);
  try {
    results = options.finish?.(results) ?? results;
  } catch (err) {
    run.log('error', `finishing the results failed, they are written without it: ${(err as Error).message}`);
  }
  run.output.writeResults(results);
  // A shard leaves every point its figures came from, for the merge's exact percentiles.
  if (plan.shard) await run.output.writePoints(run.store.series()).catch((err) => run.log('error', `points.jsonl: ${(err as Error).message}`));
  await infrastructure.stop();
  // coturn writes the bytes it relayed when sessions close: its summary is complete only now.
  if (run.turn) {
    results = { ...results, turn: run.turn.summary() };
    run.output.writeResults(results);
  }
  await run.output.close();
  await run.mux.onEnd(results, options.outDir);
  return results;
}

/** A participant that joined but never connected says why when TURN tells (e.g. credentials refused). */
function explainUnconnected(run: RunContext): void {
  for (const u of run.turnUsers()) {
    const r = run.records.get(u.id)!;
    if (r.connected || r.error) continue;
    const reason = run.ice.failureReason(u.id, run.turn?.refusals(u.users));
    if (reason) r.error = reason;
  }
}
