// Follows every participant's simulcast/SVC layer switches over a run and times them against what
// caused them: a network change that lowered a participant's downlink is paired with each of its
// streams' first down-switch after it (layer_downswitch_seconds), one that raised it with the
// stream's return to its top layer (layer_recovery_seconds), and a timeline 'layers' action with
// the stream reaching the layer asked for (layer_request_seconds). It also keeps each switch with
// the freezes around it, and the time on every layer, for results.json.
//
// Fed in time order by samples (their layerChanges, from stats/layers.ts) and by the triggers
// (network changes, layer requests); a trigger takes effect at its own time, so a sample that
// arrives late still pairs correctly. Only a trigger's latest successor ends the wait for it.
// Pure apart from being stateful: no clock, no I/O. One LayerLog per run.
import { averageLossPct } from '../network/settings.ts';
import type { ResolvedLinkProfile, ResolvedLinkSettings } from '../network/types.ts';
import { topSpatialLayer } from '../stats/layers.ts';
import type { MetricName } from '../stats/catalogue.ts';
import type { LayerChange, Point, PointTags, Sample } from '../stats/types.ts';
import type { ActionEvent, Analyser, SampleInput } from './analyser.ts';
import type { NetworkChange } from '../results/schema.ts';
import type { ConsumerLayerSummary, LayerReactionRecord, LayerSwitchRecord, ParticipantLayers } from '../results/analyses.ts';

export interface LayerLogOptions {
  /** How long after a switch its freezes are counted, ms (from the sample before it to the first sample this long after it). Default 3000. */
  freezeWindowMs?: number;
  /** Most switches listed per participant in results.json; later ones are only counted. Default 1000. */
  maxSwitches?: number;
}

/** What a network change does to the participant's downlink, the direction layers react to. */
export type DownlinkChange = 'worse' | 'better' | 'same';

/** Compares capacity first (0 = unlimited), then average loss. */
export function compareDownlink(before: ResolvedLinkSettings, after: ResolvedLinkSettings): DownlinkChange {
  const cap = (s: ResolvedLinkSettings) => (s.rateKbps > 0 ? s.rateKbps : Infinity);
  if (cap(after) !== cap(before)) return cap(after) < cap(before) ? 'worse' : 'better';
  const loss = averageLossPct(after) - averageLossPct(before);
  return loss > 0 ? 'worse' : loss < 0 ? 'better' : 'same';
}

interface ConsumerState {
  stream: string | null;
  layer: number | null;
  /** Unix ms since when it has been on `layer` (undefined before its first report). */
  since: number | undefined;
  secondsOn: Map<number, number>;
  switches: number;
  offered: number | undefined;
  preferred: number | undefined;
}

type TriggerKind = 'worse' | 'better' | 'request';

interface Trigger {
  kind: TriggerKind;
  t: number;
  /** The layer asked for (requests). */
  spatial?: number;
  /** Consumer id -> its record still waiting for the reaction, and the layer that completes a request. */
  waiting: Map<string, { record: LayerReactionRecord; target?: number }>;
}

interface PendingFreeze {
  record: LayerSwitchRecord;
  stream: string;
  dueT: number;
  start: { seconds: number; count: number };
}

interface ParticipantState {
  consumers: Map<string, ConsumerState>;
  /** Triggers not yet in effect (their time is after the latest sample), in time order. */
  queued: Trigger[];
  network: Trigger | null;
  request: Trigger | null;
  result: ParticipantLayers;
  /** Each stream's freeze totals in the latest sample. */
  freezeTotals: Map<string, { seconds: number; count: number }>;
  pendingFreezes: PendingFreeze[];
}

const METRIC: Record<TriggerKind, MetricName> = {
  worse: 'layer_downswitch_seconds',
  better: 'layer_recovery_seconds',
  request: 'layer_request_seconds',
};

export class LayerLog implements Analyser {
  readonly name = 'layer switches';
  readonly #freezeWindowMs: number;
  readonly #maxSwitches: number;
  readonly #participants = new Map<string, ParticipantState>();
  /** Each participant's latest link profile. */
  readonly #profiles = new Map<string, ResolvedLinkProfile>();
  #startMs = 0;

  constructor(options: LayerLogOptions = {}) {
    this.#freezeWindowMs = options.freezeWindowMs ?? 3000;
    this.#maxSwitches = options.maxSwitches ?? 1000;
  }

  /** The run's clock started (unix ms): results count from here. */
  onStart(startMs: number): void {
    this.#startMs = startMs;
  }

  /** A participant's first link change is its initial setting, not a change. */
  onLinkChange(change: Pick<NetworkChange, 'atMs' | 'participant' | 'profile'>): void {
    const before = this.#profiles.get(change.participant);
    this.#profiles.set(change.participant, change.profile);
    if (!before) return;
    const kind = compareDownlink(before.down, change.profile.down);
    if (kind === 'same') return;
    this.#queue(change.participant, { kind, t: this.#startMs + change.atMs, waiting: new Map() });
  }

  onAction(event: ActionEvent): void {
    if (event.type === 'layersRequested') this.noteLayersRequested(event.participant, event.atMs, event.spatial);
  }

  /** A timeline 'layers' action started at `tMs` (unix ms) for this participant. */
  noteLayersRequested(participant: string, tMs: number, spatial: number): void {
    this.#queue(participant, { kind: 'request', t: tMs, spatial, waiting: new Map() });
  }

  /** Takes one sample's layer changes; returns the reaction times they complete, as points. */
  onSample({ sample }: SampleInput): Point[] {
    const p = this.#state(sample.participant);
    const points: Point[] = [];
    // Streams and their consumers, and what the page says about their layers now.
    for (const s of sample.streams) {
      const id = s.meta?.consumerId;
      if (!id) continue;
      const c = this.#consumer(p, id);
      c.stream = s.id;
      c.offered = s.meta?.offeredSpatialLayers;
      c.preferred = s.meta?.preferredSpatialLayer;
    }
    const changes = [...(sample.layerChanges ?? [])].sort((a, b) => a.t - b.t);
    for (const change of changes) {
      this.#activateUntil(p, change.t);
      this.#apply(p, sample, change, points);
    }
    this.#activateUntil(p, sample.t);
    this.#settleFreezes(p, sample);
    return points;
  }

  /** The participant's layer record for results.json at `endMs` (unix ms); undefined when it received no layered stream. */
  results(participant: string, endMs: number): ParticipantLayers | undefined {
    const p = this.#participants.get(participant);
    if (!p || p.consumers.size === 0) return undefined;
    const consumers = [...p.consumers].map(([consumer, c]): ConsumerLayerSummary => {
      const seconds = new Map(c.secondsOn);
      if (c.since !== undefined && c.layer !== null) seconds.set(c.layer, (seconds.get(c.layer) ?? 0) + Math.max(0, endMs - c.since) / 1000);
      return {
        consumer,
        stream: c.stream,
        secondsOnLayer: Object.fromEntries([...seconds].sort((a, b) => a[0] - b[0]).map(([l, s]) => [String(l), round(s)])),
        switches: c.switches,
        lastLayer: c.layer,
        topLayer: topSpatialLayer({ offeredSpatialLayers: c.offered, preferredSpatialLayer: c.preferred }) ?? null,
      };
    });
    return { ...structuredClone(p.result), consumers };
  }

  #state(participant: string): ParticipantState {
    let p = this.#participants.get(participant);
    if (!p) {
      p = {
        consumers: new Map(),
        queued: [],
        network: null,
        request: null,
        result: { consumers: [], switches: [], switchesOmitted: 0, downswitches: [], recoveries: [], requests: [] },
        freezeTotals: new Map(),
        pendingFreezes: [],
      };
      this.#participants.set(participant, p);
    }
    return p;
  }

  #consumer(p: ParticipantState, id: string): ConsumerState {
    let c = p.consumers.get(id);
    if (!c) {
      c = { stream: null, layer: null, since: undefined, secondsOn: new Map(), switches: 0, offered: undefined, preferred: undefined };
      p.consumers.set(id, c);
    }
    return c;
  }

  #queue(participant: string, trigger: Trigger): void {
    const p = this.#state(participant);
    p.queued.push(trigger);
    p.queued.sort((a, b) => a.t - b.t);
  }

  /** Puts into effect the triggers up to time `t`: each replaces the previous one of its sort. */
  #activateUntil(p: ParticipantState, t: number): void {
    while (p.queued.length > 0 && p.queued[0]!.t <= t) {
      const trigger = p.queued.shift()!;
      for (const [id, c] of p.consumers) {
        const record: LayerReactionRecord = { triggerAtMs: trigger.t - this.#startMs, consumer: id, stream: c.stream, seconds: null };
        const top = topSpatialLayer({ offeredSpatialLayers: c.offered, preferredSpatialLayer: c.preferred });
        if (trigger.kind === 'worse') {
          p.result.downswitches.push(record);
          trigger.waiting.set(id, { record });
        } else if (trigger.kind === 'better') {
          // Only a stream below its top layer has something to recover.
          if (top === undefined || (c.layer !== null && c.layer >= top)) continue;
          p.result.recoveries.push(record);
          trigger.waiting.set(id, { record });
        } else {
          const target = c.offered === undefined ? trigger.spatial! : Math.min(trigger.spatial!, c.offered - 1);
          const entry = { ...record, spatial: trigger.spatial! };
          p.result.requests.push(entry);
          if (c.layer === target) entry.seconds = 0;
          else trigger.waiting.set(id, { record: entry, target });
        }
      }
      if (trigger.kind === 'request') p.request = trigger;
      else p.network = trigger;
    }
  }

  #apply(p: ParticipantState, sample: Sample, change: LayerChange, points: Point[]): void {
    const c = this.#consumer(p, change.consumerId);
    if (change.stream) c.stream = change.stream;
    if (c.since !== undefined && c.layer !== null) {
      c.secondsOn.set(c.layer, (c.secondsOn.get(c.layer) ?? 0) + Math.max(0, change.t - c.since) / 1000);
    }
    const isSwitch = change.from !== null && change.to !== null && change.from !== change.to;
    if (isSwitch) c.switches++;
    c.layer = change.to;
    c.since = change.t;

    this.#record(p, change, c.stream);
    const tags: PointTags = { group: sample.group, participant: sample.participant };
    if (c.stream) Object.assign(tags, { stream: c.stream, kind: 'video', direction: 'in' });
    const react = (trigger: Trigger | null, done: (target: number | undefined) => boolean) => {
      const waiting = trigger?.waiting.get(change.consumerId);
      if (!trigger || !waiting || !done(waiting.target)) return;
      const seconds = round((change.t - trigger.t) / 1000);
      waiting.record.seconds = seconds;
      waiting.record.stream ??= c.stream;
      trigger.waiting.delete(change.consumerId);
      points.push({ metric: METRIC[trigger.kind], value: seconds, t: change.t, tags });
    };
    const down = change.from !== null && (change.to === null || change.to < change.from);
    if (p.network?.kind === 'worse') react(p.network, () => down);
    if (p.network?.kind === 'better') {
      const top = topSpatialLayer({ offeredSpatialLayers: c.offered, preferredSpatialLayer: c.preferred });
      react(p.network, () => change.to !== null && top !== undefined && change.to >= top);
    }
    react(p.request, (target) => change.to === target);
  }

  #record(p: ParticipantState, change: LayerChange, stream: string | null): void {
    if (p.result.switches.length >= this.#maxSwitches) {
      p.result.switchesOmitted++;
      return;
    }
    const record: LayerSwitchRecord = {
      atMs: change.t - this.#startMs,
      consumer: change.consumerId,
      stream,
      from: change.from,
      to: change.to,
      temporal: change.temporal,
      freezeSecondsAround: null,
      freezesAround: null,
    };
    p.result.switches.push(record);
    // Freezes from the sample before this one; the switch's own sample may already hold some.
    const start = stream ? p.freezeTotals.get(stream) : undefined;
    if (stream && start) p.pendingFreezes.push({ record, stream, dueT: change.t + this.#freezeWindowMs, start });
  }

  /** Completes the freeze windows that this sample closes, then remembers its freeze totals. */
  #settleFreezes(p: ParticipantState, sample: Sample): void {
    const totals = new Map<string, { seconds: number; count: number }>();
    for (const s of sample.streams) {
      const seconds = s.values.video_freeze_seconds_total;
      if (s.direction === 'in' && s.kind === 'video' && seconds !== undefined) {
        totals.set(s.id, { seconds, count: s.values.video_freeze_count_total ?? 0 });
      }
    }
    p.pendingFreezes = p.pendingFreezes.filter((f) => {
      const now = totals.get(f.stream);
      if (sample.t < f.dueT) return true;
      if (now) {
        f.record.freezeSecondsAround = round(Math.max(0, now.seconds - f.start.seconds));
        f.record.freezesAround = Math.max(0, now.count - f.start.count);
      }
      return false;
    });
    for (const [id, t] of totals) p.freezeTotals.set(id, t);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
