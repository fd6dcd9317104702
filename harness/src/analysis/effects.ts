// Times what a timeline action did on the other participants' pages. An action by P that started
// at T (the runner's clock, just before it called the page) is expected to show on every other
// participant Q in P's room at T: a new track's first decoded frame, a track removed, paused,
// resumed or decoded at a new size, P joining or leaving. Q's page logs these with its own
// timestamps, which reach the runner with Q's next sample (observations.ts, built by the pipeline
// and handed to every analyser); the effect's time is
// the first matching event after T. An ICE restart is P's own: its connections on the new ICE
// credentials, with its inbound media flowing. Not seen within the wait (default 10 s): a failed
// effect, counted with the failed actions in action_failure_count_total.
//
// Fed in any order: an expectation may be registered after the samples that fulfil it arrived
// (the page call returns after its events were logged), since each one is decided only once its
// observer's samples have passed its start. Pure apart from being stateful: no clock, no I/O.
import type { MetricName } from '../stats/catalogue.ts';
import type { ActionEffect } from '../results/analyses.ts';
import type { Point } from '../stats/types.ts';
import type { ActionEvent, Analyser, FinishInput, SampleInput, SeenByPages } from './analyser.ts';
import { restartsWithin, type ConsumerSeen, type ParticipantSeen } from './observations.ts';

/** What an action should make the others see. Sources are the call page's: 'mic', 'camera', 'screen'. */
export type Watch =
  /** A consumer of one of these sources, added after the start, decodes its first frame. */
  | { kind: 'firstFrame'; source: string }
  /** Every consumer of the source the observer had at the start is removed. */
  | { kind: 'removed'; source: string }
  /** Every consumer of the source the observer had at the start is paused / resumed / resized. */
  | { kind: 'paused' | 'resumed' | 'resized'; source: string }
  | { kind: 'joined' }
  | { kind: 'left' }
  /** The actor's own connections: every one restarted after the start has a pair on its new credentials, and its media flows. */
  | { kind: 'iceRestarted' };

/** Which metric an effect's time goes to. */
export type EffectFamily = 'renegotiation' | 'joinLeave';

const METRIC: Record<EffectFamily, MetricName> = {
  renegotiation: 'renegotiation_seconds',
  joinLeave: 'remote_join_leave_seconds',
};

export interface Expectation {
  /** Identifies the action in the results: the planned action object and the participant. */
  action: object;
  actor: string;
  /** The actor's room: only participants in it are observers. */
  room: string;
  /** The SFU's peer id(s) of the actor that the observers' events name. */
  peerIds: readonly string[];
  family: EffectFamily;
  watch: Watch;
  /** Unix ms when the action (or this leg of it) started. */
  atMs: number;
  /**
   * Decide only on the observer's samples taken after this, unix ms: when the action's own page
   * events (an ICE restart of each connection, one after the other) are all logged by then.
   * Default: atMs.
   */
  readyAfterMs?: number;
}

export interface EffectTrackerOptions {
  /** How long an observer may take to see an effect before it counts as failed, ms. Default 10000. */
  timeoutMs?: number;
}

interface Pending {
  expectation: Expectation;
  observer: string;
  record: ActionEffect;
  /** Unix ms when the observer left, if it did: what it saw after that is its own leave. */
  observerLeftMs?: number;
  /** Unix ms when the actor left again (a churn's next turn): what it changed is gone with it. */
  actorLeftMs?: number;
}

interface Presence {
  room: string;
  joinedMs: number;
  leftMs?: number;
}

export class EffectTracker implements Analyser {
  readonly name = 'action effects';
  readonly #timeoutMs: number;
  #pending: Pending[] = [];
  readonly #byAction = new Map<object, Map<string, ActionEffect[]>>();
  readonly #presence = new Map<string, Presence[]>();
  readonly #failures = new Map<string, number>();
  /** Participant -> its group, from its samples: failure points need both tags. */
  readonly #groups = new Map<string, string>();

  constructor(options: EffectTrackerOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The runner's actions: presence in rooms, expectations, failures. */
  onAction(event: ActionEvent): void {
    if (event.type === 'presence') this.presence(event.participant, event.room, event.joined, event.atMs);
    else if (event.type === 'expect') this.expect(event.expectation);
    else if (event.type === 'failed') this.actionFailed(event.participant);
  }

  /** The participant finished joining `room` (joined true) or started leaving it (false), at `tMs`. */
  presence(participant: string, room: string, joined: boolean, tMs: number): void {
    const list = this.#presence.get(participant) ?? [];
    this.#presence.set(participant, list);
    const current = list.at(-1);
    if (joined) {
      if (!current || current.leftMs !== undefined) list.push({ room, joinedMs: tMs });
      return;
    }
    if (current && current.leftMs === undefined) current.leftMs = tMs;
    for (const p of this.#pending) {
      if (p.observer === participant) p.observerLeftMs ??= tMs;
      // Its own departure is what a 'left' watch waits for; anything else it did ends with it.
      if (p.expectation.actor === participant && p.expectation.watch.kind !== 'left' && p.expectation.atMs < tMs) p.actorLeftMs ??= tMs;
    }
  }

  /** An action of `participant` failed (the page refused it): counted in action_failure_count_total. */
  actionFailed(participant: string): void {
    this.#failures.set(participant, (this.#failures.get(participant) ?? 0) + 1);
  }

  /** Expects every participant in the actor's room at `atMs` (the actor itself for an ICE restart) to see `watch`. */
  expect(e: Expectation): void {
    const observers = e.watch.kind === 'iceRestarted' ? [e.actor] : this.#observersAt(e.room, e.atMs, e.actor);
    for (const observer of observers) {
      const record: ActionEffect = { observer, seen: e.watch.kind, seconds: null };
      this.#pending.push({ expectation: e, observer, record });
      const byParticipant = this.#byAction.get(e.action) ?? new Map<string, ActionEffect[]>();
      this.#byAction.set(e.action, byParticipant);
      byParticipant.set(e.actor, [...(byParticipant.get(e.actor) ?? []), record]);
    }
  }

  /**
   * Takes a sample; returns the effect times it completes, the ICE restarts its connections
   * completed (ice_restart_seconds) and the sampled participant's failure count.
   */
  onSample({ sample, seen, restartsCompleted }: SampleInput): Point[] {
    this.#groups.set(sample.participant, sample.group);
    const tags = { group: sample.group, participant: sample.participant };
    const points: Point[] = restartsCompleted.map((r) => ({
      metric: 'ice_restart_seconds',
      value: round((r.completedMs - r.startedMs) / 1000),
      t: r.completedMs,
      tags,
    }));
    points.push(...this.#settle(seen, undefined));
    points.push(this.#failurePoint(sample.participant, sample.t));
    return points;
  }

  /** The run ended at `endMs`: effects still awaited are decided (failed when their wait was over). */
  finish({ endMs, seen }: FinishInput): Point[] {
    const before = new Map(this.#failures);
    const points = this.#settle(seen, endMs);
    for (const [participant, count] of this.#failures) {
      if (before.get(participant) !== count) points.push(this.#failurePoint(participant, endMs));
    }
    return points;
  }

  /** The effects of one action of one participant, for results.json; undefined when none were expected. */
  effectsOf(action: object, participant: string): ActionEffect[] | undefined {
    return this.#byAction.get(action)?.get(participant);
  }

  #failurePoint(participant: string, t: number): Point {
    const group = this.#groups.get(participant) ?? participant.replace(/\[\d+\]$/, '');
    return { metric: 'action_failure_count_total', value: this.#failures.get(participant) ?? 0, t, tags: { group, participant } };
  }

  #observersAt(room: string, tMs: number, actor: string): string[] {
    const out: string[] = [];
    for (const [participant, list] of this.#presence) {
      if (participant === actor) continue;
      if (list.some((p) => p.room === room && p.joinedMs <= tMs && (p.leftMs === undefined || p.leftMs > tMs))) out.push(participant);
    }
    return out;
  }

  /** Decides what the observations now allow; `endMs` set: the run is over, decide everything. */
  #settle(pages: SeenByPages, endMs: number | undefined): Point[] {
    const points: Point[] = [];
    const decidedNow = new Set<Pending>();
    for (const p of this.#pending) {
      const seen = pages.get(p.observer);
      const e = p.expectation;
      const deadline = e.atMs + this.#timeoutMs;
      const watermark = seen?.watermarkMs ?? 0;
      // Until the observer's samples pass the start, its events before the start may still come.
      const ready = seen !== undefined && watermark >= Math.max(e.atMs, e.readyAfterMs ?? e.atMs);
      const doneMs = ready ? this.#doneAt(seen, e) : undefined;
      const leftMs = p.observerLeftMs;
      const actorLeftMs = p.actorLeftMs;
      let decided = true;
      if (doneMs !== undefined && doneMs <= deadline && (leftMs === undefined || doneMs < leftMs) && (actorLeftMs === undefined || doneMs < actorLeftMs)) {
        p.record.seconds = round((doneMs - e.atMs) / 1000);
        const group = this.#groups.get(p.observer) ?? p.observer;
        points.push({ metric: METRIC[e.family], value: p.record.seconds, t: doneMs, tags: { group, participant: p.observer } });
      } else if (leftMs !== undefined && leftMs <= deadline && (doneMs !== undefined || watermark >= leftMs || endMs !== undefined)) {
        // It left within the wait, before seeing it (what it saw after is its own leave): nothing to say.
        this.#drop(p);
      } else if (actorLeftMs !== undefined && actorLeftMs <= deadline && (doneMs !== undefined || watermark >= actorLeftMs || endMs !== undefined)) {
        // The actor left again first (a churn's next turn): not seen, but not a failure of the action.
        p.record.error = `${e.actor} left again ${round((actorLeftMs - e.atMs) / 1000)} s after, before it was seen`;
      } else if (watermark > deadline || (doneMs !== undefined && doneMs > deadline) || (endMs !== undefined && endMs > deadline)) {
        p.record.error = `not seen within ${this.#timeoutMs / 1000} s`;
        this.actionFailed(e.actor);
      } else if (endMs !== undefined) {
        p.record.error = `the run ended ${round((endMs - e.atMs) / 1000)} s after the action, before it was seen`;
      } else decided = false;
      if (decided) decidedNow.add(p);
    }
    if (decidedNow.size > 0) this.#pending = this.#pending.filter((p) => !decidedNow.has(p));
    return points;
  }

  #drop(p: Pending): void {
    const list = this.#byAction.get(p.expectation.action)?.get(p.expectation.actor);
    if (!list) return;
    const i = list.indexOf(p.record);
    if (i >= 0) list.splice(i, 1);
  }

  /** When the observer saw the effect (unix ms), or undefined when it has not (yet). */
  #doneAt(seen: ParticipantSeen, e: Expectation): number | undefined {
    const w = e.watch;
    const ofActor = (c: ConsumerSeen) => e.peerIds.includes(c.producerPeerId);
    switch (w.kind) {
      case 'firstFrame': {
        const frames = [...seen.consumers.values()]
          .filter((c) => ofActor(c) && c.source === w.source && c.addedMs >= e.atMs && c.firstFrameMs !== undefined)
          .map((c) => c.firstFrameMs!);
        return frames.length > 0 ? Math.min(...frames) : undefined;
      }
      case 'removed':
      case 'paused':
      case 'resumed':
      case 'resized': {
        // The consumers the observer had at the start; none: it had nothing to see change.
        const had = [...seen.consumers.values()].filter(
          (c) => ofActor(c) && c.source === w.source && c.addedMs <= e.atMs && (c.removedMs === undefined || c.removedMs > e.atMs),
        );
        if (had.length === 0) return undefined;
        const times = had.map((c) => {
          if (w.kind === 'removed') return c.removedMs;
          const list = w.kind === 'paused' ? c.pausedMs : w.kind === 'resumed' ? c.resumedMs : c.resizedMs;
          return list.find((t) => t >= e.atMs);
        });
        return times.every((t) => t !== undefined) ? Math.max(...(times as number[])) : undefined;
      }
      case 'joined':
      case 'left': {
        const map = w.kind === 'joined' ? seen.peerJoinedMs : seen.peerLeftMs;
        const times = e.peerIds.flatMap((id) => map.get(id) ?? []).filter((t) => t >= e.atMs);
        return times.length > 0 ? Math.min(...times) : undefined;
      }
      case 'iceRestarted':
        return iceRestartedAt(seen, e.atMs);
    }
  }
}

/** Every connection restarted since `atMs` has its pair on the new credentials, and no media gap is open then. */
function iceRestartedAt(seen: ParticipantSeen, atMs: number): number | undefined {
  const done = restartsWithin(seen, atMs).completedMs;
  if (done === undefined) return undefined;
  // Media that stopped around the restart must flow again.
  const gap = seen.gaps.find((g) => g.startMs <= done && (g.endMs === undefined || g.endMs > done) && g.startMs >= atMs - 1000);
  if (!gap) return done;
  return gap.endMs;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
