// The example scenarios in scenarios/ must stay valid: they are what users copy.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario, SCENARIO_FILE } from './load.ts';
import { resolvePlan } from './resolve.ts';

const examples = readdirSync('scenarios').filter((f) => SCENARIO_FILE.test(f));

describe('example scenarios', () => {
  it.each(examples)('scenarios/%s loads and resolves', async (name) => {
    const file = `scenarios/${name}`;
    const plan = resolvePlan(await loadScenario(file), { file });
    expect(plan.participants.length).toBeGreaterThan(0);
    expect(plan.thresholds.length).toBeGreaterThan(0);
  });

  it('smoke: three participants in one group for about 20 s, with join, fps, bitrate and freeze thresholds', async () => {
    const file = 'scenarios/smoke.scenario.ts';
    const plan = resolvePlan(await loadScenario(file), { file });
    expect(new Set(plan.participants.map((p) => p.group)).size).toBe(1);
    expect(plan.participants).toHaveLength(3);
    expect(plan.durationMs).toBe(20_000);
    expect(plan.thresholds.map((t) => t.metric).sort()).toEqual([
      'join_to_first_frame_ms',
      'video_freeze_seconds_total',
      'video_recv_bitrate_kbps',
      'video_recv_fps',
    ]);
  });
});
