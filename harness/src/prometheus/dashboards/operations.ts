// The dashboards about the system rather than one call: the SFU's health (its own rtc_sfu_*
// metrics, see sfu/src/metrics.ts) and the comparison of runs over time.
import { OWN_METRICS } from '../names.ts';
import type { DashboardSpec } from './grafana.ts';
import { m } from './common.ts';

const S = 'instance=~"$instance"';

export const sfu: DashboardSpec = {
  uid: 'rtc-sfu',
  title: 'rtc-harness / SFU health',
  description: "The bundled SFU's own metrics: mediasoup workers, rooms, transports, producers, consumers and their scores, signaling.",
  variables: [{ name: 'instance', label: 'SFU', query: 'label_values(rtc_sfu_workers_alive, instance)', multi: true, includeAll: true }],
  rows: [
    {
      title: 'Workers',
      panels: [
        { type: 'stat', title: 'Workers alive', targets: [{ expr: `sum(rtc_sfu_workers_alive{${S}})` }] },
        { type: 'stat', title: 'Worker deaths', targets: [{ expr: `sum(rtc_sfu_worker_deaths_total{${S}})` }] },
        { type: 'stat', title: 'Peers', targets: [{ expr: `sum(rtc_sfu_peers{${S}})` }] },
        { type: 'stat', title: 'Rooms', targets: [{ expr: `sum(rtc_sfu_rooms{${S}})` }] },
        { type: 'stat', title: 'Signaling sockets', targets: [{ expr: `sum(rtc_sfu_ws_connections{${S}})` }] },
        { type: 'stat', title: 'Consumers', targets: [{ expr: `sum(rtc_sfu_consumers{${S}})` }] },
        {
          title: 'Worker CPU',
          description: 'Each mediasoup worker is one thread: 100% is a full core, where it starts dropping work.',
          unit: 'percent',
          min: 0,
          targets: [{ expr: `100 * rate(rtc_sfu_worker_cpu_seconds_total{${S}}[$__rate_interval])`, legend: '{{instance}} worker {{worker}}' }],
        },
        {
          title: 'Worker memory (peak resident)',
          unit: 'bytes',
          min: 0,
          targets: [{ expr: `rtc_sfu_worker_max_rss_bytes{${S}}`, legend: '{{instance}} worker {{worker}}' }],
        },
      ],
    },
    {
      title: 'Media',
      panels: [
        {
          title: 'Transports',
          unit: 'short',
          min: 0,
          targets: [{ expr: `sum by (direction) (rtc_sfu_transports{${S}})`, legend: '{{direction}}' }],
        },
        {
          title: 'Producers and consumers',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `sum by (kind) (rtc_sfu_producers{${S}})`, legend: '{{kind}} producers' },
            { expr: `sum by (kind) (rtc_sfu_consumers{${S}})`, legend: '{{kind}} consumers' },
          ],
        },
        {
          title: 'Consumer scores (0-10)',
          description: "mediasoup's score of each consumer's stream: 10 is perfect; it drops with loss and retransmissions.",
          unit: 'short',
          min: 0,
          max: 10,
          targets: [
            { expr: `avg by (kind) (rtc_sfu_consumer_score_mean{${S}})`, legend: '{{kind}} mean' },
            { expr: `min by (kind) (rtc_sfu_consumer_score_min{${S}})`, legend: '{{kind}} lowest' },
          ],
        },
        {
          title: 'Throughput',
          unit: 'bps',
          min: 0,
          targets: [{ expr: `sum by (direction) (rtc_sfu_transport_bitrate_bps{${S}})`, legend: '{{direction}}' }],
        },
      ],
    },
    {
      title: 'Signaling',
      panels: [
        {
          title: 'Requests by method and outcome',
          unit: 'reqps',
          min: 0,
          w: 24,
          targets: [{ expr: `sum by (method, outcome) (rate(rtc_sfu_signaling_requests_total{${S}}[$__rate_interval]))`, legend: '{{method}} {{outcome}}' }],
        },
      ],
    },
  ],
};

/** Runs chosen in the comparison, narrowed by group. */
const R = 'run=~"$run", group=~"$group"';

export const comparison: DashboardSpec = {
  uid: 'rtc-comparison',
  title: 'rtc-harness / Run-to-run comparison',
  description:
    'Key figures of several runs side by side, each over the whole time range: pick runs of the same scenario (weeks apart is fine, as long as one Prometheus holds them and the range covers them).',
  from: 'now-7d',
  variables: [
    { name: 'run', label: 'Runs', query: `label_values(${OWN_METRICS.runInfo}, run)`, multi: true, sort: 2 },
    { name: 'group', label: 'Group', query: `label_values(${OWN_METRICS.runParticipants}{run=~"$run"}, group)`, multi: true, includeAll: true },
  ],
  rows: [
    {
      title: 'Video',
      panels: [
        {
          type: 'bargauge',
          title: 'Median received frame rate',
          unit: 'fps',
          min: 0,
          targets: [{ expr: `quantile by (run) (0.5, quantile_over_time(0.5, ${m('video_recv_fps')}{${R}}[$__range]))`, legend: '{{run}}', instant: true }],
        },
        {
          type: 'bargauge',
          title: 'Received frame rate of the worst 10% of participants',
          unit: 'fps',
          min: 0,
          targets: [{ expr: `quantile by (run) (0.1, avg_over_time(${m('video_recv_fps')}{${R}}[$__range]))`, legend: '{{run}}', instant: true }],
        },
        {
          type: 'bargauge',
          title: 'Video frozen, all streams',
          unit: 's',
          min: 0,
          targets: [{ expr: `sum by (run) (max_over_time(${m('video_freeze_seconds_total')}{${R}}[$__range]))`, legend: '{{run}}', instant: true }],
        },
        {
          type: 'bargauge',
          title: 'Slowest first frame',
          unit: 'ms',
          min: 0,
          targets: [{ expr: `max by (run) (max_over_time(${m('join_to_first_frame_ms')}{${R}}[$__range]))`, legend: '{{run}}', instant: true }],
        },
      ],
    },
    {
      title: 'Network and load',
      panels: [
        {
          type: 'bargauge',
          title: 'Mean received bitrate per participant',
          unit: 'Kbits',
          min: 0,
          targets: [{ expr: `avg by (run) (avg_over_time(${m('recv_bitrate_kbps')}{${R}}[$__range]))`, legend: '{{run}}', instant: true }],
        },
        {
          type: 'bargauge',
          title: 'Round-trip time, p95 of participants’ p95',
          unit: 'ms',
          min: 0,
          targets: [{ expr: `quantile by (run) (0.95, quantile_over_time(0.95, ${m('rtt_ms')}{${R}}[$__range]))`, legend: '{{run}}', instant: true }],
        },
        {
          type: 'bargauge',
          title: 'Worst packet loss received',
          unit: 'percent',
          min: 0,
          targets: [{ expr: `max by (run) (max_over_time(${m('recv_loss_percent')}{${R}}[$__range]))`, legend: '{{run}}', instant: true }],
        },
        {
          type: 'bargauge',
          title: 'Load generator CPU, highest',
          unit: 'percent',
          min: 0,
          max: 100,
          targets: [{ expr: `max by (run) (max_over_time(${m('host_cpu_percent')}{run=~"$run"}[$__range]))`, legend: '{{run}}', instant: true }],
        },
      ],
    },
    {
      title: 'Over time',
      panels: [
        {
          title: 'Received frame rate by run',
          description: 'Runs appear at their own times; zoom to one to see its course.',
          unit: 'fps',
          min: 0,
          w: 24,
          targets: [{ expr: `avg by (run) (${m('video_recv_fps')}{${R}})`, legend: '{{run}}' }],
        },
      ],
    },
  ],
};
