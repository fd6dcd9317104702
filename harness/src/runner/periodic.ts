// Once a second while the call runs: the load generator's figures (and its guard), the links' and
// TURN's counters as points, the abortOnFail thresholds, and every few seconds a progress line and
// a rewrite of results.json, so that a run killed hard still leaves its measurements.
import type { RunContext } from './context.ts';
import { LoadSampler } from './load-sampler.ts';
import { groupFigures } from './progress.ts';
import type { Task } from './tasks.ts';
import { thresholdsToAbort } from '../thresholds/evaluate.ts';

export function periodicTask(run: RunContext): Task {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'periodic work',
    async start() {
      const { plan, options } = run;
      const loadSampler = new LoadSampler(run.guard);
      const groups = run.groupCounts().map((g) => g.name);
      let lastProgress = 0;
      let lastFlush = 0;
      timer = setInterval(() => {
        const now = Date.now();
        const elapsedMs = now - run.startMs;
        const { hostCpu, points } = loadSampler.sample(now, run.pool?.pids() ?? []);
        if (run.links) points.push(...run.links.sample(now));
        if (run.turn) points.push(...run.turn.points(now, run.turnUsers()));
        run.record(points);

        for (const r of thresholdsToAbort(plan.thresholds, run.query, elapsedMs)) {
          run.abortedKeys.add(`${r.key} ${r.expression}`);
          run.stop(`threshold ${r.key} ${r.expression} failed (abortOnFail): ${r.reason ?? `actual ${r.actual}`}`);
        }
        if (now - lastProgress >= (options.progressIntervalMs ?? 5000)) {
          lastProgress = now;
          const records = [...run.records.values()];
          run.mux.onProgress({
            elapsedMs,
            durationMs: plan.durationMs,
            joined: records.filter((r) => r.participant?.joinedAtMs != null).length,
            participants: records.length,
            crashed: records.filter((r) => r.error).length,
            groups: groupFigures(groups, run.latest),
            machineCpuPercent: hostCpu,
          });
        }
        if (now - lastFlush >= (options.flushIntervalMs ?? 5000)) {
          lastFlush = now;
          run.output.writeResults(run.results(false));
        }
      }, 1000);
    },
    async stop() {
      clearInterval(timer);
    },
  };
}
