// The one metric catalogue: every figure the harness measures is declared here once, with its
// unit, kind, scope and help text. Aggregation, thresholds, reporters, Prometheus and the
// dashboards all take names from this table; a name that is not here does not exist.
//
// Naming: snake_case, the unit last (_kbps, _fps, _px, _ms, _seconds, _percent, _per_second),
// `_total` for running totals. Media metrics carry their kind and direction in the name
// (video_recv_fps); network metrics that mean the same for audio and video do not, and carry the
// kind as a tag instead (recv_loss_percent{kind:audio}).

export type MetricUnit =
  | 'kbps'
  | 'fps'
  | 'px'
  | 'ms'
  | 'seconds'
  | 'percent'
  | 'count'
  | 'per_second'
  | 'ratio'
  /** Decibels (PSNR). */
  | 'db'
  /** A simulcast/SVC layer index: 0 is the lowest resolution (spatial) or frame rate (temporal). */
  | 'layer'
  | 'bool';

/**
 * - `gauge`: a value sampled every interval (fps, bitrate, RTT); aggregates describe its spread.
 * - `counter`: a running total per stream or participant (freeze seconds so far); `max` and `last`
 *   are what matter.
 * - `event`: one value per occurrence (time to first frame, time to connect).
 */
export type MetricKind = 'gauge' | 'counter' | 'event';

/** Which way is better, for baselines and for colouring reports. */
export type MetricBetter = 'higher' | 'lower' | 'none';

/**
 * Where a metric is measured, which decides the tags of its points. Every metric has exactly one
 * scope, so a filter never mixes a per-stream figure with a participant total of the same name.
 * - `stream`: one value per RTP stream (tags: group, participant, stream, kind, direction, rid;
 *   `from`, the sender's participant id, on inbound stamped video).
 * - `participant`: one value per participant (tags: group, participant).
 * - `run`: one value for the whole harness (the load generator's own health).
 */
export type MetricScope = 'stream' | 'participant' | 'run';

export interface MetricDef {
  unit: MetricUnit;
  kind: MetricKind;
  better: MetricBetter;
  scope: MetricScope;
  help: string;
  /**
   * Stamped video only: Prometheus labels its series with the sender (`from`, its participant id),
   * as every point of an inbound stamped stream is tagged in results and thresholds. Default false.
   */
  bySender?: boolean;
}

export const METRICS = {
  // Sending side, per outbound stream (one per simulcast layer).
  video_send_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Video bitrate sent, per outbound stream (simulcast layer)' },
  audio_send_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', scope: 'stream', help: 'Audio bitrate sent' },
  video_send_fps: { unit: 'fps', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Video frames encoded and sent per second, per outbound stream' },
  video_send_height_px: { unit: 'px', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Height of the video frames sent, per outbound stream' },
  video_send_width_px: { unit: 'px', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Width of the video frames sent, per outbound stream' },
  video_send_target_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', scope: 'stream', help: "The encoder's target bitrate, per outbound stream" },
  video_send_retransmit_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Bitrate of retransmissions (answers to NACKs), per outbound stream' },
  video_send_nacks_per_second: { unit: 'per_second', kind: 'gauge', better: 'lower', scope: 'stream', help: 'NACKs received from the remote receiver per second, per outbound stream' },
  video_send_plis_per_second: { unit: 'per_second', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Picture loss indications (key frame requests) received per second, per outbound stream' },
  video_send_firs_per_second: { unit: 'per_second', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Full intra requests received per second, per outbound stream' },
  video_send_quality_limited_bandwidth_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Share of the interval the encoder reduced quality for lack of bandwidth (qualityLimitationDurations.bandwidth)' },
  video_send_quality_limited_cpu_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Share of the interval the encoder reduced quality for lack of CPU (qualityLimitationDurations.cpu)' },
  video_send_quality_limited_other_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Share of the interval the encoder reduced quality for another reason (qualityLimitationDurations.other)' },
  rtcp_rtt_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Round-trip time from RTCP receiver reports about an outbound stream (remote-inbound-rtp)' },
  send_loss_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', help: "Packet loss of an outbound stream as the remote receiver reports it (fractionLost of its last report)" },

  // Receiving side, per inbound stream.
  video_recv_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Video bitrate received, per inbound stream' },
  audio_recv_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', scope: 'stream', help: 'Audio bitrate received, per inbound stream' },
  video_recv_fps: { unit: 'fps', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Video frames decoded per second, per inbound stream' },
  video_recv_height_px: { unit: 'px', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Height of the video frames decoded, per inbound stream' },
  video_recv_width_px: { unit: 'px', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Width of the video frames decoded, per inbound stream' },
  video_recv_frames_dropped_per_second: { unit: 'per_second', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Video frames dropped before decoding per second, per inbound stream' },
  video_recv_nacks_per_second: { unit: 'per_second', kind: 'gauge', better: 'lower', scope: 'stream', help: 'NACKs sent per second (retransmission requests), per inbound video stream' },
  video_recv_plis_per_second: { unit: 'per_second', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Picture loss indications sent per second, per inbound video stream' },
  video_recv_firs_per_second: { unit: 'per_second', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Full intra requests sent per second, per inbound video stream' },
  video_freeze_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'stream', help: "Video freezes so far, per inbound stream (libwebrtc: an inter-frame gap >= max(3x the average frame duration, average + 150 ms))" },
  video_freeze_seconds_total: { unit: 'seconds', kind: 'counter', better: 'lower', scope: 'stream', help: 'Total duration of video freezes so far, per inbound stream' },
  video_freeze_max_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', help: "Longest video freeze so far, per inbound stream, 0 before the first (a freeze counts when it ends; several ending within one stats interval count as their average). A gap with no packets at all is a pause to libwebrtc, not a freeze: see video_recv_spatial_layer -1 and media_interrupted" },
  // Simulcast/SVC layers, per inbound video stream, from the call page's control surface
  // (window.rtcHarness: the SFU's consumer layer changes); absent for a page without one.
  video_recv_spatial_layer: { unit: 'layer', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Spatial layer the SFU forwards to the stream (0 = lowest resolution; -1 = none, after it had one: no video at all), per simulcast/SVC inbound video stream' },
  video_recv_temporal_layer: { unit: 'layer', kind: 'gauge', better: 'higher', scope: 'stream', help: 'Temporal layer the SFU forwards to the stream (0 = lowest frame rate; -1 = none), per simulcast/SVC inbound video stream' },
  video_recv_layer_switch_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'stream', help: 'Spatial layer switches the SFU made so far (up or down, between two layers), per simulcast/SVC inbound video stream' },
  video_recv_layer_downswitch_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'stream', help: 'Spatial down-switches the SFU made so far (to a lower layer, or to none), per simulcast/SVC inbound video stream' },
  video_recv_layer0_seconds_total: { unit: 'seconds', kind: 'counter', better: 'none', scope: 'stream', help: 'Time spent on spatial layer 0 (the lowest) so far, per simulcast/SVC inbound video stream' },
  video_recv_layer1_seconds_total: { unit: 'seconds', kind: 'counter', better: 'none', scope: 'stream', help: 'Time spent on spatial layer 1 so far, per simulcast/SVC inbound video stream' },
  video_recv_layer2_seconds_total: { unit: 'seconds', kind: 'counter', better: 'none', scope: 'stream', help: 'Time spent on spatial layer 2 so far (the top of three), per simulcast/SVC inbound video stream; results.json has every layer' },
  layer_downswitch_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'stream', help: "Time from a network change that lowered the participant's downlink (rate or loss) to the stream's first spatial down-switch after it" },
  layer_recovery_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'stream', help: "Time from a network change that raised the participant's downlink to the stream being back on its top spatial layer (when it was below it)" },
  layer_request_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'stream', help: "Time from a timeline 'layers' action to the stream being on the spatial layer asked for (or the highest offered below it)" },
  recv_loss_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Packets lost in the interval over packets expected (received + lost), per inbound stream; absent when none were expected' },
  recv_jitter_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', help: 'RTP interarrival jitter, per inbound stream' },
  recv_jitter_buffer_delay_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Average time a frame (video) or sample (audio) emitted in the interval spent in the jitter buffer' },
  audio_concealment_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', help: 'Audio samples concealed (synthesised for lost or late packets) over samples received in the interval' },
  // Stamped video (publish.video.source 'stamped'), read off every frame the viewer renders
  // (browser/stamp-reader.ts); absent for streams from other sources and count-mode viewers.
  // Per viewer: its participant tag; per sender: the `from` tag (the sender's participant id), and
  // results.json's participants[].asSender (what every viewer saw of that sender).
  video_e2e_latency_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: "Glass-to-glass latency: mean over the interval's rendered frames of the time each is expected on the viewer's screen (requestVideoFrameCallback) minus its capture time stamped in the frame by the sender, per inbound stamped video stream" },
  video_e2e_latency_max_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: "Longest glass-to-glass latency of a frame rendered in the interval, per inbound stamped video stream" },
  video_e2e_latency_capture_time_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: "The same latency from the browser's own capture time of each frame (requestVideoFrameCallback captureTime: abs-capture-time or RTCP sender reports), for comparison; absent when the browser gives none" },
  video_skipped_frame_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'stream', bySender: true, help: 'Frames the sender captured that the viewer never rendered so far (gaps in the stamped frame numbers: encoder drops, temporal layers not forwarded, frames lost), per inbound stamped video stream' },
  video_repeated_frame_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'stream', bySender: true, help: 'Frames rendered again with the frame number of the one before so far, per inbound stamped video stream' },
  video_rendered_freeze_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'stream', bySender: true, help: "Freezes of the picture actually shown so far: gaps between rendered stamped frames of at least max(3x, +150 ms) the recent mean frame interval, whether or not packets stopped, per inbound stamped video stream" },
  video_rendered_freeze_seconds_total: { unit: 'seconds', kind: 'counter', better: 'lower', scope: 'stream', bySender: true, help: 'Total length of those freezes so far, per inbound stamped video stream' },
  video_rendered_freeze_max_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: 'Longest of those freezes so far (0 before the first), per inbound stamped video stream' },
  video_stamp_psnr_db: { unit: 'db', kind: 'gauge', better: 'higher', scope: 'stream', bySender: true, help: "Picture quality: mean PSNR (luma, peak 255, capped at 60) of a strip of known grey blocks under the code against the strip the sender drew, measured on one frame read in three in the interval; its blocks, down to 1/256 of the width, are finer than a lower simulcast layer carries, so a layer switch shows as a change of several dB, per inbound stamped video stream" },
  audio_e2e_latency_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: "Mouth-to-ear audio delay: mean over the interval's coded tone bursts of the time the receiver's audio graph got each burst's onset minus the whole second the sender's stamped microphone started it on, per inbound stamped audio stream" },
  audio_e2e_latency_max_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: 'Longest mouth-to-ear delay of a coded tone burst heard in the interval, per inbound stamped audio stream' },
  audio_stamp_unreadable_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: 'Tone burst onsets heard on a stamped audio stream in the interval whose tones could not be read (concealment, a clipped or distorted burst), over onsets heard' },
  video_stamp_unreadable_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'stream', bySender: true, help: "Rendered frames of a stamped stream whose code could not be read in the interval (damaged beyond its check), over frames rendered" },
  rejoin_to_first_frame_ms: { unit: 'ms', kind: 'event', better: 'lower', scope: 'stream', help: "Time to the first decoded frame of a remote video stream after the participant left and joined again: from its latest 'join' mark, for streams offered while it was reconnecting (later ones count in join_to_first_frame_ms, from their arrival)" },
  join_to_first_frame_ms: { unit: 'ms', kind: 'event', better: 'lower', scope: 'stream', help: "Time to the first decoded frame of a remote video stream: from joining (the 'join' mark, else the first peer connection) for streams offered while connecting, else from the stream's arrival (its track event)" },

  // Per participant: its connections as a whole.
  send_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', scope: 'participant', help: 'Total media bitrate sent by the participant (all outbound streams, audio and video)' },
  recv_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', scope: 'participant', help: 'Total media bitrate received by the participant (all inbound streams, audio and video)' },
  rtt_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'participant', help: "Round-trip time of the selected ICE candidate pair (the worst of the participant's connections)" },
  available_outgoing_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'higher', scope: 'participant', help: "The sender's bandwidth estimate, summed over the connections that send media" },
  connected: { unit: 'bool', kind: 'gauge', better: 'higher', scope: 'participant', help: "1 when a peer connection of the participant is 'connected' and none is 'failed' or 'disconnected', else 0" },
  video_send_active_layer_count: { unit: 'count', kind: 'gauge', better: 'none', scope: 'participant', help: 'Outbound video streams (simulcast layers, screen share) that sent frames in the interval' },
  peer_connections: { unit: 'count', kind: 'gauge', better: 'none', scope: 'participant', help: 'Open peer connections of the participant' },
  media_interrupted: { unit: 'bool', kind: 'gauge', better: 'lower', scope: 'participant', help: 'While receiving: 1 when no inbound RTP packet (any stream) has arrived for 500 ms or more, else 0' },
  media_interruption_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'participant', help: "Length of each gap of 500 ms or more in all of the participant's inbound media, one value when media resumes: from the last packet before it to the first after it (estimated from audio packet counts, ±~40 ms; see stats/interruption.ts)" },
  time_to_connected_ms: { unit: 'ms', kind: 'event', better: 'lower', scope: 'participant', help: "Time from joining (the 'join' mark, else the first peer connection) to the first connection reaching 'connected'" },
  ice_relay: { unit: 'bool', kind: 'gauge', better: 'none', scope: 'participant', help: "1 when every selected ICE candidate pair of the participant goes through a TURN relay, 0 when one goes direct; absent before a pair is selected" },
  ice_tcp: { unit: 'bool', kind: 'gauge', better: 'none', scope: 'participant', help: '1 when every selected pair leaves the browser over TCP (ICE-TCP, TURN over TCP or over TLS), else 0' },
  ice_tls: { unit: 'bool', kind: 'gauge', better: 'none', scope: 'participant', help: '1 when every selected pair goes through a TURN relay reached over TLS, else 0' },
  turn_allocation_failure_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'participant', help: "TURN candidate errors so far (the page's icecandidateerror for a turn:/turns: URL: credentials refused, 401; quota, 486; server unreachable, 701); present when the participant has TURN servers" },
  turn_allocation_refused_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'participant', help: "Requests the run's bundled TURN server refused for the participant's credentials so far (coturn's log: 401 expired or wrong credentials, 486 quota); Chromium does not always tell the page, so this is the ground truth" },

  // Per participant: renegotiation, ICE restarts and churn, timed with the pages' own events
  // (analysis/effects.ts, analysis/recovery.ts). The observer is the participant who saw the effect.
  renegotiation_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'participant', help: "Time from another participant's timeline action that changes what it sends (publish, unpublish, screenShare, switchCamera, changeCodec, mute, unmute) to this participant seeing it: the new track's first decoded frame, the track removed, paused, resumed or decoded at its new size (the page's event times, exact); for the participant's own iceRestart, to its connections running on the new ICE credentials with media flowing" },
  remote_join_leave_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'participant', help: "Time from another participant's join, rejoin or leave (timeline or churn) to this participant seeing it: its first decoded frame (its arrival when it sends nothing), or its departure" },
  ice_restart_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'participant', help: "One value per ICE restart of one of the participant's connections (asked by a timeline action, by the page itself or by the remote side): from new ICE credentials in its local description to a candidate pair selected on them" },
  outage_detection_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'participant', help: "Time from the start of an outage of the participant's link (a network action with outageMs) to its page seeing a connection 'disconnected' or 'failed'" },
  outage_recovery_seconds: { unit: 'seconds', kind: 'event', better: 'lower', scope: 'participant', help: "Time from the start of an outage of the participant's link to its inbound media flowing again (the end of its media interruption)" },
  action_failure_count_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'participant', help: 'Timeline actions of the participant that failed so far (refused or thrown by the page), plus their effects that another participant did not see within the wait (10 s)' },
  pc_transceiver_count: { unit: 'count', kind: 'gauge', better: 'none', scope: 'participant', help: "Transceivers (getTransceivers()) of the participant's open peer connection with the most: growth over a call means tracks added without reuse" },
  sdp_mline_count: { unit: 'count', kind: 'gauge', better: 'none', scope: 'participant', help: "m-lines (media sections) in the remote description of the participant's open peer connection with the most" },

  // Per participant: the simulated access link (ground truth: what the network did, as opposed to
  // what the browser measured). Present only for participants with a simulated network.
  link_up_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', scope: 'participant', help: 'Bitrate the link forwarded from the participant towards the SFU' },
  link_down_bitrate_kbps: { unit: 'kbps', kind: 'gauge', better: 'none', scope: 'participant', help: 'Bitrate the link forwarded from the SFU to the participant' },
  link_up_loss_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'participant', help: 'Packets the link dropped on the way up in the interval (loss, queue, block, outage) over packets it received' },
  link_down_loss_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'participant', help: 'Packets the link dropped on the way down in the interval (loss, queue, block, outage) over packets it received' },
  link_up_queue_delay_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'participant', help: "Mean time packets accepted in the interval waited in the uplink's bottleneck queue" },
  link_down_queue_delay_ms: { unit: 'ms', kind: 'gauge', better: 'lower', scope: 'participant', help: "Mean time packets accepted in the interval waited in the downlink's bottleneck queue" },
  link_up_dropped_packets_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'participant', help: 'Packets the link dropped on the way up so far, any reason' },
  link_down_dropped_packets_total: { unit: 'count', kind: 'counter', better: 'lower', scope: 'participant', help: 'Packets the link dropped on the way down so far, any reason' },

  // The load generator itself: results are unreliable when it runs out of CPU.
  harness_cpu_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'run', help: "CPU used by the harness's Node process, percent of the machine (all cores)" },
  harness_browser_cpu_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'run', help: 'CPU used by all participant browsers (their whole process trees), percent of the machine (all cores)' },
  host_cpu_percent: { unit: 'percent', kind: 'gauge', better: 'lower', scope: 'run', help: 'CPU used on the machine by everything, percent of all cores' },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

/** Every metric name, in catalogue order. */
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
