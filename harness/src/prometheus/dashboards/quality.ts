// The call-quality dashboards: the overview of a run per group, and one participant at a time.
import { OWN_METRICS } from '../names.ts';
import { GROUP_VAR, m, RUN_VAR, slowestPerParticipant } from './common.ts';
import { renegotiationOverviewRow, renegotiationParticipantRows } from './events.ts';
import type { DashboardSpec, QueryVariableSpec } from './grafana.ts';

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
        {
          title: 'Glass-to-glass latency (stamped video)',
          description:
            "Capture to the viewer's screen, read off every rendered frame of senders with publish.video.source 'stamped': mean over the group's streams, and the worst frame. Empty without a stamped sender.",
          unit: 'ms',
          min: 0,
          targets: [
            { expr: `avg by (group) (${m('video_e2e_latency_ms')}{${G}})`, legend: '{{group}} mean' },
            { expr: `max by (group) (${m('video_e2e_latency_max_ms')}{${G}})`, legend: '{{group}} worst frame' },
          ],
        },
        {
          title: 'Frames skipped and repeated (stamped video)',
          description: 'Frames the sender captured that viewers never showed, and frames shown twice, per second, summed over the group.',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `sum by (group) (rate(${m('video_skipped_frame_count_total')}{${G}}[$__rate_interval]))`, legend: '{{group}} skipped/s' },
            { expr: `sum by (group) (rate(${m('video_repeated_frame_count_total')}{${G}}[$__rate_interval]))`, legend: '{{group}} repeated/s' },
          ],
        },
        {
          title: 'Picture quality by sender (stamped video)',
          description: "PSNR of the stamped picture's reference strip as the group's viewers receive each sender's video: a lower simulcast layer or coarser quantisation shows as fewer dB.",
          unit: 'dB',
          targets: [{ expr: `avg by (group, from) (${m('video_stamp_psnr_db')}{${G}})`, legend: '{{group}} from {{from}}' }],
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
        {
          title: 'Mouth-to-ear delay (stamped audio)',
          description:
            "Sender's microphone track to the listener's audio graph, timed on the coded tone bursts of senders with publish.video.source 'stamped': mean over the group's streams, and the worst burst. Empty without a stamped sender that publishes audio.",
          unit: 'ms',
          min: 0,
          targets: [
            { expr: `avg by (group) (${m('audio_e2e_latency_ms')}{${G}})`, legend: '{{group}} mean' },
            { expr: `max by (group) (${m('audio_e2e_latency_max_ms')}{${G}})`, legend: '{{group}} worst burst' },
          ],
        },
      ],
    },
    renegotiationOverviewRow(G),
    {
      title: 'Network path',
      panels: [
        {
          title: 'Participants on a TURN relay',
          description: 'Participants whose every selected candidate pair goes through a TURN relay (a firewall, or a relay-only policy). 0 when all go direct.',
          unit: 'short',
          min: 0,
          steps: true,
          targets: [{ expr: `sum by (group) (${m('ice_relay')}{${G}})`, legend: '{{group}}' }],
        },
        {
          title: 'Participants over TCP or TLS',
          description: 'Participants whose every selected pair leaves the browser over TCP (ICE-TCP, TURN over TCP or TLS): expect more delay under loss, since TCP retransmits in order.',
          unit: 'short',
          min: 0,
          steps: true,
          targets: [{ expr: `sum by (group) (${m('ice_tcp')}{${G}})`, legend: '{{group}}' }],
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
            slowestPerParticipant('time_to_connected_ms', P, 'connected'),
            slowestPerParticipant('join_to_first_frame_ms', P, 'first frame'),
            slowestPerParticipant('rejoin_to_first_frame_ms', P, 'first frame after a rejoin'),
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
    ...renegotiationParticipantRows(P),
  ],
};
