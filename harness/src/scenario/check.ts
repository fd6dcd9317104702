// Checks that relate fields to each other, on a scenario whose shape is already valid: `who` names
// existing participants, everything happens within the duration, thresholds parse and their tags
// name existing groups and participants. Returns one line per problem, without the file name.
import { PROFILE_NAMES } from '../network/profiles.ts';
import { NetworkConfigError, validateLinkUpdate } from '../network/settings.ts';
import { parseExpression, parseSelector, ThresholdSyntaxError } from '../thresholds/parse.ts';
import { formatPath, formatValue } from './errors.ts';
import { describeGroup, joinTimeMs, participantId, resolveWho, type GroupCounts } from './roster.ts';
import { didYouMean } from '../util/suggest.ts';
import type { NetworkSpec, PublishSpec, ScenarioSpec, ThresholdEntry } from './types.ts';
import { formatDuration, parseDurationMs } from './units.ts';
import { checkTurn } from './turn.ts';
import { checkVideoSpec } from './video.ts';
import { checkChurn, DEFAULT_AWAY_MS } from './churn.ts';
import { checkTarget } from './target.ts';
import { checkBrowserTag, checkBrowsers } from './browser.ts';

const GROUP_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function checkScenario(spec: ScenarioSpec): string[] {
  const problems: string[] = [];
  const durationMs = parseDurationMs(spec.duration);
  const end = `before the end of the run (duration ${formatDuration(durationMs)})`;
  const groups: GroupCounts = new Map(Object.entries(spec.participants).map(([g, def]) => [g, def.count]));

  if (groups.size === 0) {
    problems.push(`participants must have at least one group, like { callers: { count: 2 } }, got {}`);
  }
  // With no time at all, every time check below would fail too: report the cause alone.
  if (durationMs === 0) return [`duration must be longer than 0s, got ${formatValue(spec.duration)}`];

  for (const [group, def] of Object.entries(spec.participants)) {
    const path = formatPath(['participants', group]);
    if (!GROUP_NAME.test(group)) {
      problems.push(`${path}: a group name must be letters, digits, '_' or '-', starting with a letter, got ${formatValue(group)}`);
    } else if (group === 'all') {
      problems.push(`${path}: 'all' is reserved (who: 'all' means every participant), rename the group`);
    }
    if (def.network !== undefined) problems.push(...checkNetwork(def.network, `${path}.network`));
    if (def.publish && typeof def.publish.video === 'object') problems.push(...checkVideoSpec(def.publish.video, `${path}.publish.video`));
    const joinAtMs = parseDurationMs(def.joinAt ?? 0);
    const spreadMs = parseDurationMs(def.joinSpread ?? 0);
    const lastJoinMs = joinTimeMs(joinAtMs, spreadMs, def.count - 1, def.count);
    if (joinAtMs >= durationMs) {
      problems.push(`${path}.joinAt must be ${end}, got ${formatValue(def.joinAt)}`);
    } else if (lastJoinMs >= durationMs) {
      problems.push(
        `${path}.joinSpread must end ${end}: ${participantId(group, def.count - 1)} would join at ` +
          `${formatDuration(lastJoinMs)}, got ${formatValue(def.joinSpread)}`,
      );
    }
  }

  for (const [i, action] of (spec.timeline ?? []).entries()) {
    const path = formatPath(['timeline', i]);
    if (parseDurationMs(action.at) >= durationMs) problems.push(`${path}.at must be ${end}, got ${formatValue(action.at)}`);
    const who = resolveWho(action.who, groups);
    if (!who.ok) problems.push(`${path}.who: ${who.problem}`);
    if (action.do === 'network') problems.push(...checkNetwork(action.set, `${path}.set`));
    if (action.do === 'publish' && typeof action.what.video === 'object') problems.push(...checkVideoSpec(action.what.video, `${path}.what.video`));
    if (action.do === 'publish' && !action.what.audio && !action.what.video) {
      problems.push(`${path}.what must name something to publish, like { audio: true } or { video: true }, got ${formatValue(action.what)}`);
    }
    if (action.do === 'rejoin' && action.publish && typeof action.publish.video === 'object') {
      problems.push(...checkVideoSpec(action.publish.video, `${path}.publish.video`));
    }
    if (action.do === 'rejoin' && parseDurationMs(action.at) + parseDurationMs(action.away ?? DEFAULT_AWAY_MS / 1000) >= durationMs) {
      problems.push(`${path}.away must end ${end} (the participant joins again after it), got ${formatValue(action.away ?? `${DEFAULT_AWAY_MS}ms`)} from ${formatValue(action.at)}`);
    }
    if (action.do === 'churn' && who.ok) problems.push(...checkChurn(action, path, who.ids.length, durationMs));
    if (action.do === 'changeCodec' && action.codec !== 'vp8' && who.ok) {
      // The replay camera's clip is VP8: another codec would send its 32x18 stand-in instead.
      const replaying = [...new Set(who.ids.map((id) => id.replace(/\[\d+\]$/, '')))].filter((g) => {
        const video = spec.participants[g]?.publish ? (spec.participants[g]!.publish as PublishSpec).video : undefined;
        return typeof video === 'object' && video.source === 'replay';
      });
      if (replaying.length > 0) {
        problems.push(`${path}.codec ${formatValue(action.codec)}: ${replaying.join(', ')} send${replaying.length === 1 ? 's' : ''} the replay camera, a VP8 clip (use source 'clip' to change codecs)`);
      }
    }
  }

  problems.push(...checkTurn(spec));
  problems.push(...checkTarget(spec));
  problems.push(...checkBrowsers(spec));

  for (const [key, entries] of Object.entries(spec.thresholds ?? {}) as [string, ThresholdEntry[]][]) {
    problems.push(...checkThreshold(key, entries, groups));
  }
  return problems;
}

/**
 * A profile name must exist; settings are checked by the network module, which owns them; a
 * trace's file is read when the plan is made (resolve.ts), since only that knows where it is.
 */
function checkNetwork(network: NetworkSpec, path: string): string[] {
  if (typeof network === 'string') {
    if ((PROFILE_NAMES as readonly string[]).includes(network)) return [];
    const hint = didYouMean(network, PROFILE_NAMES);
    return [`${path} must be a network profile (${PROFILE_NAMES.join(', ')}) or settings${hint}, got ${formatValue(network)}`];
  }
  if ('trace' in network) return checkTraceSpec(network as unknown as Record<string, unknown>, path);
  try {
    validateLinkUpdate(network, path);
    return [];
  } catch (err) {
    if (err instanceof NetworkConfigError) return [err.message];
    throw err;
  }
}

const TRACE_FIELDS = ['trace', 'loop'];

function checkTraceSpec(network: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  if (typeof network.trace !== 'string' || network.trace.trim() === '') {
    problems.push(`${path}.trace must be the path of a trace file, relative to the scenario, like 'traces/commute.csv', got ${formatValue(network.trace)}`);
  }
  if (network.loop !== undefined && typeof network.loop !== 'boolean') {
    problems.push(`${path}.loop must be true or false, got ${formatValue(network.loop)}`);
  }
  for (const key of Object.keys(network).filter((k) => !TRACE_FIELDS.includes(k))) {
    problems.push(
      `${path}.${key}: a trace cannot be mixed with settings (allowed with trace: ${TRACE_FIELDS.join(', ')}); ` +
        `set the starting settings in the group's network and start the trace with a timeline action`,
    );
  }
  return problems;
}

function checkThreshold(key: string, entries: ThresholdEntry[], groups: GroupCounts): string[] {
  const path = formatPath(['thresholds', key]);
  const problems: string[] = [];
  try {
    const { filter } = parseSelector(key);
    if (filter.group !== undefined && !groups.has(filter.group)) {
      problems.push(`${path}: unknown group '${filter.group}' (groups: ${[...groups.keys()].join(', ')})`);
    }
    if (filter.browser !== undefined) problems.push(...checkBrowserTag(filter.browser, path));
    // `from`: the sender of an inbound stamped video stream, one participant as well.
    for (const tag of ['participant', 'from'] as const) {
      const name = filter[tag];
      if (name === undefined) continue;
      const who = resolveWho(name, groups);
      if (!who.ok) problems.push(`${path}: ${who.problem}`);
      else if (who.ids.length !== 1) {
        const [group, count] = groups.has(name) ? [name, groups.get(name)!] : [...groups][0]!;
        const whole = tag === 'participant' ? `write group:${name} for a whole group, or` : 'name';
        problems.push(`${path}: ${tag}:${name} is not one participant; ${whole} one participant (${describeGroup(group, count)})`);
      }
    }
  } catch (err) {
    if (!(err instanceof ThresholdSyntaxError)) throw err;
    problems.push(`${path}: ${err.problem}`);
  }
  for (const [i, entry] of entries.entries()) {
    const expression = typeof entry === 'string' ? entry : entry.threshold;
    try {
      parseExpression(expression);
    } catch (err) {
      if (!(err instanceof ThresholdSyntaxError)) throw err;
      const at = typeof entry === 'string' ? [i] : [i, 'threshold'];
      problems.push(`${formatPath(['thresholds', key, ...at])}: ${err.message}`);
    }
  }
  return problems;
}
