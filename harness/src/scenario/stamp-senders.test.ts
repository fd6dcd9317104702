import { describe, expect, it } from 'vitest';
import { defineScenario } from './define.ts';
import { resolvePlan } from './resolve.ts';
import { shardPlan } from './shard.ts';
import { stampSenderIds, stampSenderMap, stampSenderNumbers } from './stamp-senders.ts';

const spec = defineScenario({
  name: 'stamped',
  duration: '30s',
  participants: {
    presenter: { count: 3, publish: { video: { source: 'stamped' }, audio: false } },
    viewers: { count: 3, publish: false },
    guest: { count: 1, publish: { video: { source: 'stamped' }, audio: false } },
  },
});
const plan = resolvePlan(spec, { file: 'stamped.scenario.ts', randomSeed: () => 1 });

describe('stamped sender numbers', () => {
  it('number stamped senders in plan order, and only them', () => {
    const ids = stampSenderIds(plan.participants);
    expect(ids).toEqual(['presenter[0]', 'presenter[1]', 'presenter[2]', 'guest[0]']);
    expect(stampSenderNumbers(ids).get('guest[0]')).toBe(3);
    expect(stampSenderNumbers(ids).get('viewers[0]')).toBeUndefined();
    expect([...stampSenderMap(ids)]).toEqual(ids.map((id, n) => [n, id]));
  });

  it('are the same on every shard: each keeps the whole run\'s list', () => {
    const shards = [1, 2, 3].map((index) => shardPlan(plan, { index, count: 3, runId: 'r' }));
    for (const s of shards) expect(s.stampSenders).toEqual(stampSenderIds(plan.participants));
    // presenter[1] runs on shard 2 alone, yet shard 1's viewers name it.
    expect(shards[1]!.participants.map((p) => p.id)).toContain('presenter[1]');
    expect(shards[0]!.participants.map((p) => p.id)).not.toContain('presenter[1]');
  });

  it('wrap past 255; a shared number names the first sender', () => {
    const ids = Array.from({ length: 258 }, (_, k) => `p[${k}]`);
    expect(stampSenderNumbers(ids).get('p[257]')).toBe(1);
    expect(stampSenderMap(ids).get(1)).toBe('p[1]');
    expect(stampSenderMap(ids).size).toBe(256);
  });
});
