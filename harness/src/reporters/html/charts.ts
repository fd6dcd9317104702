// Which figures the HTML report draws, as data. Adding a chart is adding an entry: the builder
// reads any catalogue metric from samples (a participant value, or its streams reduced), and the
// page draws whatever it is given.
import type { MetricName } from '../../stats/catalogue.ts';
import type { Direction, MediaKind } from '../../stats/types.ts';

/** How a participant's streams become one value per sample (participant-scope metrics are taken as is). */
export type StreamReduce = 'sum' | 'mean' | 'max';

export interface SampleChartDef {
  id: string;
  title: string;
  yLabel: string;
  metric: MetricName;
  reduce: StreamReduce;
  /** Only streams of this kind / direction. Default: any (the metric's name already says which). */
  kind?: MediaKind;
  direction?: Direction;
  /** Draw steps rather than lines (discrete values such as layer indices). Default false. */
  stepped?: boolean;
}

/** Per participant (one line each) and per group (the mean of its participants). */
export const SAMPLE_CHARTS: readonly SampleChartDef[] = [
  { id: 'recv_kbps', title: 'Video received', yLabel: 'kbps (all streams)', metric: 'video_recv_bitrate_kbps', reduce: 'sum' },
  { id: 'send_kbps', title: 'Video sent', yLabel: 'kbps (all layers)', metric: 'video_send_bitrate_kbps', reduce: 'sum' },
  { id: 'recv_fps', title: 'Frame rate received', yLabel: 'fps (mean of streams)', metric: 'video_recv_fps', reduce: 'mean' },
  { id: 'rtt', title: 'Round-trip time', yLabel: 'ms', metric: 'rtt_ms', reduce: 'max' },
  // Stamped video only (publish.video.source 'stamped'); no line for other streams.
  { id: 'e2e_latency', title: 'Glass-to-glass latency (stamped video)', yLabel: 'ms (worst stream)', metric: 'video_e2e_latency_ms', reduce: 'max' },
  { id: 'loss', title: 'Packet loss received', yLabel: '% (worst stream)', metric: 'recv_loss_percent', reduce: 'max' },
  // Which simulcast/SVC layer the SFU forwards (from the call page; absent for other pages), and
  // the resolution that arrives.
  { id: 'recv_layer', title: 'Spatial layer received', yLabel: 'layer (0 lowest, -1 none)', metric: 'video_recv_spatial_layer', reduce: 'mean', stepped: true },
  { id: 'recv_height', title: 'Video height received (layer)', yLabel: 'px (mean of streams)', metric: 'video_recv_height_px', reduce: 'mean' },
  { id: 'send_height', title: 'Video height sent (highest layer)', yLabel: 'px', metric: 'video_send_height_px', reduce: 'max' },
];

/** Points about the run (no sample), kept from onSample(null, points): [chart, metrics]. */
export const RUN_CHART = {
  id: 'run_cpu',
  title: 'Load generator CPU',
  yLabel: '% of all cores',
  metrics: ['host_cpu_percent', 'harness_browser_cpu_percent', 'harness_cpu_percent'] as const satisfies readonly MetricName[],
};

/** Ground truth from the simulated links (participant-scope points with no sample). */
export const LINK_CHARTS = [
  { id: 'link_kbps', title: 'Link throughput (measured on the link)', yLabel: 'kbps', down: 'link_down_bitrate_kbps', up: 'link_up_bitrate_kbps' },
  { id: 'link_loss', title: 'Link drops (measured on the link)', yLabel: '% of packets', down: 'link_down_loss_percent', up: 'link_up_loss_percent' },
  { id: 'link_queue', title: 'Link queueing delay (measured on the link)', yLabel: 'ms', down: 'link_down_queue_delay_ms', up: 'link_up_queue_delay_ms' },
] as const satisfies readonly { id: string; title: string; yLabel: string; down: MetricName; up: MetricName }[];

/** The link settings drawn as steps: [chart, field of a direction's settings, what 0 means]. */
export const SETTING_CHARTS = [
  { id: 'set_rate', title: 'Link rate setting', yLabel: 'kbps (no line: unlimited)', field: 'rateKbps', zeroIsNone: true },
  { id: 'set_delay', title: 'Link delay setting', yLabel: 'ms one way', field: 'delayMs', zeroIsNone: false },
  { id: 'set_loss', title: 'Link loss setting', yLabel: '%', field: 'lossPct', zeroIsNone: false },
] as const;

export const LINK_METRICS: readonly MetricName[] = LINK_CHARTS.flatMap((c) => [c.down, c.up]);
