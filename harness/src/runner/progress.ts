// Key figures per group from each participant's latest sample, for the progress line.
import type { Sample } from '../stats/types.ts';
import type { MetricName } from '../stats/catalogue.ts';
import type { ProgressSnapshot } from '../reporters/reporter.ts';

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function participantValues(samples: Sample[], metric: MetricName): number[] {
  return samples.flatMap((s) => (typeof s.values[metric] === 'number' ? [s.values[metric]] : []));
}

function streamValues(samples: Sample[], metric: MetricName): number[] {
  return samples.flatMap((s) => s.streams.flatMap((st) => (typeof st.values[metric] === 'number' ? [st.values[metric]] : [])));
}

export function groupFigures(groups: string[], latest: ReadonlyMap<string, Sample>): ProgressSnapshot['groups'] {
  return groups.map((name) => {
    const samples = [...latest.values()].filter((s) => s.group === name);
    return {
      name,
      recvFps: mean(streamValues(samples, 'video_recv_fps')),
      recvKbps: mean(participantValues(samples, 'recv_bitrate_kbps')),
      sendKbps: mean(participantValues(samples, 'send_bitrate_kbps')),
      rttMs: mean(participantValues(samples, 'rtt_ms')),
      lossPct: mean(streamValues(samples, 'recv_loss_percent')),
    };
  });
}
