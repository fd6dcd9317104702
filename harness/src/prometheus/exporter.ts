// The harness's metrics in a prom-client Registry of its own (never the global one: two runs in
// one process, e.g. in tests, must not mix). Samples only update the SeriesState, which is cheap;
// the Prometheus series are computed when someone scrapes (or pushes), once per scrape.
import { Counter, Gauge, Registry } from 'prom-client';
import type { Point, Sample } from '../stats/types.ts';
import { EXPORTED_METRICS, OWN_METRICS, PARTICIPANT_LABELS, RUN_LABELS, type Labels, type LabelName } from './names.ts';
import { SeriesState, type SeriesStateOptions, type SeriesView } from './series.ts';

export interface PrometheusExporterOptions extends SeriesStateOptions {
  /** The `run` label of every series (the CLI uses the output folder's name). */
  run: string;
  /** The `scenario` label of every series. */
  scenario: string;
  /** The run's seed, as a label of rtc_run_info. Default: none. */
  seed?: number;
  /** Planned participants per group, exported as rtc_run_participants. Default: none. */
  groups?: readonly { name: string; count: number }[];
}

type Filler = (metric: { set(labels: Labels | Record<string, string>, value: number): void }) => void;

export class PrometheusExporter {
  readonly registry = new Registry();
  readonly #state: SeriesState;
  #view: { version: number; view: SeriesView } | null = null;

  constructor(options: PrometheusExporterOptions) {
    this.#state = new SeriesState({ run: options.run, scenario: options.scenario }, options);
    const registers = [this.registry];
    const base = { run: options.run, scenario: options.scenario };
    // Every metric has labels, so that reset() leaves no series (prom-client would export a 0 for
    // an unlabelled metric with no value).
    const fromView = (name: string): Filler => (m) => {
      for (const s of this.#currentView().get(name) ?? []) m.set(s.labels, s.value);
    };

    for (const def of EXPORTED_METRICS) {
      const fill = fromView(def.name);
      if (def.type === 'counter') {
        new Counter({
          name: def.name,
          help: def.help,
          labelNames: [...def.labelNames],
          registers,
          collect() {
            this.reset();
            fill({ set: (labels, value) => this.inc(labels, value) });
          },
        });
      } else {
        gauge(def.name, def.help, def.labelNames, fill);
      }
    }

    gauge(OWN_METRICS.runInfo, 'Always 1: the run and its seed', [...RUN_LABELS, 'seed'], (m) =>
      m.set(options.seed !== undefined ? { ...base, seed: String(options.seed) } : base, 1),
    );
    gauge(OWN_METRICS.runParticipants, 'Participants the scenario plans, per group', [...RUN_LABELS, 'group'], (m) => {
      for (const g of options.groups ?? []) m.set({ ...base, group: g.name }, g.count);
    });
    gauge(OWN_METRICS.streams, "RTP streams in the participant's latest sample, by kind and direction", [...PARTICIPANT_LABELS, 'kind', 'direction'], fromView(OWN_METRICS.streams));
    gauge(
      OWN_METRICS.foldedParticipants,
      'Participants past the per-group label limit, exported as participant="_other"',
      [...RUN_LABELS, 'group'],
      fromView(OWN_METRICS.foldedParticipants),
    );
    gauge(OWN_METRICS.series, 'Series the harness exports (its own cardinality)', RUN_LABELS, (m) => {
      let count = 1; // this one
      for (const list of this.#currentView().values()) count += list.length;
      count += 1 + (options.groups?.length ?? 0); // run info, planned participants
      m.set(base, count);
    });

    function gauge(name: string, help: string, labelNames: readonly (LabelName | 'seed')[], fill: Filler): void {
      new Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers,
        collect() {
          this.reset();
          fill({ set: (labels, value) => this.set(labels, value) });
        },
      });
    }
  }

  /** Records a sample (or, with null, the run's own points). Cheap: called for every sample. */
  ingest(sample: Sample | null, points: readonly Point[]): void {
    this.#state.ingest(sample && { id: sample.participant, group: sample.group, t: sample.t }, points);
  }

  /** The exposition text, collected now. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #currentView(): SeriesView {
    if (this.#view?.version !== this.#state.version) this.#view = { version: this.#state.version, view: this.#state.view() };
    return this.#view.view;
  }
}
