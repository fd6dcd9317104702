// Prometheus names of the harness's metrics, derived from the one catalogue: `rtc_` + the
// catalogue name (video_recv_fps -> rtc_video_recv_fps), so thresholds, reports and dashboards
// speak one vocabulary. Units stay the catalogue's (ms, kbps) rather than Prometheus' base units
// (seconds, bytes) for the same reason.
//
// Types: catalogue `counter`s (all named `_total`) are Prometheus counters; `gauge`s and `event`s
// are gauges, since an event (time to first frame) is a value, not something that accumulates.
//
// Labels, by the catalogue scope of the metric (never the raw stream id, which is unbounded):
// | scope       | labels                                                    |
// |-------------|-----------------------------------------------------------|
// | run         | run, scenario                                             |
// | participant | run, scenario, group, participant                         |
// | stream      | run, scenario, group, participant, kind, direction, rid   |
// | (stamped)   | the same and from                                         |
// `rid` is absent for streams without one (not simulcast). The stamped video metrics (catalogue
// `bySender`) add `from`: the sender's participant id, so that a viewer's series of two senders
// stay apart. Past `maxParticipantsPerGroup` distinct senders, later ones are from="_other".
//
// Several streams of one participant can share a label set (two remote videos: kind=video,
// direction=in); their values are reduced into one series, by kind: gauges -> mean over the
// streams, counters -> sum (stays monotonic), events -> max (the slowest). The same reduction folds
// participants past the cardinality limit into participant="_other" (see series.ts).
import { METRICS, METRIC_NAMES, type MetricDef, type MetricName, type MetricScope } from '../stats/catalogue.ts';

export const PROM_PREFIX = 'rtc_';

export type PromType = 'gauge' | 'counter';
export type Reduction = 'mean' | 'sum' | 'max';

export const RUN_LABELS = ['run', 'scenario'] as const;
export const PARTICIPANT_LABELS = [...RUN_LABELS, 'group', 'participant'] as const;
export const STREAM_LABELS = [...PARTICIPANT_LABELS, 'kind', 'direction', 'rid'] as const;
export const SENDER_LABELS = [...STREAM_LABELS, 'from'] as const;
export type LabelName = (typeof SENDER_LABELS)[number];
export type Labels = Partial<Record<LabelName, string>>;

export interface PromMetricDef {
  /** e.g. 'rtc_video_recv_fps' */
  name: string;
  metric: MetricName;
  type: PromType;
  reduce: Reduction;
  labelNames: readonly LabelName[];
  help: string;
}

export function promName(metric: MetricName): string {
  return `${PROM_PREFIX}${metric}`;
}

const LABELS_BY_SCOPE: Record<MetricScope, readonly LabelName[]> = {
  run: RUN_LABELS,
  participant: PARTICIPANT_LABELS,
  stream: STREAM_LABELS,
};

/** Whether the metric's series are labelled with their sender (`from`). */
export function bySender(def: MetricDef): boolean {
  return def.scope === 'stream' && def.bySender === true;
}

/** One Prometheus metric per catalogue entry, in catalogue order. */
export const EXPORTED_METRICS: readonly PromMetricDef[] = METRIC_NAMES.map((metric) => {
  const def = METRICS[metric];
  const type: PromType = def.kind === 'counter' ? 'counter' : 'gauge';
  const reduce: Reduction = def.kind === 'counter' ? 'sum' : def.kind === 'event' ? 'max' : 'mean';
  const shared = def.scope === 'stream' ? ` Streams that share labels are reduced to their ${reduce}.` : '';
  return {
    name: promName(metric),
    metric,
    type,
    reduce,
    labelNames: bySender(def) ? SENDER_LABELS : LABELS_BY_SCOPE[def.scope],
    help: `${def.help} (${def.unit}).${shared}`,
  };
});

/** The exporter's own metrics, about the run and the export rather than the media. */
export const OWN_METRICS = {
  /** 1 per run, labels run, scenario, seed: lists the runs a Prometheus holds. */
  runInfo: 'rtc_run_info',
  /** Planned participants per group. */
  runParticipants: 'rtc_run_participants',
  /** RTP streams per participant in its latest sample, by kind and direction. */
  streams: 'rtc_streams',
  /** Participants past the per-group limit, exported as participant="_other". */
  foldedParticipants: 'rtc_exporter_folded_participants',
  /** Series the harness exported at the last collection (its own cardinality). */
  series: 'rtc_exporter_series',
} as const;

/**
 * Catalogue names must not start with these, so that `rtc_` + name never collides with the
 * exporter's own names or the SFU's (rtc_sfu_*).
 */
export const RESERVED_PREFIXES = ['run_', 'streams', 'exporter_', 'sfu_'] as const;
