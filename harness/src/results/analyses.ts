// What the analysers add to results.json: layer switches, action effects, outage recoveries,
// the SFU leak check and each participant's ICE path. Types only: readers of results.json
// (reporters, compare) need the shape, not the analysis.
import type { PairInfo } from '../stats/types.ts';

// Layer switches (analysis/layer-log.ts).

/** One switch, as results.json lists it. Times are ms from the run's start. */
export interface LayerSwitchRecord {
  atMs: number;
  consumer: string;
  stream: string | null;
  /** Spatial layers; null: no layer forwarded. */
  from: number | null;
  to: number | null;
  temporal: number | null;
  /** Growth of the stream's freeze time around the switch, seconds; null when no sample covered the window. */
  freezeSecondsAround: number | null;
  freezesAround: number | null;
}

/** How long a stream took to react to a trigger; seconds null: it did not before the next trigger or the end. */
export interface LayerReactionRecord {
  /** When the trigger happened, ms from the run's start. */
  triggerAtMs: number;
  consumer: string;
  stream: string | null;
  seconds: number | null;
}

export interface ConsumerLayerSummary {
  consumer: string;
  stream: string | null;
  /** Spatial layer -> seconds on it, from its first report to the end. */
  secondsOnLayer: Record<string, number>;
  /** Spatial switches between two layers. */
  switches: number;
  /** The last spatial layer the SFU forwarded (null: none). */
  lastLayer: number | null;
  topLayer: number | null;
}

export interface ParticipantLayers {
  consumers: ConsumerLayerSummary[];
  switches: LayerSwitchRecord[];
  /** Switches beyond maxSwitches, counted but not listed. */
  switchesOmitted: number;
  /** Per downlink-lowering network change and stream: time to its first down-switch. */
  downswitches: LayerReactionRecord[];
  /** Per downlink-raising network change and stream below its top layer: time back to the top. */
  recoveries: LayerReactionRecord[];
  /** Per 'layers' action and stream: time to reach the layer asked for. */
  requests: (LayerReactionRecord & { spatial: number })[];
}

// Action effects (analysis/effects.ts).

/** What an observer awaited after an action. */
export type EffectSeen = 'firstFrame' | 'removed' | 'paused' | 'resumed' | 'resized' | 'joined' | 'left' | 'iceRestarted';

/** One observer's view of one action, as results.json lists it. */
export interface ActionEffect {
  /** Who saw it (the acting participant itself for an ICE restart). */
  observer: string;
  /** What was awaited: firstFrame, removed, paused, resumed, resized, joined, left, iceRestarted. */
  seen: EffectSeen;
  /** From the action's start (a rejoin: its leave, or its join) to the observer seeing it; null when it did not. */
  seconds: number | null;
  /** Why not: not within the wait, or the run ended first. */
  error?: string;
}

// Outage recoveries (analysis/recovery.ts).

/** One outage and the call's recovery, as results.json lists it (seconds from the outage's start). */
export interface OutageRecovery {
  participant: string;
  /** When the outage began, ms from the run's start. */
  atMs: number;
  outageMs: number;
  /** Until the page saw a connection 'disconnected' or 'failed'; null: it never noticed. */
  detectionSeconds: number | null;
  /** Until the page's first new ICE credentials (an ICE restart of its own); null: it restarted nothing. */
  iceRestartSeconds: number | null;
  /** Until every connection it restarted had a candidate pair on its new credentials; null: none did. */
  iceRestartCompletedSeconds: number | null;
  /** Until its inbound media flowed again; null: it did not before the end (or it received nothing). */
  mediaResumedSeconds: number | null;
}

// The bundled SFU's leak check (analysis/sfu-check.ts).

export interface SfuCounts {
  rooms: number;
  peers: number;
  transports: number;
  producers: number;
  consumers: number;
}

/** results.json `sfu`. */
export interface SfuLeakCheck {
  /** With everyone still in: what the SFU held, and what the participants' pages account for. */
  beforeLeave: { counts: SfuCounts; expected: SfuCounts };
  /** After every participant left: all 0 when nothing leaked. */
  afterLeave: SfuCounts;
  /** Participants that were still in a room and were asked to leave. */
  leftAtEnd: number;
  /** Participants whose page was no longer in its room at the end though nobody asked it to leave, with the page's last error. */
  dropped: { id: string; reason: string }[];
  /** Time from asking them to leave to the SFU reaching afterLeave, ms. */
  settledMs: number;
  /** The SFU held more or less than expected before the leaves, or anything after them. */
  leaked: boolean;
}

// ICE path (analysis/ice-log.ts).

/** One kind of candidate error, counted: the same URL and code repeat on every gathering. */
export interface CandidateErrorCount {
  url: string;
  errorCode: number;
  errorText: string;
  count: number;
}

/** What results.json says about a participant's ICE, from the last sample that had a selected pair. */
export interface ParticipantIce {
  /** 'relay over tcp', 'direct udp', ... of the first connection (all, when they agree). */
  path: string | null;
  /** Every connection's selected pair went through a TURN relay. */
  relayed: boolean;
  /** Of the first connection's selected pair: the browser's words ('host', 'srflx', 'prflx', 'relay'). */
  localType: string | null;
  remoteType: string | null;
  /** Transport of the local candidate ('udp' for a relay candidate: the relay's side). */
  protocol: string | null;
  /** How the browser reaches its TURN server: 'udp' | 'tcp' | 'tls'; null when not relayed. */
  relayProtocol: string | null;
  /** Bytes sent plus received over relayed pairs, by the pairs' own counters (they restart with a new pair). */
  relayedBytes: number;
  /** Every selected pair at the end, one per connection. */
  pairs: PairInfo[];
  candidateErrors: CandidateErrorCount[];
}
