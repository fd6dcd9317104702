// What each participant's page has seen over a run, rebuilt from its samples: the consumers it
// received (whose, which source, when added, first decoded frame, paused, resumed, resized,
// removed), the peers that joined and left, its connections' ICE restarts and state changes, and
// the gaps in its inbound media. Times are the pages' own event times (Date.now() in the page, the
// same clock as the runner's on this machine), so an action can be timed against them to the
// millisecond whatever the stats interval. Pure apart from being stateful; one per run.
import type { Sample } from '../stats/types.ts';

export interface ConsumerSeen {
  id: string;
  producerPeerId: string;
  source: string;
  kind: string;
  addedMs: number;
  firstFrameMs?: number;
  removedMs?: number;
  pausedMs: number[];
  resumedMs: number[];
  resizedMs: number[];
}

/** One gap in the participant's inbound media (stats/interruption.ts); endMs absent while open. */
export interface MediaGap {
  startMs: number;
  endMs?: number;
}

export interface ParticipantSeen {
  /** Time of its latest sample: every page event before it has been ingested. */
  watermarkMs: number;
  consumers: Map<string, ConsumerSeen>;
  /** Peer id -> times it was seen joining / leaving. */
  peerJoinedMs: Map<string, number[]>;
  peerLeftMs: Map<string, number[]>;
  /** Connection id -> ICE restart start and completion times (agent 'iceRestart' events). */
  restartStartedMs: Map<string, number[]>;
  restartCompletedMs: Map<string, number[]>;
  /** Times any of its connections went 'disconnected' or 'failed'. */
  connectionLostMs: number[];
  gaps: MediaGap[];
}

/** An ICE restart of one connection that completed in the sample just ingested. */
export interface RestartCompleted {
  pc: string;
  /** Unix ms: new ICE credentials in the local description, and the pair selected on them. */
  startedMs: number;
  completedMs: number;
}

export interface ObservationsOptions {
  /** Forget what was removed or ended this long before a participant's latest sample, ms. Default 60000. */
  retainMs?: number;
}

export class Observations {
  readonly #participants = new Map<string, ParticipantSeen>();
  readonly #retainMs: number;

  constructor(options: ObservationsOptions = {}) {
    this.#retainMs = options.retainMs ?? 60_000;
  }

  get(participant: string): ParticipantSeen | undefined {
    return this.#participants.get(participant);
  }

  /** Takes one sample's call events, state events and media figures; returns the ICE restarts it completes. */
  ingest(sample: Sample): RestartCompleted[] {
    const restarts: RestartCompleted[] = [];
    const p = this.#state(sample.participant);
    for (const e of [...(sample.callEvents ?? [])].sort((a, b) => a.t - b.t)) {
      const c = e.consumerId === undefined ? undefined : p.consumers.get(e.consumerId);
      switch (e.type) {
        case 'consumerAdded':
          if (e.consumerId === undefined || e.producerPeerId === undefined) break;
          p.consumers.set(e.consumerId, {
            id: e.consumerId,
            producerPeerId: e.producerPeerId,
            source: e.source ?? 'unknown',
            kind: e.kind ?? 'unknown',
            addedMs: e.t,
            pausedMs: [],
            resumedMs: [],
            resizedMs: [],
          });
          break;
        case 'firstFrame':
          if (c && c.firstFrameMs === undefined) c.firstFrameMs = e.t;
          break;
        case 'consumerRemoved':
          if (c && c.removedMs === undefined) c.removedMs = e.t;
          break;
        case 'consumerPaused':
          c?.pausedMs.push(e.t);
          break;
        case 'consumerResumed':
          c?.resumedMs.push(e.t);
          break;
        case 'videoResized':
          c?.resizedMs.push(e.t);
          break;
        case 'peerJoined':
          if (e.peerId !== undefined) push(p.peerJoinedMs, e.peerId, e.t);
          break;
        case 'peerLeft':
          if (e.peerId !== undefined) push(p.peerLeftMs, e.peerId, e.t);
          break;
        default:
          break;
      }
    }
    for (const e of sample.events ?? []) {
      if (e.type === 'iceRestart') {
        push(e.state === 'started' ? p.restartStartedMs : p.restartCompletedMs, e.pc, e.t);
        const startedMs = e.state === 'completed' ? p.restartStartedMs.get(e.pc)?.filter((t) => t <= e.t).at(-1) : undefined;
        if (startedMs !== undefined) restarts.push({ pc: e.pc, startedMs, completedMs: e.t });
      }
      else if (e.type === 'connection' && (e.state === 'disconnected' || e.state === 'failed')) p.connectionLostMs.push(e.t);
    }
    this.#trackGaps(p, sample);
    p.watermarkMs = Math.max(p.watermarkMs, sample.t);
    this.#forget(p);
    return restarts;
  }

  #state(participant: string): ParticipantSeen {
    let p = this.#participants.get(participant);
    if (!p) {
      p = {
        watermarkMs: 0,
        consumers: new Map(),
        peerJoinedMs: new Map(),
        peerLeftMs: new Map(),
        restartStartedMs: new Map(),
        restartCompletedMs: new Map(),
        connectionLostMs: [],
        gaps: [],
      };
      this.#participants.set(participant, p);
    }
    return p;
  }

  /** A gap opens when a sample says since when media stopped, and closes with its length. */
  #trackGaps(p: ParticipantSeen, sample: Sample): void {
    const open = p.gaps.at(-1)?.endMs === undefined ? p.gaps.at(-1) : undefined;
    const ended = sample.values.media_interruption_seconds;
    if (open && ended !== undefined) open.endMs = open.startMs + ended * 1000;
    const since = sample.inboundMedia?.interruptedSinceMs;
    if (since === undefined) return;
    const current = p.gaps.at(-1);
    if (current && current.endMs === undefined && current.startMs === since) return;
    if (current && current.endMs === undefined) current.endMs = since; // A new gap closes a stale one.
    p.gaps.push({ startMs: since });
  }

  /** Drops what is long over, so a long churn run stays small. */
  #forget(p: ParticipantSeen): void {
    const before = p.watermarkMs - this.#retainMs;
    for (const [id, c] of p.consumers) if (c.removedMs !== undefined && c.removedMs < before) p.consumers.delete(id);
    for (const map of [p.peerJoinedMs, p.peerLeftMs, p.restartStartedMs, p.restartCompletedMs]) {
      for (const [key, times] of map) {
        const kept = times.filter((t) => t >= before);
        if (kept.length > 0) map.set(key, kept);
        else map.delete(key);
      }
    }
    p.connectionLostMs = p.connectionLostMs.filter((t) => t >= before);
    p.gaps = p.gaps.filter((g) => g.endMs === undefined || g.endMs >= before);
  }
}

/** The participant's ICE restarts that began within [fromMs, untilMs], unix ms. */
export interface RestartsWithin {
  /** The earliest start of any connection's first restart in the window; undefined: none began. */
  firstStartMs: number | undefined;
  /** When the last of those restarts completed, once every one has; undefined until then. */
  completedMs: number | undefined;
}

/** Per connection, its first restart begun within the window and the completion after it. */
export function restartsWithin(seen: ParticipantSeen, fromMs: number, untilMs = Infinity): RestartsWithin {
  let firstStartMs: number | undefined;
  let lastDoneMs: number | undefined;
  let allDone = true;
  for (const [pc, starts] of seen.restartStartedMs) {
    const start = starts.find((t) => t >= fromMs && t <= untilMs);
    if (start === undefined) continue;
    firstStartMs = Math.min(firstStartMs ?? start, start);
    const done = seen.restartCompletedMs.get(pc)?.find((t) => t >= start);
    if (done === undefined) allDone = false;
    else lastDoneMs = Math.max(lastDoneMs ?? done, done);
  }
  return { firstStartMs, completedMs: allDone ? lastDoneMs : undefined };
}

function push(map: Map<string, number[]>, key: string, t: number): void {
  const list = map.get(key);
  if (list) list.push(t);
  else map.set(key, [t]);
}
