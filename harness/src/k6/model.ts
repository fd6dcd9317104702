// A resolved plan as a k6 script sees it: each group of participants a k6 scenario of one VU per
// participant, starting at the group's first join; what each VU joins, sends and does on its
// page; the metrics and thresholds; and everything of the plan that a k6 run does not carry,
// with the reason, for the script's header. Pure: render.ts writes the script from it.
import { ScenarioError } from '../scenario/errors.ts';
import type { PlannedAction, PlannedPublish, RunPlan } from '../scenario/plan.ts';
import type { MetricName } from '../stats/catalogue.ts';
import { isTimeMetric, K6_METRICS, NOT_IN_K6, notInK6 } from './metrics.ts';
import type { PageAction } from './page/api.ts';
import { translateThresholds, type K6MetricType, type K6Threshold, type LeftOutThreshold } from './thresholds.ts';

/** The bundled SFU's address when it runs next to k6 (`npm run sfu` listens on port 3000). */
export const DEFAULT_SFU_URL = 'http://localhost:3000';

export interface K6Participant {
  /** 'viewers[0]': the VU's `participant` tag and the name it joins with. */
  id: string;
  /** ms from the run's start. */
  joinAtMs: number;
  room: string;
  publish: PlannedPublish;
  /** Its timeline actions the page carries out, by time. */
  actions: Array<{ atMs: number; action: PageAction }>;
}

/** A group: one k6 scenario (its name is the group's) of one VU per participant. */
export interface K6Group {
  name: string;
  /** The k6 scenario's startTime: the group's first join, ms from the run's start. */
  startMs: number;
  participants: K6Participant[];
}

/** Where a VU's page is: the bundled SFU's reference page, or the scenario's own URL template. */
export type K6PageUrl =
  /** `query`: extra parameters of the reference page ('&icerestart=1'), '' for none. */
  | { kind: 'sfu'; defaultSfuUrl: string; query: string }
  /** target.url with {room} and {name}. */
  | { kind: 'template'; template: string };

export interface K6Metric {
  name: MetricName;
  type: K6MetricType;
  /** k6 shows it as a duration. */
  isTime: boolean;
}

/** Something of the scenario the k6 script does not do, and why. */
export interface LeftOut {
  what: string;
  reason: string;
}

export interface K6Model {
  /** The scenario's name; the k6 scenarios are its groups. */
  name: string;
  /** The scenario file as given to the exporter. */
  file: string;
  durationMs: number;
  statsIntervalMs: number;
  page: K6PageUrl;
  groups: K6Group[];
  metrics: K6Metric[];
  thresholds: K6Threshold[];
  leftOut: {
    /** The metrics not recorded, grouped by reason. */
    metrics: LeftOut[];
    thresholds: LeftOutThreshold[];
    /** Timeline steps not replayed, and parts of the set-up (networks, TURN) not reproduced. */
    run: LeftOut[];
  };
}

export interface ModelOptions {
  /** The SFU address the script falls back on without RTC_SFU_URL. Default DEFAULT_SFU_URL. */
  sfuUrl?: string;
}

/** The model of `plan`. Throws ScenarioError for a target a k6 script cannot drive. */
export function k6Model(plan: RunPlan, options: ModelOptions = {}): K6Model {
  const translation = translateThresholds(plan.thresholds, notInK6);
  const groups = groupsOf(plan);
  const run = [...timelineLeftOut(plan), ...setUpLeftOut(plan)];
  return {
    name: plan.name,
    file: plan.file,
    durationMs: plan.durationMs,
    statsIntervalMs: plan.statsIntervalMs,
    page: pageUrl(plan, options.sfuUrl ?? DEFAULT_SFU_URL),
    groups,
    metrics: K6_METRICS.map((name) => ({ name, type: translation.metricTypes.get(name) ?? 'trend', isTime: isTimeMetric(name) })),
    thresholds: translation.thresholds,
    leftOut: { metrics: metricsLeftOut(), thresholds: translation.leftOut, run },
  };
}

function pageUrl(plan: RunPlan, sfuUrl: string): K6PageUrl {
  const target = plan.target;
  if (target.kind === 'bundled') {
    // As the runner opens it: with TURN (or when asked) the page restarts ICE by itself.
    const iceRestart = target.iceRestart ?? (plan.turn !== null && plan.turn !== undefined);
    return { kind: 'sfu', defaultSfuUrl: sfuUrl, query: iceRestart ? '&icerestart=1' : '' };
  }
  if (target.kind === 'url' && (target.page === undefined || target.page.name === 'reference')) {
    return { kind: 'template', template: target.url };
  }
  const what = target.kind === 'url' ? `a page adapter ('${target.page!.name}'), whose hooks are Node code` : 'a WHIP/WHEP target';
  throw new ScenarioError(
    `${plan.file}: target has ${what}; export-k6 drives the reference page's control surface (window.rtcHarness) only: the bundled SFU, or target.url without page`,
  );
}

function groupsOf(plan: RunPlan): K6Group[] {
  const byName = new Map<string, K6Group>();
  for (const p of plan.participants) {
    let group = byName.get(p.group);
    if (!group) byName.set(p.group, (group = { name: p.group, startMs: p.joinAtMs, participants: [] }));
    group.startMs = Math.min(group.startMs, p.joinAtMs);
    group.participants.push({ id: p.id, joinAtMs: p.joinAtMs, room: p.room, publish: p.publish, actions: [] });
  }
  const byId = new Map([...byName.values()].flatMap((g) => g.participants.map((p) => [p.id, p] as const)));
  for (const step of plan.timeline) {
    const action = pageAction(step.action);
    if (action === null) continue;
    for (const id of step.participantIds) byId.get(id)?.actions.push({ atMs: step.atMs, action });
  }
  return [...byName.values()];
}

/** The action as the page side carries it out; null for those that need the harness around the page. */
export function pageAction(action: PlannedAction): PageAction | null {
  switch (action.do) {
    case 'network':
    case 'forceTurn':
    case 'script':
      return null;
    case 'rejoin':
      return { do: 'rejoin', awayMs: action.awayMs, publish: action.publish };
    default:
      return action;
  }
}

const ACTION_REASONS: Partial<Record<PlannedAction['do'], string>> = {
  network: "changes the participant's simulated link; k6 has no per-VU network (shape the pods' network instead)",
  forceTurn: "blocks the participant's simulated link to all but the run's TURN server; neither exists in k6",
  script: 'runs Node code against a puppeteer page',
};

function timelineLeftOut(plan: RunPlan): LeftOut[] {
  const out: LeftOut[] = [];
  for (const step of plan.timeline) {
    const reason = ACTION_REASONS[step.action.do];
    if (reason === undefined) continue;
    out.push({ what: `timeline[${step.index}] at ${step.atMs / 1000}s: ${step.action.do} ${step.participantIds.join(', ')}`, reason });
  }
  return out;
}

function setUpLeftOut(plan: RunPlan): LeftOut[] {
  const out: LeftOut[] = [];
  const shaped = groupsWith(plan, (p) => p.network !== null);
  if (shaped.length > 0) {
    out.push({ what: `the simulated networks of ${shaped.join(', ')}`, reason: 'k6 has no per-VU network shaping: the VUs use the network of the machine or pod they run on' });
  }
  const firefox = groupsWith(plan, (p) => p.browser === 'firefox');
  if (firefox.length > 0) {
    out.push({ what: `browser: 'firefox' of ${firefox.join(', ')}`, reason: "k6's browser module drives Chromium only: these VUs run in Chromium" });
  }
  for (const source of ['clip', 'stamped', 'replay'] as const) {
    const using = groupsWith(plan, (p) => p.publish.video?.source === source);
    if (using.length > 0) {
      out.push({
        what: `video source '${source}' of ${using.join(', ')}`,
        reason: "the harness sets these cameras up in the browser it launches (a flag, or the agent's getUserMedia stand-in); k6's browser sends its own fake camera's test pattern",
      });
    }
  }
  if (plan.turn) {
    const turned = groupsWith(plan, (p) => p.turn !== null && p.turn !== undefined);
    const who = turned.length > 0 ? ` and the TURN rules of ${turned.join(', ')}` : '';
    out.push({ what: `the run's TURN server${who}`, reason: 'the harness starts coturn for the run and issues its credentials; a k6 run has neither, so thresholds expecting relayed paths (ice_relay...) fail there' });
  }
  return out;
}

function groupsWith(plan: RunPlan, has: (p: RunPlan['participants'][number]) => boolean): string[] {
  return [...new Set(plan.participants.filter(has).map((p) => p.group))];
}

function metricsLeftOut(): LeftOut[] {
  const byReason = new Map<string, string[]>();
  for (const [metric, reason] of Object.entries(NOT_IN_K6)) byReason.set(reason, [...(byReason.get(reason) ?? []), metric]);
  return [...byReason].map(([reason, metrics]) => ({ what: metrics.join(', '), reason }));
}

