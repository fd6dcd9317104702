// Assembles results.json from what the run measured and decided. Pure: every input is passed in.
import { BROWSER_NAMES, unavailableMetrics, type BrowserName } from '../stats/browsers.ts';
import type { SeriesStore, Aggregates } from '../stats/aggregate.ts';
import type { StatsCollector } from '../participants/stats-collector.ts';
import type { ThresholdResult as EvaluatedThreshold } from '../thresholds/evaluate.ts';
import type { PlannedAction, PlannedParticipant, RunPlan } from '../scenario/plan.ts';
import type { Participant } from '../participants/participant.ts';
import type { GuardVerdict } from './guard.ts';
import type { ActionOutcome } from './timeline.ts';
import type { Aggregate, BrowserResult, RunEnvironment, RunResults, TargetSummary } from '../results/schema.ts';
import { decideVerdict } from '../results/verdict.ts';
import type { ParticipantLinks } from './links.ts';
import type { LayerLog } from '../analysis/layer-log.ts';
import type { IceLog } from '../analysis/ice-log.ts';
import type { ActionEffect, OutageRecovery, ParticipantLayers, SfuLeakCheck } from '../results/analyses.ts';
import { redactUrl, redactUrlsIn } from '../util/redact.ts';

export interface ParticipantRecord {
  plan: PlannedParticipant;
  participant: Participant | null;
  collector: StatsCollector | null;
  /** Why it stopped early or never started; the first reason wins. */
  error: string | null;
  /** Some sample showed a connected peer connection. */
  connected: boolean;
}

export interface ResultInputs {
  plan: RunPlan;
  store: SeriesStore;
  records: ReadonlyMap<string, ParticipantRecord>;
  startedAt: Date;
  startMs: number;
  endMs: number | null;
  /** false while the run goes on: verdict 'running', thresholds not evaluated yet. */
  final: boolean;
  thresholds: EvaluatedThreshold[];
  abortedKeys: ReadonlySet<string>;
  /** Why the run stopped ('duration reached', 'interrupted by SIGINT', an abortOnFail threshold). */
  stopReason: string | null;
  /** Why the run could not be carried out, if it could not. */
  runError: string | null;
  actions: readonly ActionOutcome<PlannedAction | { do: 'enter' }>[];
  guard: GuardVerdict;
  browsers: number;
  /** What each browser said its version was. Default: none known. */
  browserVersions?: ReadonlyMap<BrowserName, string>;
  sampleCount: number;
  storage: { points: number; droppedPoints: number };
  /** The simulated links, when the run had any. */
  links: ParticipantLinks | null;
  /** Simulcast/SVC layer switches and their timing; absent in runs that did not follow them. */
  layers?: LayerLog;
  /** Selected candidate pairs and TURN errors per participant; absent in runs that did not follow them. */
  ice?: IceLog;
  /** What each action made the others see (EffectTracker); absent in runs that did not follow it. */
  effects?: { effectsOf(action: object, participant: string): ActionEffect[] | undefined };
  /** Every link outage and how the call came back (RecoveryLog). */
  recoveries?: readonly OutageRecovery[];
  /** The bundled SFU's counts after everyone left. */
  sfu?: SfuLeakCheck;
  environment: RunEnvironment;
}

/** `asSender` when its stamped video was read by someone. */
function withAsSender(aggregates: Record<string, Aggregate>): { asSender?: Record<string, Aggregate> } {
  return Object.keys(aggregates).length > 0 ? { asSender: aggregates } : {};
}

function complete(aggregates: Aggregates): Record<string, Aggregate> {
  return Object.fromEntries(Object.entries(aggregates).filter((e): e is [string, Aggregate] => e[1] !== undefined));
}

function notAvailable(browser: BrowserName): { notAvailable?: string[] } {
  const metrics = unavailableMetrics(browser);
  return metrics.length > 0 ? { notAvailable: metrics } : {};
}

/** One entry per browser the plan's participants run in, in the order of BROWSER_NAMES. */
function browserResults(input: ResultInputs): BrowserResult[] {
  const counts = new Map<BrowserName, number>();
  for (const p of input.plan.participants) counts.set(p.browser ?? 'chromium', (counts.get(p.browser ?? 'chromium') ?? 0) + 1);
  return BROWSER_NAMES.filter((b) => counts.has(b)).map((name) => ({
    name,
    version: input.browserVersions?.get(name) ?? null,
    count: counts.get(name)!,
    notAvailable: unavailableMetrics(name),
    aggregates: complete(input.store.browserAggregates(name)),
  }));
}

function withLayers(layers: ParticipantLayers | undefined): { layers?: ParticipantLayers } {
  return layers ? { layers } : {};
}

export function buildResults(input: ResultInputs): RunResults {
  const { plan, store } = input;
  const thresholds = input.thresholds.map((t) => ({
    ...t,
    ...(input.abortedKeys.has(`${t.key} ${t.expression}`) ? { aborted: true } : {}),
  }));
  // Only a participant that did join counts: one that crashed before its join is reported by its error.
  const neverConnected = [...input.records.values()]
    .filter((r) => r.participant?.joinedAtMs != null && !r.connected)
    .map((r) => r.plan.id);
  const { verdict, reason } = decideVerdict({ ...input, thresholds, neverConnected });
  const stoppedEarly = input.stopReason !== null && input.stopReason !== 'duration reached';
  const groups = new Map<string, number>();
  for (const p of plan.participants) groups.set(p.group, (groups.get(p.group) ?? 0) + 1);
  const end = input.endMs ?? Date.now();
  const early = stoppedEarly ? `stopped early: ${input.stopReason}` : undefined;
  const verdictReason = reason && early ? `${early}; ${reason}` : (reason ?? early);
  return {
    verdict,
    ...(verdictReason ? { verdictReason } : {}),
    scenario: plan.name,
    scenarioFile: plan.file,
    target: targetSummary(plan.target),
    startedAt: input.startedAt.toISOString(),
    endedAt: input.final ? new Date(end).toISOString() : null,
    durationSeconds: Math.max(0, (end - input.startMs) / 1000),
    interrupted: stoppedEarly,
    seed: plan.seed,
    thresholds,
    participants: [...input.records.values()].map((r) => ({
      id: r.plan.id,
      group: r.plan.group,
      connected: r.connected,
      joinedAtMs: r.participant?.joinedAtMs ?? null,
      ...(r.error ? { error: redactUrlsIn(r.error) } : {}),
      browserIndex: r.participant?.browserIndex ?? null,
      browser: r.plan.browser ?? 'chromium',
      ...notAvailable(r.plan.browser ?? 'chromium'),
      ...(input.links?.has(r.plan.id)
        ? { network: { profile: input.links.profile(r.plan.id)!, counters: input.links.counters(r.plan.id)! } }
        : {}),
      aggregates: complete(store.participantAggregates(r.plan.id)),
      ...withAsSender(complete(store.senderAggregates(r.plan.id))),
      ...withLayers(input.layers?.results(r.plan.id, end)),
      ...(input.ice?.has(r.plan.id) ? { ice: input.ice.result(r.plan.id)! } : {}),
    })),
    groups: [...groups].map(([name, count]) => ({ name, count, aggregates: complete(store.groupAggregates(name)) })),
    browsers: browserResults(input),
    actions: input.actions.map((a) => {
      const effects = input.effects?.effectsOf(a.action, a.participant);
      const recovery = a.action.do === 'network' ? recoveryOf(input.recoveries ?? [], a) : undefined;
      return {
        atMs: a.atMs,
        startedMs: a.startedMs,
        do: a.action.do === 'enter' ? 'join' : a.action.do,
        participant: a.participant,
        ok: a.ok,
        ...(a.error ? { error: redactUrlsIn(a.error) } : {}),
        durationMs: a.durationMs,
        ...('churnCycle' in a.action && a.action.churnCycle !== undefined ? { churnCycle: a.action.churnCycle } : {}),
        ...(a.action.do === 'script' ? { name: a.action.name } : {}),
        ...(effects && effects.length > 0 ? { effects: effects.map((e) => ({ ...e })) } : {}),
        ...(recovery ? { recovery } : {}),
      };
    }),
    networkChanges: [...(input.links?.changes ?? [])],
    loadGenerator: {
      maxCpuPercent: input.guard.maxCpuPercent,
      avgCpuPercent: input.guard.avgCpuPercent,
      avgOthersCpuPercent: input.guard.avgOthersCpuPercent,
      browsers: input.browsers,
      invalidReason: input.guard.invalidReason,
    },
    sampleCount: input.sampleCount,
    storedPoints: input.storage.points,
    droppedPoints: input.storage.droppedPoints,
    environment: input.environment,
    timelineStartUnixMs: input.startMs,
    overrides: plan.overrides.map(redactUrlsIn),
    ...(input.sfu ? { sfu: input.sfu } : {}),
  };
}

/** The outage a network action caused: the link recorded it while the action ran. */
function recoveryOf(recoveries: readonly OutageRecovery[], a: { participant: string; startedMs: number; durationMs: number }): OutageRecovery | undefined {
  return recoveries.find((r) => r.participant === a.participant && r.atMs >= a.startedMs - 50 && r.atMs <= a.startedMs + a.durationMs + 50);
}

/** The target as results.json names it: the adapter by its name, never a token. */
function targetSummary(target: RunPlan['target']): TargetSummary {
  switch (target.kind) {
    case 'bundled':
      return { kind: 'bundled' };
    case 'url':
      return { kind: 'url', url: redactUrl(target.url), page: target.page?.name ?? 'reference' };
    case 'whip':
      return { kind: 'whip', whip: target.whip && redactUrl(target.whip), whep: target.whep && redactUrl(target.whep) };
  }
}
