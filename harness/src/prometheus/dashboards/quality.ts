// The dashboards about call quality: the overview, one participant at a time, simulcast layers,
// and the simulated network's ground truth beside what the browsers measured. Every metric name
// comes from the catalogue through m(), so a renamed metric is a compile error here, and the
// end-to-end test runs every query against a real run's Prometheus.
import type { MetricName } from '../../stats/catalogue.ts';
import { OWN_METRICS, promName } from '../names.ts';
import type { DashboardSpec, QueryVariableSpec } from './grafana.ts';

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
const participantVar = (metric: string): QueryVariableSpec => ({
  name: 'participant',
  label: 'Participant',
  query: `label_values(${metric}{run="$run", group=~"$group"}, participant)`,
  multi: true,
  includeAll: true,
});

/** The selector of one run's participants, narrowed by the dashboard's variables. */
const G = 'run="$run", group=~"$group"';
const P = 'run="$run", group=~"$group", participant=~"$participant"';

export const overview: DashboardSpec = {
  uid: 'rtc-overview',
  title: 'rtc-harness / Call quality overview',
  description: 'One run at a time: who is connected, how video, network and audio fare per group, and whether the load generator kept up.',
  variables: [RUN_VAR, GROUP_VAR],
  rows: [
    {
      title: 'Participants',
      panels: [
        { type: 'stat', title: 'Connected', targets: [{ expr: `sum(${m('connected')}{${G}})` }] },
        { type: 'stat', title: 'Planned', targets: [{ expr: `sum(${OWN_METRICS.runParticipants}{${G}})` }] },
        { type: 'stat', title: 'Streams received', targets: [{ expr: `sum(${OWN_METRICS.streams}{${G}, direction="in"})` }] },
        { type: 'stat', title: 'Slowest connection', unit: 'ms', targets: [{ expr: `max(${m('time_to_connected_ms')}{${G}})` }] },
        { type: 'stat', title: 'Slowest first frame', unit: 'ms', targets: [{ expr: `max(${m('join_to_first_frame_ms')}{${G}})` }] },
        { type: 'stat', title: 'Video frozen, all streams', unit: 's', targets: [{ expr: `sum(${m('video_freeze_seconds_total')}{${G}})` }] },
      ],
    },
    {
      title: 'Video received',
      panels: [
        {
          title: 'Frame rate',
          description: 'Mean over the group, and the worst participant (each participant: the mean of its inbound video streams).',
          unit: 'fps',
          min: 0,
          targets: [
            { expr: `avg by (group) (${m('video_recv_fps')}{${G}})`, legend: '{{group}} mean' },
            { expr: `min by (group) (${m('video_recv_fps')}{${G}})`, legend: '{{group}} worst' },
          ],
        },
        {
          title: 'Resolution (height)',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `avg by (group) (${m('video_recv_height_px')}{${G}})`, legend: '{{group}} mean' },
            { expr: `min by (group) (${m('video_recv_height_px')}{${G}})`, legend: '{{group}} lowest' },
          ],
        },
        {
          title: 'Time frozen',
          description: 'Share of time inbound video spent frozen (freeze seconds per second), summed over the group.',
          unit: 'percentunit',
          min: 0,
          targets: [{ expr: `sum by (group) (rate(${m('video_freeze_seconds_total')}{${G}}[$__rate_interval]))`, legend: '{{group}}' }],
        },
        {
          title: 'Key frame requests sent',
          unit: 'short',
          min: 0,
          targets: [{ expr: `sum by (group) (${m('video_recv_plis_per_second')}{${G}})`, legend: '{{group}} PLI/s' }],
        },
      ],
    },
    {
      title: 'Network, as the browsers measured it',
      panels: [
        {
          title: 'Bitrate per participant',
          unit: 'Kbits',
          min: 0,
          targets: [
            { expr: `avg by (group) (${m('recv_bitrate_kbps')}{${G}})`, legend: '{{group}} received' },
            { expr: `avg by (group) (${m('send_bitrate_kbps')}{${G}})`, legend: '{{group}} sent' },
          ],
        },
        {
          title: 'Round-trip time',
          unit: 'ms',
          min: 0,
          targets: [
            { expr: `avg by (group) (${m('rtt_ms')}{${G}})`, legend: '{{group}} mean' },
            { expr: `max by (group) (${m('rtt_ms')}{${G}})`, legend: '{{group}} worst' },
          ],
        },
        {
          title: 'Packet loss received',
          unit: 'percent',
          min: 0,
          targets: [{ expr: `max by (group, kind) (${m('recv_loss_percent')}{${G}})`, legend: '{{group}} {{kind}} worst' }],
        },
        {
          title: 'Jitter',
          unit: 'ms',
          min: 0,
          targets: [{ expr: `avg by (group, kind) (${m('recv_jitter_ms')}{${G}})`, legend: '{{group}} {{kind}}' }],
        },
      ],
    },
    {
      title: 'Audio',
      panels: [
        {
          title: 'Concealment',
          description: 'Samples synthesised for lost or late packets, over samples received.',
          unit: 'percent',
          min: 0,
          targets: [{ expr: `max by (group) (${m('audio_concealment_percent')}{${G}})`, legend: '{{group}} worst' }],
        },
        {
          title: 'Jitter buffer delay',
          unit: 'ms',
          min: 0,
          targets: [{ expr: `avg by (group, kind) (${m('recv_jitter_buffer_delay_ms')}{${G}})`, legend: '{{group}} {{kind}}' }],
        },
      ],
    },
    {
      title: 'Load generator',
      panels: [
        {
          title: 'CPU',
          description: 'Results are unreliable while the machine running the browsers is saturated.',
          unit: 'percent',
          min: 0,
          max: 100,
          w: 24,
          targets: [
            { expr: `${m('host_cpu_percent')}{run="$run"}`, legend: 'machine' },
            { expr: `${m('harness_browser_cpu_percent')}{run="$run"}`, legend: 'browsers' },
            { expr: `${m('harness_cpu_percent')}{run="$run"}`, legend: 'harness' },
          ],
        },
      ],
    },
  ],
};

export const participant: DashboardSpec = {
  uid: 'rtc-participant',
  title: 'rtc-harness / Participant drill-down',
  description: 'Every figure of the chosen participants: connection, sending, receiving, audio.',
  variables: [RUN_VAR, GROUP_VAR, participantVar(m('connected'))],
  rows: [
    {
      title: 'Connection',
      panels: [
        {
          title: 'Connected and peer connections',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('connected')}{${P}}`, legend: '{{participant}} connected' },
            { expr: `${m('peer_connections')}{${P}}`, legend: '{{participant}} peer connections' },
          ],
        },
        {
          title: 'Time to connect and to first frame',
          type: 'bargauge',
          unit: 'ms',
          targets: [
            { expr: `max by (participant) (max_over_time(${m('time_to_connected_ms')}{${P}}[$__range]))`, legend: '{{participant}} connected', instant: true },
            { expr: `max by (participant) (max_over_time(${m('join_to_first_frame_ms')}{${P}}[$__range]))`, legend: '{{participant}} first frame', instant: true },
          ],
        },
        {
          title: 'Bitrate',
          unit: 'Kbits',
          min: 0,
          targets: [
            { expr: `${m('send_bitrate_kbps')}{${P}}`, legend: '{{participant}} sent' },
            { expr: `${m('recv_bitrate_kbps')}{${P}}`, legend: '{{participant}} received' },
            { expr: `${m('available_outgoing_bitrate_kbps')}{${P}}`, legend: '{{participant}} send estimate' },
          ],
        },
        {
          title: 'Round-trip time',
          unit: 'ms',
          min: 0,
          targets: [
            { expr: `${m('rtt_ms')}{${P}}`, legend: '{{participant}} ICE pair' },
            { expr: `${m('rtcp_rtt_ms')}{${P}}`, legend: '{{participant}} RTCP {{kind}} {{rid}}' },
          ],
        },
      ],
    },
    {
      title: 'Sending video',
      panels: [
        {
          title: 'Frame rate sent',
          unit: 'fps',
          min: 0,
          targets: [{ expr: `${m('video_send_fps')}{${P}}`, legend: '{{participant}} {{rid}}' }],
        },
        {
          title: 'Resolution sent',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('video_send_width_px')}{${P}}`, legend: '{{participant}} {{rid}} width' },
            { expr: `${m('video_send_height_px')}{${P}}`, legend: '{{participant}} {{rid}} height' },
          ],
        },
        {
          title: 'Bitrate sent and encoder target',
          unit: 'Kbits',
          min: 0,
          targets: [
            { expr: `${m('video_send_bitrate_kbps')}{${P}}`, legend: '{{participant}} {{rid}} sent' },
            { expr: `${m('video_send_target_bitrate_kbps')}{${P}}`, legend: '{{participant}} {{rid}} target' },
            { expr: `${m('video_send_retransmit_bitrate_kbps')}{${P}}`, legend: '{{participant}} {{rid}} retransmitted' },
          ],
        },
        {
          title: 'Encoder limited by',
          unit: 'percent',
          min: 0,
          max: 100,
          targets: [
            { expr: `${m('video_send_quality_limited_bandwidth_percent')}{${P}}`, legend: '{{participant}} {{rid}} bandwidth' },
            { expr: `${m('video_send_quality_limited_cpu_percent')}{${P}}`, legend: '{{participant}} {{rid}} cpu' },
            { expr: `${m('video_send_quality_limited_other_percent')}{${P}}`, legend: '{{participant}} {{rid}} other' },
          ],
        },
        {
          title: 'Feedback from receivers',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('video_send_nacks_per_second')}{${P}}`, legend: '{{participant}} {{rid}} NACK/s' },
            { expr: `${m('video_send_plis_per_second')}{${P}}`, legend: '{{participant}} {{rid}} PLI/s' },
            { expr: `${m('video_send_firs_per_second')}{${P}}`, legend: '{{participant}} {{rid}} FIR/s' },
          ],
        },
        {
          title: 'Loss reported by receivers',
          unit: 'percent',
          min: 0,
          targets: [{ expr: `${m('send_loss_percent')}{${P}}`, legend: '{{participant}} {{kind}} {{rid}}' }],
        },
      ],
    },
    {
      title: 'Receiving video',
      panels: [
        {
          title: 'Frame rate received',
          unit: 'fps',
          min: 0,
          targets: [
            { expr: `${m('video_recv_fps')}{${P}}`, legend: '{{participant}} decoded' },
            { expr: `${m('video_recv_frames_dropped_per_second')}{${P}}`, legend: '{{participant}} dropped' },
          ],
        },
        {
          title: 'Resolution received',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('video_recv_width_px')}{${P}}`, legend: '{{participant}} width' },
            { expr: `${m('video_recv_height_px')}{${P}}`, legend: '{{participant}} height' },
          ],
        },
        {
          title: 'Video bitrate received',
          unit: 'Kbits',
          min: 0,
          targets: [{ expr: `${m('video_recv_bitrate_kbps')}{${P}}`, legend: '{{participant}}' }],
        },
        {
          title: 'Freezes',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('video_freeze_count_total')}{${P}}`, legend: '{{participant}} freezes' },
            { expr: `${m('video_freeze_seconds_total')}{${P}}`, legend: '{{participant}} seconds frozen' },
          ],
        },
        {
          title: 'Repair requests sent',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('video_recv_nacks_per_second')}{${P}}`, legend: '{{participant}} NACK/s' },
            { expr: `${m('video_recv_plis_per_second')}{${P}}`, legend: '{{participant}} PLI/s' },
            { expr: `${m('video_recv_firs_per_second')}{${P}}`, legend: '{{participant}} FIR/s' },
          ],
        },
        {
          title: 'Streams',
          unit: 'short',
          min: 0,
          targets: [{ expr: `${OWN_METRICS.streams}{${P}}`, legend: '{{participant}} {{kind}} {{direction}}' }],
        },
      ],
    },
    {
      title: 'Receiving, per kind',
      panels: [
        {
          title: 'Packet loss and jitter',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('recv_loss_percent')}{${P}}`, legend: '{{participant}} {{kind}} loss %' },
            { expr: `${m('recv_jitter_ms')}{${P}}`, legend: '{{participant}} {{kind}} jitter ms' },
          ],
        },
        {
          title: 'Jitter buffer delay',
          unit: 'ms',
          min: 0,
          targets: [{ expr: `${m('recv_jitter_buffer_delay_ms')}{${P}}`, legend: '{{participant}} {{kind}}' }],
        },
        {
          title: 'Audio bitrate',
          unit: 'Kbits',
          min: 0,
          targets: [
            { expr: `${m('audio_send_bitrate_kbps')}{${P}}`, legend: '{{participant}} sent' },
            { expr: `${m('audio_recv_bitrate_kbps')}{${P}}`, legend: '{{participant}} received' },
          ],
        },
        {
          title: 'Audio concealment',
          unit: 'percent',
          min: 0,
          targets: [{ expr: `${m('audio_concealment_percent')}{${P}}`, legend: '{{participant}}' }],
        },
      ],
    },
  ],
};

/** Publishers: participants that send simulcast layers (a rid). */
const LAYERS = 'run="$run", participant=~"$participant", rid!=""';

export const simulcast: DashboardSpec = {
  uid: 'rtc-simulcast',
  title: 'rtc-harness / Simulcast layers',
  description: 'What each simulcast publisher sends per layer (rid), and what the receivers get.',
  variables: [
    RUN_VAR,
    { name: 'participant', label: 'Publisher', query: `label_values(${m('video_send_bitrate_kbps')}{run="$run", rid!=""}, participant)`, multi: true, includeAll: true },
  ],
  rows: [
    {
      title: 'Layers sent',
      panels: [
        { title: 'Bitrate per layer', unit: 'Kbits', min: 0, targets: [{ expr: `${m('video_send_bitrate_kbps')}{${LAYERS}}`, legend: '{{participant}} {{rid}}' }] },
        { title: 'Encoder target per layer', unit: 'Kbits', min: 0, targets: [{ expr: `${m('video_send_target_bitrate_kbps')}{${LAYERS}}`, legend: '{{participant}} {{rid}}' }] },
        { title: 'Frame rate per layer', unit: 'fps', min: 0, targets: [{ expr: `${m('video_send_fps')}{${LAYERS}}`, legend: '{{participant}} {{rid}}' }] },
        { title: 'Height per layer', unit: 'short', min: 0, targets: [{ expr: `${m('video_send_height_px')}{${LAYERS}}`, legend: '{{participant}} {{rid}}' }] },
        {
          title: 'Layer limited by bandwidth or CPU',
          unit: 'percent',
          min: 0,
          max: 100,
          targets: [
            { expr: `${m('video_send_quality_limited_bandwidth_percent')}{${LAYERS}}`, legend: '{{participant}} {{rid}} bandwidth' },
            { expr: `${m('video_send_quality_limited_cpu_percent')}{${LAYERS}}`, legend: '{{participant}} {{rid}} cpu' },
          ],
        },
        { title: 'Loss reported per layer', unit: 'percent', min: 0, targets: [{ expr: `${m('send_loss_percent')}{${LAYERS}}`, legend: '{{participant}} {{rid}}' }] },
      ],
    },
    {
      title: 'What receivers get (the layer the SFU forwards)',
      panels: [
        { title: 'Height received', unit: 'short', min: 0, targets: [{ expr: `${m('video_recv_height_px')}{run="$run"}`, legend: '{{participant}}' }] },
        { title: 'Frame rate received', unit: 'fps', min: 0, targets: [{ expr: `${m('video_recv_fps')}{run="$run"}`, legend: '{{participant}}' }] },
        { title: 'Video bitrate received', unit: 'Kbits', min: 0, w: 24, targets: [{ expr: `${m('video_recv_bitrate_kbps')}{run="$run"}`, legend: '{{participant}}' }] },
      ],
    },
  ],
};

const L = 'run="$run", participant=~"$participant"';

export const network: DashboardSpec = {
  uid: 'rtc-network',
  title: 'rtc-harness / Network ground truth',
  description: "What each participant's simulated link did (forwarded, dropped, queued) beside what its browser measured.",
  variables: [
    RUN_VAR,
    { name: 'participant', label: 'Participant', query: `label_values(${m('link_down_bitrate_kbps')}{run="$run"}, participant)`, multi: true, includeAll: true },
  ],
  rows: [
    {
      title: 'Link (ground truth) beside browser (measured)',
      panels: [
        {
          title: 'Downlink bitrate: forwarded by the link, received by the browser',
          unit: 'Kbits',
          min: 0,
          targets: [
            { expr: `${m('link_down_bitrate_kbps')}{${L}}`, legend: '{{participant}} link' },
            { expr: `${m('recv_bitrate_kbps')}{${L}}`, legend: '{{participant}} browser' },
          ],
        },
        {
          title: 'Uplink bitrate: sent by the browser, forwarded by the link',
          unit: 'Kbits',
          min: 0,
          targets: [
            { expr: `${m('link_up_bitrate_kbps')}{${L}}`, legend: '{{participant}} link' },
            { expr: `${m('send_bitrate_kbps')}{${L}}`, legend: '{{participant}} browser' },
          ],
        },
        {
          title: 'Downlink loss: dropped by the link, measured by the browser',
          unit: 'percent',
          min: 0,
          targets: [
            { expr: `${m('link_down_loss_percent')}{${L}}`, legend: '{{participant}} link' },
            { expr: `max by (participant) (${m('recv_loss_percent')}{${L}})`, legend: '{{participant}} browser (worst stream)' },
          ],
        },
        {
          title: 'Uplink loss: dropped by the link, reported by the SFU',
          unit: 'percent',
          min: 0,
          targets: [
            { expr: `${m('link_up_loss_percent')}{${L}}`, legend: '{{participant}} link' },
            { expr: `max by (participant) (${m('send_loss_percent')}{${L}})`, legend: '{{participant}} receiver reports (worst stream)' },
          ],
        },
        {
          title: 'Queueing delay beside round-trip time',
          unit: 'ms',
          min: 0,
          targets: [
            { expr: `${m('link_up_queue_delay_ms')}{${L}}`, legend: '{{participant}} uplink queue' },
            { expr: `${m('link_down_queue_delay_ms')}{${L}}`, legend: '{{participant}} downlink queue' },
            { expr: `${m('rtt_ms')}{${L}}`, legend: '{{participant}} RTT' },
          ],
        },
        {
          title: 'Packets dropped by the link',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `rate(${m('link_up_dropped_packets_total')}{${L}}[$__rate_interval])`, legend: '{{participant}} up/s' },
            { expr: `rate(${m('link_down_dropped_packets_total')}{${L}}[$__rate_interval])`, legend: '{{participant}} down/s' },
          ],
        },
      ],
    },
    {
      title: 'What it did to the call',
      panels: [
        { title: 'Frame rate received', unit: 'fps', min: 0, targets: [{ expr: `${m('video_recv_fps')}{${L}}`, legend: '{{participant}}' }] },
        { title: 'Frame rate sent', unit: 'fps', min: 0, targets: [{ expr: `${m('video_send_fps')}{${L}}`, legend: '{{participant}} {{rid}}' }] },
      ],
    },
  ],
};
