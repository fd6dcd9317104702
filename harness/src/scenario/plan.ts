// The RunPlan: a scenario with every default filled in, every unit converted, every `who` expanded.
// The runner trusts it as is. A plain object, written into results.json: the user's code in it (a
// page adapter's hooks, a script step's function) is left out there, its name kept.
import type { ThresholdDef } from '../thresholds/parse.ts';
import type { NetworkTrace } from '../network/trace.ts';
import type { LinkChange } from '../network/types.ts';
import type { PlannedParticipantTurn, PlannedTurn, TurnTransport } from './turn.ts';
import type { MediaSource, PublishRequest, VideoCodec, VideoRequest } from '../pages/media.ts';
import type { PageAdapter, PageScript } from '../pages/adapter.ts';
import type { BrowserName, ReceiveMode } from './types.ts';

export interface RunPlan {
  /** The scenario file, relative to the working directory when inside it. */
  file: string;
  name: string;
  durationMs: number;
  /** Seed for every random choice; the one drawn at random when the scenario and CLI gave none. */
  seed: number;
  target: PlannedTarget;
  /** The TURN server of the run; null or absent: none. */
  turn?: PlannedTurn | null;
  /** The room participants join unless their group names another. */
  room: string;
  statsIntervalMs: number;
  /** countingPerBrowser: the participantsPerBrowser of count-mode participants (see types.ts). */
  browser: { participantsPerBrowser: number; countingPerBrowser: number; headful: boolean };
  guard: { cpuPercent: number; sustainedMs: number };
  /** Every participant, groups in the order declared, then by index. */
  participants: PlannedParticipant[];
  /** Sorted by atMs; steps at the same time keep the scenario's order. */
  timeline: PlannedStep[];
  /** One per expression: a selector with two expressions gives two. */
  thresholds: ThresholdDef[];
  /** The command-line overrides applied, as written: ['--duration 30s', '--set viewers.count=4']. */
  overrides: string[];
  /** This run is one shard of a run spread over several machines (scenario/shard.ts); absent: the whole run. */
  shard?: { index: number; count: number; runId: string };
  /**
   * The stamped video senders of the whole run, in plan order (stamp-senders.ts): kept by a
   * shard, whose participants are only its own. Absent: those of `participants`.
   */
  stampSenders?: string[];
}

export type PlannedTarget =
  /** `iceRestart`: the page restarts ICE by itself on a lost connection (absent in older plans: only with TURN). */
  | { kind: 'bundled'; workers: number; iceRestart?: boolean }
  /**
   * `page`: the adapter that drives it (absent in older plans: the reference page's surface).
   * `media`: the user's SFU's media addresses (ranges expanded), for simulated links; absent: none.
   */
  | { kind: 'url'; url: string; page?: PageAdapter; media?: MediaAddress[]; joinTimeoutMs?: number }
  /** Publishers send over WHIP, the others view over WHEP; a null endpoint: no group needs it. */
  | { kind: 'whip'; whip: string | null; whep: string | null; token: string | null; media?: MediaAddress[]; joinTimeoutMs?: number };

/** One address a user's SFU receives media on, as its ICE candidates name it ('10.0.0.5:40000'). */
export interface MediaAddress {
  host: string;
  port: number;
}

/** A participant's camera, resolved: what its page is asked to send (the page layer's vocabulary). */
export type PlannedVideo = VideoRequest;

/** What a participant sends, resolved: the publish its page is asked for. */
export type PlannedPublish = PublishRequest;

export interface PlannedParticipant {
  /** 'viewers[0]': the group and index, unique in the run. */
  id: string;
  group: string;
  index: number;
  room: string;
  /** When it joins, ms from the run's start. */
  joinAtMs: number;
  publish: PlannedPublish;
  /** Applied to its link when it opens (a trace: when the run's clock starts); null: unshaped. */
  network: PlannedNetwork | null;
  /** How it uses TURN; null: as the browser decides (TURN servers offered when the run has one). Absent in older plans. */
  turn?: PlannedParticipantTurn | null;
  /** How it receives video (GroupSpec.receive). Absent in older plans: 'decode'. */
  receive?: ReceiveMode;
  /** The browser it runs in (GroupSpec.browser). Absent in older plans: 'chromium'. */
  browser?: BrowserName;
}

/**
 * A network setting as the runner applies it: a change of the link's settings, validated and
 * resolved (a profile name is expanded to a complete change, which replaces every setting), or a
 * parsed trace.
 */
export type PlannedNetwork = LinkChange | PlannedTrace;

export interface PlannedTrace {
  /** The trace file, read and validated when the plan was made (its `source` is the file as shown). */
  trace: NetworkTrace;
  loop: boolean;
}

export type PlannedAction =
  | { do: 'join' }
  | { do: 'leave' }
  | { do: 'publish'; what: PlannedPublish }
  | { do: 'unpublish'; source: MediaSource }
  | { do: 'mute'; source: MediaSource }
  | { do: 'unmute'; source: MediaSource }
  | { do: 'network'; set: PlannedNetwork }
  | { do: 'layers'; spatial: number; temporal: number | null }
  | { do: 'iceRestart' }
  | { do: 'screenShare'; on: boolean }
  | { do: 'forceTurn'; transport: TurnTransport }
  /** null: the current camera's. */
  | { do: 'switchCamera'; width: number | null; height: number | null; fps: number | null }
  | { do: 'changeCodec'; codec: VideoCodec }
  /**
   * Leave, wait awayMs, join and publish (null: what the participant's group publishes).
   * `churnCycle`: the cycle of a churn it was planned from (0, 1, ...); absent for a rejoin.
   */
  | { do: 'rejoin'; awayMs: number; publish: PlannedPublish | null; churnCycle?: number }
  /** The user's code on the page; `name` names it in reports. */
  | { do: 'script'; name: string; run: PageScript };

export interface PlannedStep {
  /** When, ms from the run's start. */
  atMs: number;
  action: PlannedAction;
  /** Who, expanded: ['viewers[0]', 'viewers[1]']. */
  participantIds: string[];
  /** Its position in the scenario's timeline, for messages ('timeline[2]'). */
  index: number;
}

export const DEFAULTS = {
  workers: 1,
  joinTimeoutMs: 30_000,
  statsIntervalMs: 1000,
  participantsPerBrowser: 8,
  countingPerBrowser: 32,
  headful: false,
  cpuPercent: 90,
  sustainedSeconds: 10,
  video: { simulcast: false, width: 640, height: 360, fps: 30, encodings: null, codec: null, scalabilityMode: null } satisfies PlannedVideo,
} as const;
