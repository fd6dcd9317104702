// Scenario + command-line overrides -> RunPlan. Precedence: command line > scenario file >
// default. Overrides are applied to the scenario and the result is validated again, so an
// override that breaks something (`--set viewers.count=2` with a timeline naming viewers[3]) is
// reported like a problem in the file, naming the override.
import { randomInt } from 'node:crypto';
import { basename } from 'node:path';
import { parseThreshold, type ThresholdDef } from '../thresholds/parse.ts';
import { displayPath, formatPath, formatValue, ScenarioError } from './errors.ts';
import { SCENARIO_FILE } from './load.ts';
import {
  DEFAULTS,
  type PlannedAction,
  type PlannedNetwork,
  type PlannedParticipant,
  type PlannedPublish,
  type PlannedStep,
  type RunPlan,
} from './plan.ts';
import { planNetwork, TraceFileError } from './network.ts';
import { joinTimeMs, participantId, resolveWho, type GroupCounts } from './roster.ts';
import { didYouMean } from '../util/suggest.ts';
import type { NetworkSpec, PublishSpec, ScenarioSpec, TimelineAction } from './types.ts';
import { resolveGroupTurn, resolveTurn } from './turn.ts';
import { DEFAULT_AWAY_MS, expandChurn } from './churn.ts';
import { parseDurationMs } from './units.ts';
import { validateScenario } from './validate.ts';
import { planTarget } from './target.ts';
import { resolveVideoSpec } from './video.ts';

export interface ResolveOptions {
  /** The scenario file as given on the command line; named in every error, and names the run when the scenario has no name. */
  file: string;
  /** --duration: replaces the scenario's duration ('30s', '2m', or seconds). */
  duration?: string;
  /** --set group.field=value (repeatable): changes a group's count, joinAt or joinSpread. */
  set?: readonly string[];
  /** --seed: replaces the scenario's seed (an integer from 0 to 2^32 - 1). */
  seed?: string | number;
  /** --headful: shows the browsers whatever the scenario says. */
  headful?: boolean;
  /** Draws the seed when neither the command line nor the scenario gives one. Default: crypto-random. */
  randomSeed?: () => number;
}

/** Fields of a group that --set may change. */
export const SETTABLE_GROUP_FIELDS = ['count', 'joinAt', 'joinSpread'] as const;

/** The plan the runner executes. Throws ScenarioError for an invalid scenario or override. */
export function resolvePlan(spec: ScenarioSpec, options: ResolveOptions): RunPlan {
  const shown = displayPath(options.file);
  const { spec: withOverrides, applied } = applyOverrides(spec, options);
  const label = applied.length ? `${shown} (with ${applied.join(', ')})` : shown;
  const valid = validateScenario(withOverrides, label);

  const name = valid.name ?? nameFromFile(options.file);
  const durationMs = parseDurationMs(valid.duration);
  const groups: GroupCounts = new Map(Object.entries(valid.participants).map(([g, def]) => [g, def.count]));
  // Trace files are read once here, relative to the scenario; every problem is reported at once.
  const networkProblems: string[] = [];
  const network = (spec: NetworkSpec, where: string): PlannedNetwork | null => {
    try {
      return planNetwork(spec, where, options.file);
    } catch (err) {
      if (!(err instanceof TraceFileError)) throw err;
      networkProblems.push(`${label}: ${err.message}`);
      return null;
    }
  };

  const participants: PlannedParticipant[] = Object.entries(valid.participants).flatMap(([group, def]) => {
    const joinAtMs = parseDurationMs(def.joinAt ?? 0);
    const spreadMs = parseDurationMs(def.joinSpread ?? 0);
    const publish = resolvePublish(def.publish);
    const planned = def.network === undefined ? null : network(def.network, formatPath(['participants', group, 'network']));
    return Array.from({ length: def.count }, (_, index) => ({
      id: participantId(group, index),
      group,
      index,
      room: def.room ?? name,
      joinAtMs: joinTimeMs(joinAtMs, spreadMs, index, def.count),
      publish: structuredClone(publish),
      network: structuredClone(planned),
      turn: resolveGroupTurn(def.turn),
      receive: def.receive ?? 'decode',
      browser: def.browser ?? 'chromium',
    }));
  });

  const timeline: PlannedStep[] = (valid.timeline ?? [])
    .flatMap((action, index): PlannedStep[] => {
      const who = resolveWho(action.who, groups);
      // validateScenario has checked every `who`.
      if (!who.ok) throw new Error(`unreachable: ${who.problem}`);
      // A churn is one rejoin per cycle, each an action of its own.
      if (action.do === 'churn') return expandChurn(action, who.ids, index);
      const planned = resolveAction(action, (spec) => network(spec, `timeline[${index}].set`) ?? {});
      return [{ atMs: parseDurationMs(action.at), action: planned, participantIds: who.ids, index }];
    })
    .sort((a, b) => a.atMs - b.atMs);
  if (networkProblems.length > 0) throw new ScenarioError(networkProblems);

  const thresholds: ThresholdDef[] = Object.entries(valid.thresholds ?? {}).flatMap(([key, entries]) =>
    (entries ?? []).map((entry) =>
      typeof entry === 'string'
        ? parseThreshold(key, entry)
        : parseThreshold(key, entry.threshold, {
            abortOnFail: entry.abortOnFail ?? false,
            delayAbortEvalMs: parseDurationMs(entry.delayAbortEval ?? 0),
          }),
    ),
  );

  const turn = resolveTurn(valid);
  return {
    file: shown,
    name,
    durationMs,
    seed: valid.seed ?? (options.randomSeed ?? (() => randomInt(0, 2 ** 32)))(),
    target: planTarget(valid, turn !== null),
    turn,
    room: name,
    statsIntervalMs: valid.stats?.intervalMs ?? DEFAULTS.statsIntervalMs,
    browser: {
      participantsPerBrowser: valid.browser?.participantsPerBrowser ?? DEFAULTS.participantsPerBrowser,
      countingPerBrowser: valid.browser?.participantsPerBrowser ?? DEFAULTS.countingPerBrowser,
      headful: valid.browser?.headful ?? DEFAULTS.headful,
    },
    guard: {
      cpuPercent: valid.guard?.cpuPercent ?? DEFAULTS.cpuPercent,
      sustainedMs: (valid.guard?.sustainedSeconds ?? DEFAULTS.sustainedSeconds) * 1000,
    },
    participants,
    timeline,
    thresholds,
    overrides: applied,
  };
}

/** The scenario with the command line's changes, and those changes as written. */
function applyOverrides(spec: ScenarioSpec, options: ResolveOptions): { spec: ScenarioSpec; applied: string[] } {
  const next = cloneSpec(spec);
  const applied: string[] = [];
  const problems: string[] = [];
  // A bare number on the command line is seconds, as in the scenario.
  const durationValue = (text: string) => (/^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text);

  if (options.duration !== undefined) {
    next.duration = durationValue(options.duration) as ScenarioSpec['duration'];
    applied.push(`--duration ${options.duration}`);
  }
  for (const text of options.set ?? []) {
    const m = /^([^.=]+)\.([^=]+)=(.*)$/.exec(text);
    if (!m) {
      problems.push(`--set ${text}: expected group.field=value, e.g. viewers.count=4`);
      continue;
    }
    const [, group, field, value] = m as unknown as [string, string, string, string];
    const def = Object.hasOwn(next.participants ?? {}, group) ? next.participants[group] : undefined;
    if (!def) {
      problems.push(`--set ${text}: unknown group '${group}' (groups: ${Object.keys(next.participants ?? {}).join(', ')})`);
    } else if (field === 'count') {
      def.count = /^\d+$/.test(value) ? Number(value) : (value as unknown as number);
    } else if (field === 'joinAt' || field === 'joinSpread') {
      def[field] = durationValue(value) as ScenarioSpec['duration'];
    } else {
      const hint = didYouMean(field, SETTABLE_GROUP_FIELDS) || ` (got ${formatValue(field)})`;
      problems.push(`--set ${text}: --set can change ${SETTABLE_GROUP_FIELDS.join(', ')} of a group${hint}`);
    }
    applied.push(`--set ${text}`);
  }
  if (options.seed !== undefined) {
    const seed = String(options.seed);
    if (/^\d+$/.test(seed)) next.seed = Number(seed);
    else problems.push(`--seed ${seed}: must be an integer from 0 to ${2 ** 32 - 1}`);
    applied.push(`--seed ${seed}`);
  }
  if (options.headful) {
    next.browser = { ...next.browser, headful: true };
    applied.push('--headful');
  }
  if (problems.length) throw new ScenarioError(problems);
  return { spec: next, applied };
}

/** 'scenarios/simulcast under loss.scenario.ts' -> 'simulcast-under-loss'. */
function nameFromFile(file: string): string {
  const stem = basename(file).replace(SCENARIO_FILE, '').replace(/\.[^.]*$/, '');
  const name = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100);
  return name || 'scenario';
}

function resolvePublish(publish: PublishSpec | false | undefined): PlannedPublish {
  if (publish === undefined) return { audio: true, video: { ...DEFAULTS.video } };
  if (publish === false) return { audio: false, video: null };
  return { audio: publish.audio ?? false, video: resolveVideoSpec(publish.video) };
}

function resolveAction(action: Exclude<TimelineAction, { do: 'churn' }>, network: (spec: NetworkSpec) => PlannedNetwork): PlannedAction {
  switch (action.do) {
    case 'join':
    case 'leave':
    case 'iceRestart':
      return { do: action.do };
    case 'publish':
      return { do: 'publish', what: resolvePublish(action.what) };
    case 'unpublish':
    case 'mute':
    case 'unmute':
      return { do: action.do, source: action.source };
    case 'network':
      return { do: 'network', set: network(action.set) };
    case 'layers':
      return { do: 'layers', spatial: action.spatial, temporal: action.temporal ?? null };
    case 'screenShare':
      return { do: 'screenShare', on: action.on };
    case 'forceTurn':
      return { do: 'forceTurn', transport: action.transport };
    case 'switchCamera':
      return { do: 'switchCamera', width: action.width ?? null, height: action.height ?? null, fps: action.fps ?? null };
    case 'changeCodec':
      return { do: 'changeCodec', codec: action.codec };
    case 'rejoin':
      return {
        do: 'rejoin',
        awayMs: parseDurationMs(action.away ?? DEFAULT_AWAY_MS / 1000),
        publish: action.publish === undefined ? null : resolvePublish(action.publish),
      };
    case 'script':
      return { do: 'script', name: action.name ?? 'script', run: action.run };
  }
}

/**
 * A deep copy of the scenario's data that keeps its code as it is: structuredClone cannot copy a
 * page adapter's hooks or a script step's function, and they need no copy.
 */
function cloneSpec<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneSpec) as T;
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneSpec(v)])) as T;
}
