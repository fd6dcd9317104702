import { describe, expect, it } from 'vitest';
import { defineScenario } from './define.ts';
import { ScenarioError } from './errors.ts';
import { resolvePlan } from './resolve.ts';
import { outsideShard, parseShard, seedOfRun, shardPlan } from './shard.ts';
import { parseTargetMedia, withTargetUrl } from './target-url.ts';

const spec = defineScenario({
  name: 'town-hall',
  duration: '30s',
  participants: {
    presenter: { count: 1 },
    viewers: { count: 4, publish: false, joinSpread: '4s' },
  },
  timeline: [
    { at: '10s', do: 'mute', who: 'presenter[0]', source: 'mic' },
    { at: '20s', do: 'leave', who: 'viewers' },
  ],
  thresholds: { video_recv_fps: ['med > 15'] },
});
const plan = resolvePlan(spec, { file: 'scenarios/town-hall.scenario.ts', randomSeed: () => seedOfRun('nightly') });

describe('--shard', () => {
  it('reads index/count and names the option in its errors', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('3')).toThrow(ScenarioError);
    expect(() => parseShard('0/3')).toThrow('--shard 0/3: the index must be from 1 to 3');
    expect(() => parseShard('4/3')).toThrow('the index must be from 1 to 3');
  });

  it('gives every participant to exactly one shard, each group spread over the shards', () => {
    const shards = [1, 2].map((index) => shardPlan(plan, { index, count: 2, runId: 'nightly' }));
    const ids = shards.flatMap((s) => s.participants.map((p) => p.id));
    expect(ids.sort()).toEqual(plan.participants.map((p) => p.id).sort());
    expect(shards.map((s) => s.participants.map((p) => p.id))).toEqual([
      ['presenter[0]', 'viewers[1]', 'viewers[3]'],
      ['viewers[0]', 'viewers[2]'],
    ]);
    // Same join times as the whole plan: the shards replay its schedule.
    for (const s of shards) for (const p of s.participants) expect(p.joinAtMs).toBe(plan.participants.find((q) => q.id === p.id)!.joinAtMs);
    expect(shards[0]!.shard).toEqual({ index: 1, count: 2, runId: 'nightly' });
    expect(shards[0]!.overrides).toContain('--shard 1/2');
    expect(shards[0]!.thresholds).toEqual(plan.thresholds);
  });

  it("keeps only the shard's own participants in the timeline", () => {
    const [one, two] = [1, 2].map((index) => shardPlan(plan, { index, count: 2, runId: 'nightly' }));
    expect(one!.timeline.map((s) => [s.action.do, s.participantIds])).toEqual([
      ['mute', ['presenter[0]']],
      ['leave', ['viewers[1]', 'viewers[3]']],
    ]);
    expect(two!.timeline.map((s) => [s.action.do, s.participantIds])).toEqual([['leave', ['viewers[0]', 'viewers[2]']]]);
  });

  it("knows the thresholds that name only other shards' participants", () => {
    const one = shardPlan(plan, { index: 1, count: 2, runId: 'nightly' });
    const two = shardPlan(plan, { index: 2, count: 2, runId: 'nightly' });
    expect(outsideShard(one, { group: 'presenter' })).toBe(false);
    expect(outsideShard(two, { group: 'presenter' })).toBe(true);
    expect(outsideShard(two, { participant: 'viewers[0]' })).toBe(false);
    expect(outsideShard(two, { participant: 'viewers[1]' })).toBe(true);
    expect(outsideShard(two, {})).toBe(false);
  });

  it('refuses more shards than participants', () => {
    expect(() => shardPlan(plan, { index: 6, count: 6, runId: 'x' })).toThrow('too few for 6 shards');
  });

  it('seeds every machine alike from the run id', () => {
    expect(seedOfRun('nightly')).toBe(seedOfRun('nightly'));
    expect(seedOfRun('nightly')).not.toBe(seedOfRun('nightly-2'));
    expect(plan.seed).toBe(seedOfRun('nightly'));
  });
});

describe('--target-url', () => {
  it('points the bundled-SFU scenario at a running rtc-harness SFU', () => {
    const remote = withTargetUrl(plan, 'http://10.0.0.5:3000/');
    expect(remote.target).toEqual({ kind: 'url', url: 'http://10.0.0.5:3000/?room={room}&name={name}' });
    expect(remote.overrides).toEqual(['--target-url http://10.0.0.5:3000/']);
  });

  it("carries --target-media, the running server's media addresses, for simulated networks", () => {
    const media = parseTargetMedia(['10.0.0.5:40000', '10.0.0.5:40010-40011']);
    expect(media).toEqual([
      { host: '10.0.0.5', port: 40000 },
      { host: '10.0.0.5', port: 40010 },
      { host: '10.0.0.5', port: 40011 },
    ]);
    const remote = withTargetUrl(plan, 'http://10.0.0.5:3000', media);
    expect(remote.target).toMatchObject({ kind: 'url', media });
    expect(remote.overrides).toEqual(['--target-url http://10.0.0.5:3000', '--target-media 10.0.0.5:40000,10.0.0.5:40010,10.0.0.5:40011']);
    expect(() => parseTargetMedia(['10.0.0.5'])).toThrow('--target-media 10.0.0.5: write it as host:port or host:first-last');
    expect(() => parseTargetMedia(['10.0.0.5:40010-40000'])).toThrow('ports must be from 1 to 65535, lowest first');
  });

  it('takes a page URL with placeholders as it is, and refuses what is not http(s)', () => {
    expect(withTargetUrl(plan, 'https://app.example/call/{room}?user={name}').target).toEqual({ kind: 'url', url: 'https://app.example/call/{room}?user={name}' });
    expect(() => withTargetUrl(plan, 'ws://10.0.0.5:3000')).toThrow('--target-url ws://10.0.0.5:3000: must be http:// or https://');
    expect(() => withTargetUrl(plan, 'not a url')).toThrow('not a URL');
  });
});
