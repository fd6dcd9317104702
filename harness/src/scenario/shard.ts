// Sharding: one scenario spread over several machines. Every shard resolves the same plan (same
// scenario, same overrides, same seed, so the same join times and the same random draws) and keeps
// its own slice of the participants: participant k of the plan (groups in order, then by index)
// runs on shard (k mod count) + 1, so every group is spread evenly. Timeline steps keep only the
// participants of the shard. `rtc-harness merge` puts the slices back together.
import { createHash } from 'node:crypto';
import { ScenarioError } from './errors.ts';
import type { RunPlan } from './plan.ts';
import { stampSenderIds } from './stamp-senders.ts';

export interface ShardSpec {
  /** 1-based, as --shard 2/3 writes it. */
  index: number;
  count: number;
  /** Names the run every shard belongs to; merge refuses shards of different runs. */
  runId: string;
}


/** '2/3' -> { index: 2, count: 3 }; the error names the option. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new ScenarioError(`--shard ${text}: write it as <index>/<count>, e.g. --shard 1/3 (shards count from 1)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 1000) throw new ScenarioError(`--shard ${text}: the count must be from 1 to 1000`);
  if (index < 1 || index > count) throw new ScenarioError(`--shard ${text}: the index must be from 1 to ${count}`);
  return { index, count };
}

/** The seed every shard of a run draws when neither the scenario nor --seed gives one: the same on every machine. */
export function seedOfRun(runId: string): number {
  return createHash('sha256').update(runId).digest().readUInt32BE(0);
}

/** Which shard runs the participant at `position` in the plan. */
export function shardOf(position: number, count: number): number {
  return (position % count) + 1;
}

/** The plan of one shard: its participants, and the timeline steps that name them. */
export function shardPlan(plan: RunPlan, shard: ShardSpec): RunPlan {
  const mine = new Set(plan.participants.filter((_, k) => shardOf(k, shard.count) === shard.index).map((p) => p.id));
  if (mine.size === 0) {
    throw new ScenarioError(`--shard ${shard.index}/${shard.count}: the scenario has ${plan.participants.length} participant(s), too few for ${shard.count} shards`);
  }
  const timeline = plan.timeline
    .map((step) => ({ ...step, participantIds: step.participantIds.filter((id) => mine.has(id)) }))
    .filter((step) => step.participantIds.length > 0);
  return {
    ...plan,
    participants: plan.participants.filter((p) => mine.has(p.id)),
    timeline,
    shard: { ...shard },
    stampSenders: plan.stampSenders ?? stampSenderIds(plan.participants),
    overrides: [...plan.overrides, `--shard ${shard.index}/${shard.count}`],
  };
}

/**
 * Whether a threshold's filter names only participants another shard runs (a group or a
 * participant none of this shard's is in): the shard has no samples for it by design, and only
 * the merge, over every shard's points, can decide it.
 */
export function outsideShard(plan: Pick<RunPlan, 'participants'>, filter: Readonly<Record<string, string>>): boolean {
  const { group, participant } = filter;
  return (
    (group !== undefined && !plan.participants.some((p) => p.group === group)) ||
    (participant !== undefined && !plan.participants.some((p) => p.id === participant))
  );
}
