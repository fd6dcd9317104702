// What every dashboard shares: catalogue names as Prometheus names, and the run and group
// variables. Every metric name comes from the catalogue through m(), so a renamed metric is a
// compile error in the dashboards, and the end-to-end test runs every query against a real run.
import type { MetricName } from '../../stats/catalogue.ts';
import { OWN_METRICS, promName } from '../names.ts';
import type { QueryVariableSpec, TargetSpec } from './grafana.ts';

/** The Prometheus name of a catalogue metric. */
export const m = (metric: MetricName): string => promName(metric);

export const RUN_VAR: QueryVariableSpec = { name: 'run', label: 'Run', query: `label_values(${OWN_METRICS.runInfo}, run)`, sort: 2 };
export const GROUP_VAR: QueryVariableSpec = {
  name: 'group',
  label: 'Group',
  query: `label_values(${OWN_METRICS.runParticipants}{run=~"$run"}, group)`,
  multi: true,
  includeAll: true,
};

/**
 * The largest value of a metric per participant over the dashboard's range, as a bar: for event
 * metrics (one value per occurrence, the latest kept exported), the slowest occurrence in the range.
 * `what` follows the participant in the legend.
 */
export const slowestPerParticipant = (metric: MetricName, selector: string, what?: string): TargetSpec => ({
  expr: `max by (participant) (max_over_time(${m(metric)}{${selector}}[$__range]))`,
  legend: what ? `{{participant}} ${what}` : '{{participant}}',
  instant: true,
});
