// The shape of results.json: what a run measured and decided. The runner writes it; reporters
// read it; later runs compare against it. Fields are only ever added, never renamed, so old
// results stay readable.
import type { LinkCounters, ResolvedLinkProfile } from '../network/types.ts';
import type { TurnSummary } from '../turn/types.ts';
import type { Aggregate } from '../stats/aggregate.ts';
import type { BrowserName } from '../stats/browsers.ts';
import type { BaselineComparison } from './comparison.ts';
import type { ActionEffect, OutageRecovery, ParticipantIce, ParticipantLayers, SfuLeakCheck } from './analyses.ts';

export type { Aggregate } from '../stats/aggregate.ts';

/** 'running' only in the copies written while the run goes on. */
export type Verdict = 'pass' | 'fail' | 'invalid' | 'running';

export interface ThresholdResult {
  /** The key as written in the scenario, e.g. 'video_recv_fps{group:viewers}'. */
  key: string;
  metric: string;
  filter: Record<string, string>;
  /** The expression as written, e.g. 'p(5) > 20'. */
  expression: string;
  ok: boolean;
  /** The measured value the expression was tested with; null when there were no samples. */
  actual: number | null;
  reason?: string;
  /** This threshold's failure stopped the run early (abortOnFail). */
  aborted?: boolean;
  /** Participants it selects whose browser cannot measure the metric ("not available in firefox (...): p[0]"); tested on the others. */
  notAvailable?: string;
}

export interface ParticipantResult {
  id: string;
  group: string;
  /** Joined and had media flowing (a connected transport) at some point. */
  connected: boolean;
  /** Unix ms of the join, null if it never joined. */
  joinedAtMs: number | null;
  /** Why it stopped early (page crashed, join failed), if it did. */
  error?: string;
  browserIndex: number | null;
  /** The browser it ran in. Absent in results of older runs: 'chromium'. */
  browser?: BrowserName;
  /** Metrics its browser's stats cannot give: absent from its figures, never zero. Absent when none. */
  notAvailable?: string[];
  /** The participant's simulated link: its settings at the end and its ground-truth counters. */
  network?: { profile: ResolvedLinkProfile; counters: LinkCounters };
  /**
   * Simulcast/SVC layers it received, from the call page's control surface: every spatial switch
   * (with the freezes around it), the time on each layer, and how long the layers took to react to
   * network changes and 'layers' actions (see analysis/layer-log.ts). Absent without layered video.
   */
  layers?: ParticipantLayers;
  /**
   * Its selected ICE candidate pairs at the end (relay or direct, over UDP, TCP or TLS, bytes
   * relayed) and the TURN errors its page saw (see analysis/ice-log.ts). Absent before any pair.
   */
  ice?: ParticipantIce;
  aggregates: Record<string, Aggregate>;
  /**
   * Its stamped video as its viewers received it: aggregates over every inbound stream tagged
   * from:<its id> (glass-to-glass latency, skipped frames...; the threshold selector is
   * `video_e2e_latency_ms{from:<its id>}`). Absent when it sent no stamped video that was read.
   */
  asSender?: Record<string, Aggregate>;
}

export interface GroupResult {
  name: string;
  count: number;
  aggregates: Record<string, Aggregate>;
}

/** The figures of every participant that ran in one browser (a mixed run has one per browser). */
export interface BrowserResult {
  name: BrowserName;
  /** Its browser's version, e.g. 'firefox/153.8.0'; null when none started. */
  version: string | null;
  count: number;
  /** Metrics this browser's stats cannot give (absent from `aggregates`). */
  notAvailable: string[];
  aggregates: Record<string, Aggregate>;
}

export type TargetSummary =
  | { kind: 'bundled' }
  | { kind: 'url'; url: string; page: string }
  | { kind: 'whip'; whip: string | null; whep: string | null };

export interface ActionResult {
  atMs: number;
  startedMs: number;
  do: string;
  participant: string;
  ok: boolean;
  error?: string;
  durationMs: number;
  /** A rejoin planned from a churn: its cycle (0, 1, ...). */
  churnCycle?: number;
  /** A script step: its name. */
  name?: string;
  /**
   * What the others saw, one entry per observer (the participant itself for an ICE restart), timed
   * from the action's start with the observer page's own events (see analysis/effects.ts). Absent
   * for actions with nothing to see (network, layers) or that failed.
   */
  effects?: ActionEffect[];
  /** A network change with an outage: how the participant's call noticed it and came back. */
  recovery?: OutageRecovery;
}

export interface RunEnvironment {
  harnessVersion: string;
  node: string;
  chromium: string | null;
  /** Firefox's version, when the run had Firefox participants ('firefox/153.8.0'). */
  firefox?: string;
  mediasoup: string | null;
  platform: string;
  cores: number;
  memoryGiB: number;
  /** CPU architecture ('x64', 'arm64'). Absent in results written before it was recorded. */
  arch?: string;
  /** CPU model of the first core, as the OS names it. */
  cpuModel?: string;
  /** HEAD of the git checkout the run started in (else $GITHUB_SHA / $CI_COMMIT_SHA); null when none. */
  gitCommit?: string | null;
  /** The checkout had uncommitted changes; null when unknown. */
  gitDirty?: boolean | null;
  /** The CI job that ran it (GitHub Actions run or GitLab job page), when run in CI. */
  ciJobUrl?: string | null;
}

export interface RunResults {
  verdict: Verdict;
  /** Why the verdict is 'fail' or 'invalid', or why the run stopped early, in one line. */
  verdictReason?: string;
  scenario: string;
  scenarioFile: string;
  /** What the participants called: the bundled SFU, an app's page and the adapter that drove it, or WHIP/WHEP endpoints (no token). Absent in older results. */
  target?: TargetSummary;
  startedAt: string;
  endedAt: string | null;
  /** Time from the first join to the end of measurement, seconds. */
  durationSeconds: number;
  /** Stopped before its duration (Ctrl-C, a signal, abortOnFail). */
  interrupted: boolean;
  seed: number;
  thresholds: ThresholdResult[];
  participants: ParticipantResult[];
  groups: GroupResult[];
  /** Per browser the participants ran in. Absent in results of older runs (all Chromium). */
  browsers?: BrowserResult[];
  actions: ActionResult[];
  /**
   * Every setting of every simulated link over the run: the initial one, then each change (atMs
   * from the run's start). `outageMs`: the change took the link down that long; `trace`: it was a
   * point of that trace file.
   */
  networkChanges: NetworkChange[];
  loadGenerator: {
    maxCpuPercent: number | null;
    avgCpuPercent: number | null;
    /**
     * Mean CPU use of the machine that was not this run's (other processes, hypervisor steal),
     * percent of all cores: what can starve a run without its own load being high. Absent in
     * results written before it was measured.
     */
    avgOthersCpuPercent?: number | null;
    browsers: number;
    invalidReason: string | null;
  };
  sampleCount: number;
  /** Points kept for aggregation and thresholds. */
  storedPoints: number;
  /** Points dropped because the store was full (aggregates then cover only the start of the run). */
  droppedPoints: number;
  environment: RunEnvironment;
  /** Unix ms when the run's clock started: `actions[].atMs` and joins count from here. */
  timelineStartUnixMs?: number;
  /** The command-line overrides the run used, as written ('--set viewers.count=4'). */
  overrides?: string[];
  /** The comparison with a baseline run (`run --baseline FILE`); it fails the run when it regressed. */
  baseline?: BaselineComparison;
  /** The run's TURN server and what it did (allocations, refusals, bytes relayed); absent without TURN. */
  turn?: TurnSummary;
  /**
   * The bundled SFU's counts after every participant left at the end (a leak check: all 0 when
   * it cleaned up after every join and leave). Absent with a target URL.
   */
  sfu?: SfuLeakCheck;
  /** This run is one shard of a run spread over machines (`run --shard i/n`); absent: a whole run. */
  shard?: ShardSummary;
  /** These results merge the shards of one run (`rtc-harness merge`). */
  merged?: MergeSummary;
}

export interface ShardSummary {
  /** 1-based. */
  index: number;
  count: number;
  runId: string;
  /** How far this machine's clock was from the call server's, when it could tell. */
  clock: ClockOffset | null;
}

/**
 * The shard machine's clock against the call server's: server time = local time + offsetMs,
 * give or take half the round trip of the best exchange.
 */
export interface ClockOffset {
  offsetMs: number;
  rttMs: number;
  /** Where the server's time was read: '<origin>/healthz' (ms) or the HTTP Date header (1 s). */
  source: string;
}

export interface MergeSummary {
  runId: string;
  count: number;
  shards: { index: number; dir: string; participants: number; verdict: Verdict; clock: ClockOffset | null }[];
  /** Samples and points of each shard are on the call server's clock when its offset was known. */
  clockAligned: boolean;
}

/** A participant's link settings changed: its initial setting, a timeline change or a trace point. */
export interface NetworkChange {
  /** When, ms from the run's start (negative: before it, the initial setting). */
  atMs: number;
  participant: string;
  /** The settings from then on. */
  profile: ResolvedLinkProfile;
  /** The change took the link down for this long from atMs (both directions), ms. */
  outageMs?: number;
  /** The change is a point of this trace file. */
  trace?: string;
}
