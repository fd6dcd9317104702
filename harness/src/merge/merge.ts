// Merges the results of a run's shards into the results of one run. Participants, actions and
// network changes are put back together; group aggregates and thresholds are computed again over
// every shard's points (an exact p95 over all of them, not an average of per-shard p95s); the
// verdict is decided as for one run, and a shard that could not be carried out makes the whole
// run invalid. Pure: loading and writing files is command.ts's business.
import type { Aggregate, BrowserResult, RunResults, ThresholdResult } from '../results/schema.ts';
import { decideVerdict } from '../results/verdict.ts';
import type { SeriesStore } from '../stats/aggregate.ts';
import { BROWSER_NAMES, unavailableFor, unavailableMetrics, type BrowserName } from '../stats/browsers.ts';
import { evaluateThresholds } from '../thresholds/evaluate.ts';
import { parseThreshold } from '../thresholds/parse.ts';

export interface ShardResults {
  /** Where the shard's output was read from (for messages and the merge summary). */
  dir: string;
  results: RunResults;
}

export class MergeError extends Error {
  override name = 'MergeError';
}

/** Checks that the shards belong together and are all there; returns them ordered by index. */
export function checkShards(shards: readonly ShardResults[]): ShardResults[] {
  if (shards.length === 0) throw new MergeError('no shard to merge: give the output folders of `run --shard i/n`');
  for (const s of shards) {
    if (!s.results.shard) throw new MergeError(`${s.dir}: not a shard's results (no 'shard' in results.json; run with --shard i/n)`);
    if (s.results.verdict === 'running') throw new MergeError(`${s.dir}: the shard is still running (or was killed before it finished)`);
  }
  const first = shards[0]!.results;
  const { runId, count } = first.shard!;
  for (const s of shards.slice(1)) {
    const sh = s.results.shard!;
    if (sh.runId !== runId) throw new MergeError(`${s.dir}: run id '${sh.runId}', the others '${runId}': shards of different runs`);
    if (sh.count !== count) throw new MergeError(`${s.dir}: shard ${sh.index}/${sh.count}, the others /${count}`);
    if (s.results.scenario !== first.scenario) throw new MergeError(`${s.dir}: scenario '${s.results.scenario}', the others '${first.scenario}'`);
  }
  const byIndex = new Map<number, ShardResults>();
  for (const s of shards) {
    const i = s.results.shard!.index;
    const twin = byIndex.get(i);
    if (twin) throw new MergeError(`shard ${i}/${count} given twice: ${twin.dir} and ${s.dir}`);
    byIndex.set(i, s);
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new MergeError(`run '${runId}' has ${count} shards; missing: ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  return [...byIndex.values()].sort((a, b) => a.results.shard!.index - b.results.shard!.index);
}

/** Each shard's start on the common clock (the call server's when known), unix ms. */
function alignedStart(r: RunResults): number {
  const start = r.timelineStartUnixMs ?? Date.parse(r.startedAt);
  return start + (r.shard?.clock?.offsetMs ?? 0);
}

/**
 * The merged results. `store` holds every shard's points, already on the common clock
 * (command.ts reads them shifted by each shard's offset).
 */
export function mergeShards(ordered: readonly ShardResults[], store: SeriesStore): RunResults {
  const all = ordered.map((s) => s.results);
  const first = all[0]!;
  const count = first.shard!.count;
  const start = Math.min(...all.map(alignedStart));

  // Each shard evaluated the same thresholds on its slice; they are evaluated again on all points.
  const aborted = new Set(all.flatMap((r) => r.thresholds.filter((t) => t.aborted).map((t) => `${t.key} ${t.expression}`)));
  const defs = first.thresholds.map((t) => parseThreshold(t.key, t.expression));
  // As a run does: a metric a participant's browser cannot measure is "not available" for it.
  const roster = all.flatMap((r) => r.participants.map((p) => ({ id: p.id, group: p.group, browser: p.browser ?? ('chromium' as const) })));
  const availability = (metric: string, filter: Readonly<Record<string, string>>) => unavailableFor(metric, filter, roster);
  const thresholds: ThresholdResult[] = evaluateThresholds(defs, (metric, filter) => store.values(metric, filter), availability).map((t) => ({
    ...t,
    ...(aborted.has(`${t.key} ${t.expression}`) ? { aborted: true } : {}),
  }));

  // The plan's order: participant k ran on shard (k mod count) + 1, so the shards' lists interleave.
  const participants: RunResults['participants'] = [];
  const lists = all.map((r) => [...r.participants]);
  for (let k = 0; lists.some((l) => l.length > 0); k++) {
    const next = lists[k % count]!.shift();
    if (!next) continue;
    // A sender's viewers can run on other shards: its view as a sender is made again over all.
    const { asSender: _, ...rest } = next;
    const asSender = Object.fromEntries(Object.entries(store.senderAggregates(next.id)).filter(([, a]) => a !== undefined));
    participants.push(Object.keys(asSender).length > 0 ? { ...rest, asSender: asSender as Record<string, Aggregate> } : rest);
  }

  const groupNames = [...new Set(participants.map((p) => p.group))];
  const groups = groupNames.map((name) => ({
    name,
    count: participants.filter((p) => p.group === name).length,
    aggregates: Object.fromEntries(Object.entries(store.groupAggregates(name)).filter(([, a]) => a !== undefined)) as RunResults['groups'][number]['aggregates'],
  }));

  // Per browser, as a run gives it: over every shard's participants and points.
  const perBrowser = new Map<BrowserName, number>();
  for (const p of participants) perBrowser.set(p.browser ?? 'chromium', (perBrowser.get(p.browser ?? 'chromium') ?? 0) + 1);
  const browsers: BrowserResult[] = BROWSER_NAMES.filter((b) => perBrowser.has(b)).map((name) => ({
    name,
    version: all.map((r) => r.browsers?.find((b) => b.name === name)?.version).find((v) => v) ?? null,
    count: perBrowser.get(name)!,
    notAvailable: unavailableMetrics(name),
    aggregates: Object.fromEntries(Object.entries(store.browserAggregates(name)).filter((e): e is [string, Aggregate] => e[1] !== undefined)),
  }));

  const shift = (r: RunResults) => alignedStart(r) - start;
  const actions = all.flatMap((r) => r.actions.map((a) => ({ ...a, atMs: a.atMs + shift(r), startedMs: a.startedMs + shift(r) }))).sort((a, b) => a.startedMs - b.startedMs);
  const networkChanges = all.flatMap((r) => r.networkChanges.map((c) => ({ ...c, atMs: c.atMs + shift(r) }))).sort((a, b) => a.atMs - b.atMs);

  // A shard that could not be carried out, or whose machine was saturated, makes the whole run so.
  const runErrors = all.filter((r) => r.verdict === 'invalid' && !r.loadGenerator.invalidReason).map((r) => `shard ${r.shard!.index}: ${r.verdictReason ?? 'invalid'}`);
  const saturated = all.filter((r) => r.loadGenerator.invalidReason).map((r) => `shard ${r.shard!.index}: ${r.loadGenerator.invalidReason}`);
  const neverConnected = participants.filter((p) => p.joinedAtMs !== null && !p.connected).map((p) => p.id);
  const { verdict, reason } = decideVerdict({
    final: true,
    runError: runErrors.length > 0 ? runErrors.join('; ') : null,
    guard: { invalidReason: saturated.length > 0 ? saturated.join('; ') : null },
    thresholds,
    neverConnected,
  });
  const interrupted = all.some((r) => r.interrupted);
  const early = all.filter((r) => r.interrupted).map((r) => `shard ${r.shard!.index} ${r.verdictReason ?? 'stopped early'}`);
  const verdictReason = [...early, ...(reason ? [reason] : [])].join('; ');

  const cpuMax = all.map((r) => r.loadGenerator.maxCpuPercent).filter((v): v is number => v !== null);
  const cpuAvg = all.map((r) => r.loadGenerator.avgCpuPercent).filter((v): v is number => v !== null);
  const othersAvg = all.map((r) => r.loadGenerator.avgOthersCpuPercent).filter((v): v is number => v != null);
  const size = store.size();
  const ended = all.map((r) => (r.endedAt ? Date.parse(r.endedAt) + (r.shard?.clock?.offsetMs ?? 0) : NaN)).filter(Number.isFinite);
  const endMs = ended.length > 0 ? Math.max(...ended) : start;
  return {
    verdict,
    ...(verdictReason ? { verdictReason } : {}),
    scenario: first.scenario,
    scenarioFile: first.scenarioFile,
    target: first.target,
    startedAt: new Date(Math.min(...all.map((r) => Date.parse(r.startedAt) + (r.shard?.clock?.offsetMs ?? 0)))).toISOString(),
    endedAt: new Date(endMs).toISOString(),
    durationSeconds: Math.max(...all.map((r) => r.durationSeconds)),
    interrupted,
    seed: first.seed,
    thresholds,
    participants,
    groups,
    browsers,
    actions,
    networkChanges,
    loadGenerator: {
      maxCpuPercent: cpuMax.length > 0 ? Math.max(...cpuMax) : null,
      avgCpuPercent: cpuAvg.length > 0 ? cpuAvg.reduce((a, b) => a + b, 0) / cpuAvg.length : null,
      // Shards run on different machines: the busiest neighbour is the one that may have starved one.
      avgOthersCpuPercent: othersAvg.length > 0 ? Math.max(...othersAvg) : null,
      browsers: all.reduce((n, r) => n + r.loadGenerator.browsers, 0),
      invalidReason: saturated.length > 0 ? saturated.join('; ') : null,
    },
    sampleCount: all.reduce((n, r) => n + r.sampleCount, 0),
    storedPoints: size.points,
    droppedPoints: all.reduce((n, r) => n + r.droppedPoints, 0) + size.droppedPoints,
    environment: first.environment,
    timelineStartUnixMs: start,
    overrides: (first.overrides ?? []).filter((o) => !o.startsWith('--shard ')),
    merged: {
      runId: first.shard!.runId,
      count,
      shards: ordered.map((s) => ({
        index: s.results.shard!.index,
        dir: s.dir,
        participants: s.results.participants.length,
        verdict: s.results.verdict,
        clock: s.results.shard!.clock,
      })),
      clockAligned: all.every((r) => r.shard!.clock !== null),
    },
  };
}
