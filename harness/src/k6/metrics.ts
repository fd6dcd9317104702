// Which metrics of the catalogue an exported k6 script records. The page side runs the harness's
// own deriveSample(), so every metric derived from one page's stats is there under its name and
// tags; what the harness computes around the pages is not, and each such metric says why.
import { METRICS, METRIC_NAMES, type MetricName } from '../stats/catalogue.ts';

const ANALYSIS = "timed by the harness's analysis of the whole run (a participant's action against what the others saw), which has no k6 counterpart";
const LINK = "measured on the harness's simulated access links, which a k6 run does not have";

/** The metrics a k6 script cannot record, with the reason shown in the script's header. */
export const NOT_IN_K6: Readonly<Partial<Record<MetricName, string>>> = {
  layer_downswitch_seconds: ANALYSIS,
  layer_recovery_seconds: ANALYSIS,
  layer_request_seconds: ANALYSIS,
  renegotiation_seconds: ANALYSIS,
  remote_join_leave_seconds: ANALYSIS,
  ice_restart_seconds: ANALYSIS,
  outage_detection_seconds: ANALYSIS,
  outage_recovery_seconds: ANALYSIS,
  action_failure_count_total: ANALYSIS,
  link_up_bitrate_kbps: LINK,
  link_down_bitrate_kbps: LINK,
  link_up_loss_percent: LINK,
  link_down_loss_percent: LINK,
  link_up_queue_delay_ms: LINK,
  link_down_queue_delay_ms: LINK,
  link_up_dropped_packets_total: LINK,
  link_down_dropped_packets_total: LINK,
  turn_allocation_refused_count_total: "read from the log of the run's bundled TURN server (coturn)",
  harness_cpu_percent: 'the load generator watching itself; k6 reports its own health',
  harness_browser_cpu_percent: 'the load generator watching itself; k6 reports its own health',
  host_cpu_percent: 'the load generator watching itself; k6 reports its own health',
};

/** Why `metric` is not in a k6 script; undefined when the page side records it. */
export function notInK6(metric: MetricName): string | undefined {
  return NOT_IN_K6[metric];
}

/** The metrics the page side records, in catalogue order. */
export const K6_METRICS: readonly MetricName[] = METRIC_NAMES.filter((m) => notInK6(m) === undefined);

/** k6 shows a time metric as a duration ('1.2s'); its values and thresholds stay in ms. */
export function isTimeMetric(metric: MetricName): boolean {
  return METRICS[metric].unit === 'ms';
}
