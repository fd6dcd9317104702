// Where the run's SFU runs. Shards meet in one call on one SFU in the cluster, which each shard
// joins with `run --target-url`. A participant with a simulated network (or TURN settings, or a
// network or forceTurn step) needs a link that relays to the SFU's media addresses, which `run`
// only knows for an SFU it starts itself (or from target.media, which has no command-line
// counterpart): such a scenario's shards each start their own bundled SFU, and so are separate
// calls, until `run` can be told the shared SFU's media addresses.
import type { RunPlan } from '../scenario/plan.ts';

export type SfuPlacement =
  /** Not ours: the scenario calls its own SFU, page or WHIP/WHEP endpoints. */
  | { kind: 'none' }
  /** One SFU in the cluster, joined by every shard. */
  | { kind: 'shared' }
  /** Each shard starts its own; `reason` says why, in a line. */
  | { kind: 'per-shard'; reason: string };

/** Participants whose traffic crosses a simulated link (the criterion of runner/target.ts's shapedParticipants). */
export function shapedParticipants(plan: RunPlan): string[] {
  const shaped = new Set(plan.participants.filter((p) => p.network !== null || p.turn).map((p) => p.id));
  for (const step of plan.timeline) {
    if (step.action.do === 'network' || step.action.do === 'forceTurn') for (const id of step.participantIds) shaped.add(id);
  }
  return [...shaped];
}

export function sfuPlacement(plan: RunPlan): SfuPlacement {
  if (plan.target.kind !== 'bundled') return { kind: 'none' };
  const shaped = shapedParticipants(plan);
  if (shaped.length === 0) return { kind: 'shared' };
  const named = shaped.length > 3 ? `${shaped.slice(0, 3).join(', ')} and ${shaped.length - 3} more` : shaped.join(', ');
  return {
    kind: 'per-shard',
    reason: `${named} ha${shaped.length === 1 ? 's' : 've'} a simulated network, which needs the SFU's media addresses: run cannot be given those of a running SFU on the command line (target.media), so each shard starts its own SFU and is a call of its own`,
  };
}
