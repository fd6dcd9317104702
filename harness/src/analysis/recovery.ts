// How a participant's call came back after its link went dark (a network change with outageMs):
// when its page noticed (a connection 'disconnected' or 'failed'), whether and when the page
// restarted ICE (new ICE credentials, then a candidate pair selected on them), and when its inbound
// media flowed again (the end of the media interruption that began with the outage). All times are
// the page's own (agent state events, exact) or the interruption's (stats/interruption.ts,
// ±~40 ms), counted from the outage's start as the link recorded it. Pure apart from being stateful.
import type { OutageRecovery } from '../results/analyses.ts';
import type { Point } from '../stats/types.ts';
import type { Analyser, SampleInput } from './analyser.ts';
import type { NetworkChange } from '../results/schema.ts';
import { restartsWithin, type ParticipantSeen } from './observations.ts';

export interface RecoveryLogOptions {
  /** How long after the outage ends the recovery is followed, ms. Default 20000. */
  followMs?: number;
}

interface Followed {
  record: OutageRecovery;
  /** Unix ms. */
  startMs: number;
  detectionEmitted: boolean;
  recoveryEmitted: boolean;
  done: boolean;
}

const METRICS = { detection: 'outage_detection_seconds', recovery: 'outage_recovery_seconds' } as const;

export class RecoveryLog implements Analyser {
  readonly name = 'outage recovery';
  readonly #followMs: number;
  readonly #outages: Followed[] = [];
  #startMs = 0;

  constructor(options: RecoveryLogOptions = {}) {
    this.#followMs = options.followMs ?? 20_000;
  }

  /** The run's clock started (unix ms): link changes count from here. */
  onStart(startMs: number): void {
    this.#startMs = startMs;
  }

  /** A change that took the link down starts an outage to follow. */
  onLinkChange(c: Pick<NetworkChange, 'atMs' | 'participant' | 'outageMs'>): void {
    if (!c.outageMs) return;
    this.#outages.push({
      record: {
        participant: c.participant,
        atMs: c.atMs,
        outageMs: c.outageMs,
        detectionSeconds: null,
        iceRestartSeconds: null,
        iceRestartCompletedSeconds: null,
        mediaResumedSeconds: null,
      },
      startMs: this.#startMs + c.atMs,
      detectionEmitted: false,
      recoveryEmitted: false,
      done: false,
    });
  }

  /** Takes a sample: the recovery figures its participant's observations now complete, as points. */
  onSample({ sample, seen: pages }: SampleInput): Point[] {
    const { participant, group } = sample;
    const seen = pages.get(participant);
    if (!seen) return [];
    const points: Point[] = [];
    for (const o of this.#outages) {
      if (o.done || o.record.participant !== participant || seen.watermarkMs < o.startMs) continue;
      this.#update(o, seen);
      const tags = { group, participant };
      const r = o.record;
      if (r.detectionSeconds !== null && !o.detectionEmitted) {
        o.detectionEmitted = true;
        points.push({ metric: METRICS.detection, value: r.detectionSeconds, t: o.startMs + r.detectionSeconds * 1000, tags });
      }
      if (r.mediaResumedSeconds !== null && !o.recoveryEmitted) {
        o.recoveryEmitted = true;
        points.push({ metric: METRICS.recovery, value: r.mediaResumedSeconds, t: o.startMs + r.mediaResumedSeconds * 1000, tags });
      }
      // Followed until media is back (and a restart in progress completed), or for followMs after the outage.
      const restartPending = r.iceRestartSeconds !== null && r.iceRestartCompletedSeconds === null;
      o.done = (r.mediaResumedSeconds !== null && !restartPending) || seen.watermarkMs > o.startMs + r.outageMs + this.#followMs;
    }
    return points;
  }

  /** Every outage so far, in the order they happened. */
  get recoveries(): OutageRecovery[] {
    return this.#outages.map((o) => ({ ...o.record }));
  }

  #update(o: Followed, seen: ParticipantSeen): void {
    const r = o.record;
    const since = (t: number) => round((t - o.startMs) / 1000);
    const horizon = o.startMs + r.outageMs + this.#followMs;
    const lost = seen.connectionLostMs.find((t) => t >= o.startMs && t <= horizon);
    if (lost !== undefined) r.detectionSeconds ??= since(lost);
    // The page's own restarts after the outage began.
    const restarts = restartsWithin(seen, o.startMs, horizon);
    if (restarts.firstStartMs !== undefined) r.iceRestartSeconds = since(restarts.firstStartMs);
    r.iceRestartCompletedSeconds = restarts.completedMs === undefined ? null : since(restarts.completedMs);
    // The media gap the outage caused: it began around the outage's start (the last packet before it).
    const gap = seen.gaps.find((g) => g.startMs >= o.startMs - 1000 && g.startMs <= o.startMs + r.outageMs);
    if (gap?.endMs !== undefined) r.mediaResumedSeconds = since(gap.endMs);
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
