// What a user writes in a *.scenario.ts file. Everything a default exists for is optional; the
// runner never sees these types, only the RunPlan that resolve.ts fills in (plan.ts). Types catch
// typos in group names, actions and metric names while writing; validate.ts checks the same at
// run time, since a scenario may be plain JavaScript.
import type { BrowserName } from '../stats/browsers.ts';
import type { MetricName } from '../stats/catalogue.ts';
import type { ProfileName } from '../network/profiles.ts';
import type { LinkUpdate } from '../network/types.ts';
import type { Bitrate, Duration } from './units.ts';
import type { GroupTurnSpec, TurnSpec, TurnTransport } from './turn.ts';
import type { Rate } from './churn.ts';
import type { PageAdapter, PageScript } from '../pages/adapter.ts';
import type { MediaSource, VideoCodec, VideoSource } from '../pages/media.ts';

export type { Bitrate, Duration } from './units.ts';
export type { Rate } from './churn.ts';
export type { ExternalTurnSpec, GroupTurnSpec, TurnSpec, TurnTransport } from './turn.ts';
export type { MetricName } from '../stats/catalogue.ts';
export type { MediaSource, VideoCodec } from '../pages/media.ts';

/**
 * A participant's simulated access network: a profile name ('lte', see `profiles`), a profile
 * object (`profiles.wifi`), settings to apply on top of an unshaped link
 * (`{ down: { rateKbps: 800 } }`, `{ delayMs: 40, lossPct: 1 }` for both directions), or a
 * recorded network to replay (`{ trace: 'traces/train.csv' }`).
 * The network module validates and resolves it.
 */
export type NetworkSpec = ProfileName | (LinkUpdate & { trace?: never; loop?: never }) | TraceNetworkSpec;

/**
 * Replays a recorded network: a CSV or JSON file of time -> rateKbps/delayMs/lossPct/jitterMs
 * points (format in harness/src/network/trace.ts). Each point changes the fields it gives and
 * leaves the others as they are. In a group, the trace starts when the run's clock starts; in a
 * timeline action, at the action. Any later network change of the participant stops it.
 */
export interface TraceNetworkSpec {
  /** The trace file, relative to the scenario file: 'traces/commute.csv'. */
  trace: string;
  /** Start over after the last point (the trace then lasts until its last point). Default false. */
  loop?: boolean;
}

/** One simulcast layer of the camera. */
export interface EncodingSpec {
  /** The layer's bitrate cap: '150kbps', '1.5mbps', or kbit/s as a number. */
  maxBitrate: Bitrate;
  /** Divides the capture's width and height (4 = quarter resolution), 1 to 16. Default: 1 for the last layer, doubling towards the first (4, 2, 1 for three). */
  scaleResolutionDownBy?: number;
}

/** The camera stream a participant sends. */
export interface VideoPublishSpec {
  /** Send simulcast layers (by default three: 1/4, 1/2 and full resolution at 150, 500 and 1500 kbps). Default false. */
  simulcast?: boolean;
  /**
   * The simulcast layers, lowest resolution first (1 to 4); without simulcast, one entry that caps
   * the single stream. Default: 1/4, 1/2, full at 150kbps, 500kbps, 1500kbps with simulcast; no cap without.
   */
  encodings?: EncodingSpec[];
  /** The codec. Default: 'vp8' (the bundled SFU's first video codec). */
  codec?: VideoCodec;
  /**
   * With simulcast: each layer's temporal layers, 'L1T1', 'L1T2' or 'L1T3' (default 'L1T3').
   * Without simulcast: the stream's mode; spatial layers in one stream are SVC and need codec
   * 'vp9', e.g. { codec: 'vp9', scalabilityMode: 'L3T3_KEY' }. Default: none (one layer).
   */
  scalabilityMode?: `L${1 | 2 | 3}T${1 | 2 | 3}${'' | 'h' | '_KEY' | '_KEY_SHIFT'}`;
  /**
   * What the fake camera shows: 'pattern' (default: Chromium's test pattern, flat and cheap to
   * encode, ~0.27 Mbps at 640x360) or 'clip' (a generated clip with texture, motion and noise
   * that encodes like a camera: the encoder works at its target rate, as in real calls).
   * Participants with different sources run in different browsers (it is a browser flag).
   * 'stamped': a picture drawn in the page (texture and motion, encoding like a camera) with a
   * block code on top that every receiver reads on every frame it shows: glass-to-glass latency,
   * frames skipped and repeated, freezes (video_e2e_latency_ms...). It replaces the camera the
   * page asks for through getUserMedia, so it works on any page, and needs no browser of its own.
   * Its microphone, when it publishes audio, is stamped too: silence and a coded tone burst every
   * second, timed by every listener (audio_e2e_latency_ms).
   * 'replay': a camera-like clip (texture, a pan, a moving subject, noise) encoded once in the
   * page as VP8 at the rate libwebrtc sends at that size, and put on the wire in place of what the
   * encoder makes of a 32x18 stand-in: receivers decode the real size and rate while the sender
   * hardly encodes. For capacity: the clip's bitrate does not adapt to the network, and the
   * sender's encoder figures are not measured. One layer, VP8, Chromium.
   */
  source?: VideoSource;
  /** Capture width, px. Default 640. */
  width?: number;
  /** Capture height, px. Default 360. */
  height?: number;
  /** Capture frame rate, frames per second. Default 30. */
  fps?: number;
}

/**
 * What a participant sends. Only what is listed is sent: `{ audio: true }` is audio only, `{}` (or
 * `false` for the whole field) sends nothing. Leaving `publish` out of a group sends the default:
 * audio and 640x360@30 video without simulcast.
 */
export interface PublishSpec {
  /** Send the (fake) microphone. Default false when `publish` is given. */
  audio?: boolean;
  /** Send the (fake) camera: true for 640x360@30 without simulcast, or its settings. Default false when `publish` is given. */
  video?: boolean | VideoPublishSpec;
}

/** One group of identical participants, e.g. `viewers: { count: 20, network: 'lte' }`. */
export interface GroupSpec {
  /** How many participants; they are named `<group>[0]`, `<group>[1]`... An integer ≥ 1. */
  count: number;
  /** What each participant sends. Default: audio + 640x360@30 video, no simulcast. */
  publish?: PublishSpec | false;
  /** When the group's first participant joins, from the start of the run. Default '0s'. */
  joinAt?: Duration;
  /** Join the group's participants evenly over this long, starting at joinAt. Default '0s' (all at once). */
  joinSpread?: Duration;
  /** The simulated network each participant of the group joins through. Default: unshaped. */
  network?: NetworkSpec;
  /** The room the group joins. Default: one room for the whole scenario, named after it. */
  room?: string;
  /** How the group uses TURN: `{ transport: 'tcp' }` (UDP blocked), `{ policy: 'relay' }`... Default: as the browser decides. */
  turn?: GroupTurnSpec;
  /**
   * How the group receives video. 'decode' (default): as a real participant, every frame decoded.
   * 'count': every frame is counted and timed (frame rate, freezes, bitrate, loss, jitter, RTT,
   * keyframe requests stay real) but decoded as a 16x16 stand-in, which costs far less CPU; the
   * received resolution, QP and decoder are then not measured. For big audiences: viewers of a
   * town hall. Needs a browser with encoded transforms (Chromium 86+); one that has none decodes.
   */
  receive?: ReceiveMode;
  /**
   * The browser the group's participants run in: 'chromium' (default: Debian's Chromium) or
   * 'firefox' (Debian's firefox-esr, driven over WebDriver BiDi). Groups of both may share a room.
   * Firefox's stats lack a few figures (README, "Firefox participants"): those metrics are not
   * available for its participants. Firefox groups cannot use receive 'count' or the video
   * sources 'clip' and 'stamped' (all three need Chromium).
   */
  browser?: BrowserName;
}

/** See GroupSpec.receive. */
export type ReceiveMode = 'decode' | 'count';

export type { BrowserName } from '../stats/browsers.ts';

/** Who an action applies to: everyone, a group, or one participant (`'viewers[0]'`). */
export type Who<G extends string> = 'all' | G | `${G}[${number}]`;

interface ActionBase<G extends string> {
  /** When, from the start of the run: '20s', '1m30s', or a number of seconds. */
  at: Duration;
  /** Who does it: 'all', a group name, or one participant ('viewers[0]'). */
  who: Who<G>;
}

/** Join again (after a leave). Every participant joins at its group's joinAt without this. */
export interface JoinAction<G extends string> extends ActionBase<G> {
  do: 'join';
}
/** Leave the room (close the call). */
export interface LeaveAction<G extends string> extends ActionBase<G> {
  do: 'leave';
}
/** Start sending: `what: { video: { simulcast: true } }` starts the camera, `{ audio: true }` the mic. */
export interface PublishAction<G extends string> extends ActionBase<G> {
  do: 'publish';
  what: PublishSpec;
}
/** Stop sending a source (its producer is closed). */
export interface UnpublishAction<G extends string> extends ActionBase<G> {
  do: 'unpublish';
  source: MediaSource;
}
/** Pause a source (its producer stays, no media flows). */
export interface MuteAction<G extends string> extends ActionBase<G> {
  do: 'mute';
  source: MediaSource;
}
/** Resume a muted source. */
export interface UnmuteAction<G extends string> extends ActionBase<G> {
  do: 'unmute';
  source: MediaSource;
}
/** Change the participant's simulated network: a profile name, a profile, or settings to change. */
export interface NetworkAction<G extends string> extends ActionBase<G> {
  do: 'network';
  set: NetworkSpec;
}
/** Ask the SFU for these simulcast/SVC layers of every video the participant receives. */
export interface LayersAction<G extends string> extends ActionBase<G> {
  do: 'layers';
  /** Spatial layer, 0 = lowest resolution. An integer ≥ 0. */
  spatial: number;
  /** Temporal layer, 0 = lowest frame rate. An integer ≥ 0. Default: the highest. */
  temporal?: number;
}
/** Restart ICE (as after a network change). */
export interface IceRestartAction<G extends string> extends ActionBase<G> {
  do: 'iceRestart';
}
/** Start or stop sharing the (fake) screen. */
export interface ScreenShareAction<G extends string> extends ActionBase<G> {
  do: 'screenShare';
  on: boolean;
}
/**
 * Swap the camera for a new capture without renegotiating (the page's replaceTrack): another
 * camera, or another size. The others see it when they decode a frame of the new size, so give
 * a size other than the current one to have it timed.
 */
export interface SwitchCameraAction<G extends string> extends ActionBase<G> {
  do: 'switchCamera';
  /** Capture width, px. Default: the current camera's. */
  width?: number;
  /** Capture height, px. Default: the current camera's. */
  height?: number;
  /** Capture frame rate, frames per second. Default: the current camera's. */
  fps?: number;
}
/** Send the camera with another codec: its producer is closed and created again with `codec`, everything else kept. */
export interface ChangeCodecAction<G extends string> extends ActionBase<G> {
  do: 'changeCodec';
  codec: VideoCodec;
}
/** Leave, stay away for `away`, join again and publish. */
export interface RejoinAction<G extends string> extends ActionBase<G> {
  do: 'rejoin';
  /** Time between the leave and the join: '500ms', '2s'. Default '500ms'. */
  away?: Duration;
  /** What to send after joining again. Default: what the participant's group sends. */
  publish?: PublishSpec | false;
}
/**
 * Participants come and go: from `at`, for `for`, `rate` times per second one participant of
 * `who` leaves, stays away `away` and rejoins with its group's publish; the participants take
 * turns in order. `{ at: '5s', do: 'churn', who: 'guests', for: '40s', rate: '1.5/s' }` is 60
 * leaves and 60 joins. At most 10000 cycles.
 */
export interface ChurnAction<G extends string> extends ActionBase<G> {
  do: 'churn';
  /** How long the churn lasts from `at`: '40s'. */
  for: Duration;
  /** Leave-and-rejoin cycles per second over the whole of `who`: '1/s', '0.5/s', '30/m'. */
  rate: Rate;
  /** Time each participant stays away between its leave and its join. Default '500ms'. */
  away?: Duration;
}
/**
 * Leave the participant only TURN over `transport` from now on (its simulated link closes every
 * other way, the direct path to the SFU included): 'tcp' is "UDP blocked mid-call". The page
 * notices and restarts ICE; the way back is a `network` action with `{ blockUdp: false, allowPorts: null }`.
 */
export interface ForceTurnAction<G extends string> extends ActionBase<G> {
  do: 'forceTurn';
  transport: TurnTransport;
}

/**
 * Runs your code on the participants' pages at `at`: click your app's buttons, read its state.
 * Timed and reported like every other action (a throw is the step's error):
 * `{ at: '10s', do: 'script', who: 'hosts', name: 'raise hand', run: async (page) => page.click('#hand') }`.
 */
export interface ScriptAction<G extends string> extends ActionBase<G> {
  do: 'script';
  /** Names the step in the timeline's report. Default 'script'. */
  name?: string;
  /** Gets the page (puppeteer) and the participant's context: room, id, group, a log, a cancellation signal. */
  run: PageScript;
}

/** One step of the timeline; `do` says which. */
export type TimelineAction<G extends string = string> =
  | JoinAction<G>
  | LeaveAction<G>
  | PublishAction<G>
  | UnpublishAction<G>
  | MuteAction<G>
  | UnmuteAction<G>
  | NetworkAction<G>
  | LayersAction<G>
  | IceRestartAction<G>
  | ScreenShareAction<G>
  | ForceTurnAction<G>
  | SwitchCameraAction<G>
  | ChangeCodecAction<G>
  | RejoinAction<G>
  | ChurnAction<G>
  | ScriptAction<G>;

export type ActionName = TimelineAction['do'];

/** A metric, optionally filtered by tags: 'video_recv_fps' or 'video_recv_fps{group:viewers}'. */
export type ThresholdSelector = MetricName | `${MetricName}{${string}}`;

/** One pass/fail condition: 'p(95) < 150', or with options. */
export type ThresholdEntry =
  | string
  | {
      /** The condition, e.g. 'p(95) < 150'. */
      threshold: string;
      /** Stop the run as soon as this fails (checked every stats interval). Default false. */
      abortOnFail?: boolean;
      /** With abortOnFail: start checking only this long after the run's start. Default '0s'. */
      delayAbortEval?: Duration;
    };

/** Selector -> conditions that must all hold, k6 style. */
export type Thresholds = { [K in ThresholdSelector]?: ThresholdEntry[] };

/** The SFU the participants call: the bundled mediasoup SFU, a user's own call page, or WHIP/WHEP endpoints. */
export type TargetSpec =
  | {
      /** Start the bundled SFU and its reference call page for the run. */
      sfu: 'bundled';
      /** mediasoup workers (one per core it may use). Default 1. */
      workers?: number;
      /**
       * The reference call page restarts ICE by itself when a connection goes 'disconnected' or
       * 'failed', as production apps do (retried every 4 s, at most 5 times). Default: true when
       * the run uses TURN, else false (raw ICE behaviour).
       */
      iceRestart?: boolean;
      url?: never;
      whip?: never;
      whep?: never;
    }
  | {
      /**
       * A call page each participant opens; `{room}` and `{name}` are replaced (URL-encoded) by
       * the room and the participant's id, e.g. 'https://meet.example.com/{room}?name={name}'.
       */
      url: string;
      /**
       * How to drive the page: an adapter object (`definePageAdapter({ name, join, ... })`), a
       * built-in adapter's name ('reference', 'janus-videoroom'), or the path of a module whose
       * default export is an adapter, relative to the scenario ('./my-app.adapter.ts').
       * Default 'reference': the page implements the harness's `window.rtcHarness` control surface.
       */
      page?: PageAdapter | string;
      /**
       * Where your SFU receives media, as its ICE candidates name it: `'host:port'` each, or a
       * port range `'host:40000-40099'`, e.g. ['10.0.0.5:40000']. Needed for simulated
       * networks: each participant's link relays to these, and the in-page agent rewrites the
       * candidates that name them. Default: none.
       */
      media?: string[];
      /** How long a participant's join may take before it counts as failed: '30s'. Default '30s'. */
      joinTimeout?: Duration;
      sfu?: never;
      workers?: never;
      iceRestart?: never;
      whip?: never;
      whep?: never;
    }
  // WHIP (and maybe WHEP), or WHEP only: a target naming neither is not one.
  | (WhipTargetSpec & { whip: string })
  | (WhipTargetSpec & { whep: string; whip?: never });

/** WHIP/WHEP endpoints the participants send to and view from, with no page script; at least one of the two. */
export interface WhipTargetSpec {
  /**
   * WHIP endpoint (RFC 9725) the participants that publish send to, with no page script:
   * `{room}` and `{name}` are replaced as in `url`. Required when a group publishes.
   */
  whip?: string;
  /** WHEP endpoint the participants that publish nothing (`publish: false`) view from. Required when a group publishes nothing. */
  whep?: string;
  /** Sent as `Authorization: Bearer <token>` to both. Default: none. */
  token?: string;
  /** As for `url`: the server's media addresses, for simulated networks. */
  media?: string[];
  /** How long a participant's join may take before it counts as failed. Default '30s'. */
  joinTimeout?: Duration;
  sfu?: never;
  workers?: never;
  iceRestart?: never;
  url?: never;
  page?: never;
}

/** A scenario: who joins, what happens when, and what counts as a pass. */
export interface ScenarioSpec<G extends string = string> {
  /** Names the run, its room and its results. Letters, digits, '.', '_', '-'. Default: the file name without .scenario.ts. */
  name?: string;
  /** How long the run lasts from its start: '30s', '1m30s', or a number of seconds. */
  duration: Duration;
  /** Seed for every random choice (network loss, jitter), for repeatable runs. Default: random, recorded in the results. */
  seed?: number;
  /** What the participants call. Default `{ sfu: 'bundled' }`. */
  target?: TargetSpec;
  /** The TURN server: 'bundled' (coturn started for the run), your own, or false. Default: bundled when a group or action uses TURN. */
  turn?: TurnSpec;
  stats?: {
    /** How often each participant samples getStats(), ms. Default 1000. */
    intervalMs?: number;
  };
  browser?: {
    /**
     * Participants sharing one Chromium (one tab each). 1 isolates each participant. Default 8,
     * and 32 for participants that receive in count mode: they cost a few % of a core each, so a
     * browser's own processes (GPU, audio, network) weigh more, and sharing them saves ~9% of the
     * machine at 30 viewers (README, "Participants per machine"). Giving a value sets both.
     */
    participantsPerBrowser?: number;
    /** Show browser windows. Default false (headless). */
    headful?: boolean;
  };
  /** When the machine running the browsers is saturated, the run is invalid rather than failed. */
  guard?: {
    /** Machine CPU use (all cores), percent, above which the load generator counts as saturated. Default 90. */
    cpuPercent?: number;
    /** How long saturation must last to make the run invalid, seconds. Default 10. */
    sustainedSeconds?: number;
  };
  /** The participants, by group name: `{ presenter: { count: 1 }, viewers: { count: 4 } }`. */
  participants: { [K in G]: GroupSpec };
  /** Actions at given times. Default: none (everyone joins and stays). */
  timeline?: TimelineAction<NoInfer<G>>[];
  /** Pass/fail conditions by metric. Default: none (the run passes if it completes). */
  thresholds?: Thresholds;
}
