// What the exporter holds between scrapes: the latest values of every participant, and the rule
// that turns them into a bounded set of Prometheus series (pure, no timers, no I/O).
//
// Latest values: a participant's sample is a full snapshot, so its gauges are replaced by each
// new sample (a stream that ended disappears). Counters and events are kept per stream until the
// participant goes: an event (time to first frame) is reported once, and a counter must not drop
// when one of the streams it sums ends.
//
// Cardinality: each group labels its first `maxParticipantsPerGroup` participants (in order of
// their first sample) individually; later ones are folded into participant="_other" of their
// group, reduced like streams that share labels (gauges mean, counters sum, events max), and
// counted in rtc_exporter_folded_participants. So a run exports at most
// groups x (maxParticipantsPerGroup + 1) participants' series, whatever its size.
//
// Senders (the `from` label of stamped video metrics) are bounded the same way: the first
// `maxParticipantsPerGroup` distinct senders seen are labelled, later ones are from="_other".
//
// Points outside a participant's sample (onSample(null, points): the run's own CPU figures, and
// any participant-tagged points sent on their own, such as a simulated link's ground truth) keep
// their last value per metric until replaced.
//
// Staleness: a participant whose last sample is `staleAfterMs` older than the newest sample of any
// participant (a crashed page) leaves the export. Measured against the newest sample, not the
// clock, so the end of a run (samples stop, teardown takes a while) never empties the export.
import { isMetricName, METRICS, type MetricName } from '../stats/catalogue.ts';
import type { Point } from '../stats/types.ts';
import { EXPORTED_METRICS, OWN_METRICS, promName, type Labels, type Reduction } from './names.ts';

export const OTHER_PARTICIPANT = '_other';

export interface SeriesStateOptions {
  /** Participants labelled individually in each group; the rest become participant="_other". Default 20. */
  maxParticipantsPerGroup?: number;
  /** Drop a participant whose last sample is this far behind the newest one, ms. Default 10000. */
  staleAfterMs?: number;
}

export const DEFAULT_MAX_PARTICIPANTS_PER_GROUP = 20;
export const DEFAULT_STALE_AFTER_MS = 10_000;

export interface SeriesValue {
  labels: Labels;
  value: number;
}

/** Prometheus metric name -> its series; only names that have series. */
export type SeriesView = Map<string, SeriesValue[]>;

interface StreamTags {
  kind?: string;
  direction?: string;
  rid?: string;
  from?: string;
}

interface Entry extends StreamTags {
  metric: MetricName;
  value: number;
}

interface ParticipantState {
  group: string;
  /** Exported as itself, or folded into OTHER_PARTICIPANT. */
  labelled: boolean;
  lastT: number;
  /** Gauges of the latest sample. */
  gauges: Entry[];
  /** Counters and events, by metric and stream id. */
  kept: Map<string, Entry>;
  /** Distinct streams of the latest sample by 'kind/direction'. */
  streams: Map<string, number>;
  /** Points sent outside its samples, by metric and stream id: last value. */
  extra: Map<string, Entry>;
}

const REDUCE: Record<Reduction, (values: number[]) => number> = {
  mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  sum: (v) => v.reduce((a, b) => a + b, 0),
  max: (v) => Math.max(...v),
};
const REDUCE_OF = new Map(EXPORTED_METRICS.map((d) => [d.metric, d.reduce]));
const BY_SENDER = new Set(EXPORTED_METRICS.filter((d) => d.labelNames.includes('from')).map((d) => d.metric));

export class SeriesState {
  readonly #maxPerGroup: number;
  readonly #staleAfterMs: number;
  readonly #base: Labels;
  readonly #participants = new Map<string, ParticipantState>();
  readonly #labelledPerGroup = new Map<string, number>();
  readonly #run = new Map<MetricName, number>();
  /** Senders labelled as themselves (the rest are OTHER_PARTICIPANT), in order of first sight. */
  readonly #senders = new Set<string>();
  #newestT = 0;
  /** Bumped on every change, so a view can be reused until the next one. */
  #version = 0;

  constructor(run: { run: string; scenario: string }, options: SeriesStateOptions = {}) {
    this.#maxPerGroup = options.maxParticipantsPerGroup ?? DEFAULT_MAX_PARTICIPANTS_PER_GROUP;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    if (!Number.isInteger(this.#maxPerGroup) || this.#maxPerGroup < 0) {
      throw new RangeError(`maxParticipantsPerGroup must be an integer >= 0, got ${this.#maxPerGroup}`);
    }
    this.#base = { run: run.run, scenario: run.scenario };
  }

  get version(): number {
    return this.#version;
  }

  /**
   * One participant's sample as points (all from one sample), or the run's own points when
   * `participant` is null.
   */
  ingest(participant: { id: string; group: string; t: number } | null, points: readonly Point[]): void {
    this.#version += 1;
    if (participant === null) {
      for (const p of points) {
        if (!isMetricName(p.metric)) continue;
        if (METRICS[p.metric].scope === 'run') this.#run.set(p.metric, p.value);
        else this.#participant(p.tags.participant, p.tags.group, p.t).extra.set(`${p.metric}\u0000${p.tags.stream ?? ''}`, entryOf(p));
      }
      return;
    }
    const state = this.#participant(participant.id, participant.group, participant.t);
    state.lastT = participant.t;
    this.#newestT = Math.max(this.#newestT, participant.t);
    state.gauges = [];
    const streamIds = new Map<string, Set<string>>();
    for (const p of points) {
      if (!isMetricName(p.metric)) continue;
      const entry = entryOf(p);
      if (p.tags.stream !== undefined && p.tags.kind && p.tags.direction) {
        const key = `${p.tags.kind}/${p.tags.direction}`;
        streamIds.set(key, (streamIds.get(key) ?? new Set()).add(p.tags.stream));
      }
      if (METRICS[p.metric].kind === 'gauge') state.gauges.push(entry);
      else state.kept.set(`${p.metric}\u0000${p.tags.stream ?? ''}`, entry);
    }
    state.streams = new Map([...streamIds].map(([key, ids]) => [key, ids.size]));
  }

  #participant(id: string, group: string, t: number): ParticipantState {
    let state = this.#participants.get(id);
    if (!state) {
      const labelledSoFar = this.#labelledPerGroup.get(group) ?? 0;
      const labelled = labelledSoFar < this.#maxPerGroup;
      if (labelled) this.#labelledPerGroup.set(group, labelledSoFar + 1);
      state = { group, labelled, lastT: t, gauges: [], kept: new Map(), streams: new Map(), extra: new Map() };
      this.#participants.set(id, state);
    }
    return state;
  }

  /** The `from` label of a sender: itself while within the bound, else OTHER_PARTICIPANT. */
  #sender(id: string): string {
    if (this.#senders.has(id)) return id;
    if (this.#senders.size >= this.#maxPerGroup) return OTHER_PARTICIPANT;
    this.#senders.add(id);
    return id;
  }

  /** The series to export now: bounded, reduced, stale participants left out. */
  view(): SeriesView {
    const acc = new Map<string, { name: string; reduce: Reduction; labels: Labels; values: number[] }>();
    const add = (name: string, reduce: Reduction, labels: Labels, value: number) => {
      const key = `${name}\u0000${labelKey(labels)}`;
      const slot = acc.get(key);
      if (slot) slot.values.push(value);
      else acc.set(key, { name, reduce, labels, values: [value] });
    };

    for (const [metric, value] of this.#run) add(promName(metric), 'mean', this.#base, value);
    const folded = new Map<string, number>();
    for (const [id, state] of this.#participants) {
      if (this.#newestT - state.lastT > this.#staleAfterMs) continue;
      if (!state.labelled) folded.set(state.group, (folded.get(state.group) ?? 0) + 1);
      const who: Labels = { ...this.#base, group: state.group, participant: state.labelled ? id : OTHER_PARTICIPANT };
      for (const e of [...state.gauges, ...state.kept.values(), ...state.extra.values()]) {
        add(promName(e.metric), REDUCE_OF.get(e.metric) ?? 'mean', { ...who, ...streamLabels(e, (from) => this.#sender(from)) }, e.value);
      }
      for (const [key, count] of state.streams) {
        const [kind, direction] = key.split('/');
        add(OWN_METRICS.streams, 'sum', { ...who, kind, direction }, count);
      }
    }
    for (const [group, count] of folded) add(OWN_METRICS.foldedParticipants, 'sum', { ...this.#base, group }, count);

    const view: SeriesView = new Map();
    for (const slot of acc.values()) {
      const list = view.get(slot.name) ?? [];
      list.push({ labels: slot.labels, value: REDUCE[slot.reduce](slot.values) });
      view.set(slot.name, list);
    }
    return view;
  }
}

function entryOf(p: Point): Entry {
  const entry: Entry = { metric: p.metric, value: p.value };
  if (p.tags.kind !== undefined) entry.kind = p.tags.kind;
  if (p.tags.direction !== undefined) entry.direction = p.tags.direction;
  if (p.tags.rid !== undefined) entry.rid = p.tags.rid;
  if (p.tags.from !== undefined && BY_SENDER.has(p.metric)) entry.from = p.tags.from;
  return entry;
}

function streamLabels(e: StreamTags, sender: (id: string) => string): Labels {
  const labels: Labels = {};
  if (e.kind !== undefined) labels.kind = e.kind;
  if (e.direction !== undefined) labels.direction = e.direction;
  if (e.rid !== undefined) labels.rid = e.rid;
  if (e.from !== undefined) labels.from = sender(e.from);
  return labels;
}

function labelKey(labels: Labels): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('\u0001');
}
