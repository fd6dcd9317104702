// Rows about what happens to a call mid-way (renegotiation, ICE restarts, gaps in the media,
// failed actions) and which network path it took, shared by the call-quality dashboards.
//
// Event metrics (one value per occurrence: renegotiation_seconds) are exported as a gauge of the
// latest value (the slowest, when streams share labels) that stays until the participant leaves,
// so a panel reads them with max_over_time over the dashboard's range: the slowest in the range.
import { m, slowestPerParticipant } from './common.ts';
import type { RowSpec } from './grafana.ts';

/**
 * Per group, for the overview: figures every call has (no event needed), so an ordinary run
 * fills them. `g` selects the run's participants by the dashboard's variables.
 */
export function renegotiationOverviewRow(g: string): RowSpec {
  return {
    title: 'Renegotiation and interruptions',
    panels: [
      {
        title: 'Participants without media',
        description: 'Receiving participants that got no inbound packet (any stream) for 500 ms or more.',
        unit: 'short',
        min: 0,
        steps: true,
        w: 8,
        targets: [{ expr: `sum by (group) (${m('media_interrupted')}{${g}})`, legend: '{{group}}' }],
      },
      {
        title: 'Transceivers and m-lines (most per participant)',
        description: 'Growth over a call means tracks added without reusing transceivers.',
        unit: 'short',
        min: 0,
        w: 8,
        targets: [
          { expr: `max by (group) (${m('pc_transceiver_count')}{${g}})`, legend: '{{group}} transceivers' },
          { expr: `max by (group) (${m('sdp_mline_count')}{${g}})`, legend: '{{group}} m-lines' },
        ],
      },
      {
        title: 'Failed actions',
        description: 'Timeline actions refused or thrown by the page, plus their effects another participant did not see within 10 s.',
        unit: 'short',
        min: 0,
        w: 8,
        targets: [{ expr: `sum by (group) (${m('action_failure_count_total')}{${g}})`, legend: '{{group}}' }],
      },
    ],
  };
}

/** Per participant, for the drill-down: how long others' changes took to show, and the ICE path. */
export function renegotiationParticipantRows(p: string): RowSpec[] {
  return [
    {
      title: 'Renegotiation, ICE restarts and interruptions',
      panels: [
        {
          title: 'Time to see a change (slowest in range)',
          description:
            "Another participant's track change (publish, mute, screen share, codec...) or own ICE restart, to its effect here; another's join or leave, to seeing it; own ICE restart, to a pair selected on the new credentials.",
          type: 'bargauge',
          unit: 's',
          targets: [
            slowestPerParticipant('renegotiation_seconds', p, 'renegotiation'),
            slowestPerParticipant('remote_join_leave_seconds', p, 'join/leave'),
            slowestPerParticipant('ice_restart_seconds', p, 'ICE restart'),
          ],
        },
        {
          title: 'Longest gap in all inbound media (in range)',
          description: 'A gap: no inbound packet on any stream for 500 ms or more, from the last packet before it to the first after.',
          type: 'bargauge',
          unit: 's',
          targets: [slowestPerParticipant('media_interruption_seconds', p, 'gap')],
        },
        {
          title: 'Without media now',
          description: '1 while no inbound packet (any stream) has arrived for 500 ms or more.',
          unit: 'short',
          min: 0,
          max: 1,
          steps: true,
          w: 8,
          targets: [{ expr: `${m('media_interrupted')}{${p}}`, legend: '{{participant}}' }],
        },
        {
          title: 'Transceivers and m-lines',
          unit: 'short',
          min: 0,
          steps: true,
          w: 8,
          targets: [
            { expr: `${m('pc_transceiver_count')}{${p}}`, legend: '{{participant}} transceivers' },
            { expr: `${m('sdp_mline_count')}{${p}}`, legend: '{{participant}} m-lines' },
          ],
        },
        {
          title: 'Failed actions',
          unit: 'short',
          min: 0,
          w: 8,
          targets: [{ expr: `${m('action_failure_count_total')}{${p}}`, legend: '{{participant}}' }],
        },
      ],
    },
    {
      title: 'ICE path and TURN',
      panels: [
        {
          title: 'Selected candidate pair: relayed, TCP, TLS',
          description: '1 when every selected pair of the participant goes through a TURN relay / leaves over TCP / reaches the relay over TLS; 0 when one does not. Absent before a pair is selected.',
          unit: 'short',
          min: 0,
          max: 1,
          steps: true,
          w: 8,
          targets: [
            { expr: `${m('ice_relay')}{${p}}`, legend: '{{participant}} relay' },
            { expr: `${m('ice_tcp')}{${p}}`, legend: '{{participant}} tcp' },
            { expr: `${m('ice_tls')}{${p}}`, legend: '{{participant}} tls' },
          ],
        },
        {
          title: 'TURN candidate errors (seen by the page)',
          description: "The page's icecandidateerror events for its turn:/turns: servers: 401 credentials refused, 486 quota, 701 unreachable (a blocked route). Empty for a participant without TURN servers.",
          unit: 'short',
          min: 0,
          w: 8,
          targets: [{ expr: `${m('turn_allocation_failure_count_total')}{${p}}`, legend: '{{participant}}' }],
        },
        {
          title: 'TURN requests refused (coturn log)',
          description: "Requests the run's bundled coturn refused for the participant's credentials (401 expired or wrong, 486 quota): the ground truth, since Chromium does not always tell the page. Empty without the bundled TURN server.",
          unit: 'short',
          min: 0,
          w: 8,
          targets: [{ expr: `${m('turn_allocation_refused_count_total')}{${p}}`, legend: '{{participant}}' }],
        },
      ],
    },
  ];
}
