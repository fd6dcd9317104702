// The dashboards for features beyond a plain call: simulcast layers per publisher, and the
// simulated network's ground truth beside what the browsers measured.
import { m, RUN_VAR, slowestPerParticipant } from './common.ts';
import type { DashboardSpec } from './grafana.ts';

/** Publishers: participants that send simulcast layers (a rid). */
const LAYERS = 'run="$run", participant=~"$participant", rid!=""';
/** The chosen publishers, for their participant-wide figures (no rid label). */
const PUBLISHERS = 'run="$run", participant=~"$participant"';
/** Viewers: participants that receive a simulcast/SVC stream (the SFU picks its layer). */
const VIEWERS = 'run="$run", participant=~"$viewer"';

/** Seconds on each spatial layer at the end of the range: one bar per viewer and layer. */
const secondsOnLayer = (layer: 0 | 1 | 2) => ({
  expr: `max by (participant) (${m(`video_recv_layer${layer}_seconds_total`)}{${VIEWERS}})`,
  legend: `{{participant}} layer ${layer}`,
  instant: true,
});

export const simulcast: DashboardSpec = {
  uid: 'rtc-simulcast',
  title: 'rtc-harness / Simulcast layers',
  description: 'What each simulcast publisher sends per layer (rid), and what the receivers get.',
  variables: [
    RUN_VAR,
    { name: 'participant', label: 'Publisher', query: `label_values(${m('video_send_bitrate_kbps')}{run="$run", rid!=""}, participant)`, multi: true, includeAll: true },
    { name: 'viewer', label: 'Viewer', query: `label_values(${m('video_recv_spatial_layer')}{run="$run"}, participant)`, multi: true, includeAll: true },
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
        {
          title: 'Layers sending',
          description: 'Outbound video streams (simulcast layers, screen share) that sent frames in the interval: a layer the encoder dropped (bandwidth, CPU) leaves the count.',
          unit: 'short',
          min: 0,
          steps: true,
          w: 24,
          targets: [{ expr: `${m('video_send_active_layer_count')}{${PUBLISHERS}}`, legend: '{{participant}}' }],
        },
      ],
    },
    {
      title: 'Layers received, per viewer',
      panels: [
        {
          title: 'Spatial layer forwarded',
          description: '0 is the lowest resolution; -1: none, after it had one (no video at all). Several streams of a viewer show their mean.',
          unit: 'short',
          min: -1,
          steps: true,
          targets: [{ expr: `${m('video_recv_spatial_layer')}{${VIEWERS}}`, legend: '{{participant}}' }],
        },
        {
          title: 'Temporal layer forwarded',
          description: '0 is the lowest frame rate; -1: none.',
          unit: 'short',
          min: -1,
          steps: true,
          targets: [{ expr: `${m('video_recv_temporal_layer')}{${VIEWERS}}`, legend: '{{participant}}' }],
        },
        {
          title: 'Layer switches',
          description: 'Spatial switches the SFU made so far, and how many of them went down (to a lower layer, or to none).',
          unit: 'short',
          min: 0,
          targets: [
            { expr: `${m('video_recv_layer_switch_count_total')}{${VIEWERS}}`, legend: '{{participant}} all' },
            { expr: `${m('video_recv_layer_downswitch_count_total')}{${VIEWERS}}`, legend: '{{participant}} down' },
          ],
        },
        {
          title: 'Time on each spatial layer',
          description: 'Seconds each viewer spent on layers 0 (lowest) to 2 over its streams; results.json has every layer.',
          type: 'bargauge',
          unit: 's',
          targets: [secondsOnLayer(0), secondsOnLayer(1), secondsOnLayer(2)],
        },
        {
          title: 'Time to reach a requested layer (slowest in range)',
          description: "From a timeline 'layers' action to the stream being on the layer asked for (an event: its latest value stays exported, so the range's maximum is the slowest).",
          type: 'bargauge',
          unit: 's',
          targets: [slowestPerParticipant('layer_request_seconds', VIEWERS)],
        },
        {
          title: 'Time to switch after a network change (slowest in range)',
          description:
            "From a change of the viewer's simulated downlink to the SFU's answer: lowered (rate or loss), to the first down-switch; raised, to being back on the top layer. Empty unless the run changes a viewer's network mid-call.",
          type: 'bargauge',
          unit: 's',
          targets: [
            slowestPerParticipant('layer_downswitch_seconds', VIEWERS, 'down-switch'),
            slowestPerParticipant('layer_recovery_seconds', VIEWERS, 'recovery'),
          ],
        },
        {
          title: 'Longest freeze',
          description: 'Longest video freeze so far (the worst inbound stream), to set beside the switches.',
          unit: 'ms',
          min: 0,
          w: 24,
          targets: [{ expr: `max by (participant) (${m('video_freeze_max_ms')}{${VIEWERS}})`, legend: '{{participant}}' }],
        },
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
