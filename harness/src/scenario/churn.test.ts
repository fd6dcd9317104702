import { describe, expect, it } from 'vitest';
import { checkChurn, expandChurn, MAX_CHURN_CYCLES, parseRatePerSecond } from './churn.ts';
import { ScenarioError } from './errors.ts';
import { resolvePlan } from './resolve.ts';
import type { ScenarioSpec } from './types.ts';

describe('parseRatePerSecond', () => {
  it('reads per second, per minute and bare numbers', () => {
    expect(parseRatePerSecond('1/s')).toBe(1);
    expect(parseRatePerSecond('1.5/s')).toBe(1.5);
    expect(parseRatePerSecond('30/m')).toBe(0.5);
    expect(parseRatePerSecond('6 / min')).toBe(0.1);
    expect(parseRatePerSecond(2)).toBe(2);
  });

  it('refuses anything else, saying what is allowed', () => {
    for (const bad of ['1/h', 'fast', '0/s', -1, 0, '1s', null]) {
      expect(() => parseRatePerSecond(bad), String(bad)).toThrow(/must be a rate like '1\/s', '0.5\/s', '30\/m' or a number per second/);
    }
  });
});

describe('expandChurn', () => {
  it('plans one rejoin per cycle, participants taking turns in order', () => {
    const steps = expandChurn({ at: '5s', for: '4s', rate: '1/s', away: '200ms' }, ['guests[0]', 'guests[1]', 'guests[2]'], 3);
    expect(steps.map((s) => [s.atMs, s.participantIds[0]])).toEqual([
      [5000, 'guests[0]'],
      [6000, 'guests[1]'],
      [7000, 'guests[2]'],
      [8000, 'guests[0]'],
    ]);
    expect(steps[3]).toEqual({ atMs: 8000, action: { do: 'rejoin', awayMs: 200, publish: null, churnCycle: 3 }, participantIds: ['guests[0]'], index: 3 });
    // Each cycle is an action object of its own, so each has its own outcome and effects.
    expect(new Set(steps.map((s) => s.action)).size).toBe(4);
  });
});

describe('checkChurn', () => {
  it('accepts a churn that fits the run', () => {
    expect(checkChurn({ at: '5s', for: '40s', rate: '1.5/s' }, 'timeline[0]', 3, 50_000)).toEqual([]);
  });

  it('says when a participant would leave again before it is back', () => {
    expect(checkChurn({ at: '5s', for: '10s', rate: '2/s', away: '1s' }, 'timeline[2]', 2, 60_000)).toEqual([
      "timeline[2].away must be shorter than the time between one participant's turns (2 participant(s) at '2/s': 1s), or it would leave again before it is back; got '1s'",
    ]);
  });

  it('bounds the cycles and keeps them inside the run', () => {
    expect(checkChurn({ at: '1s', for: '1h', rate: '5/s' }, 'timeline[0]', 40, 7_200_000)).toEqual([
      `timeline[0]: for × rate gives 18000 cycles, at most ${MAX_CHURN_CYCLES} (every cycle is a real leave and join): lower the rate or shorten for`,
    ]);
    expect(checkChurn({ at: '10s', for: '30s', rate: '1/s' }, 'timeline[1]', 3, 30_000)).toEqual([
      "timeline[1].for must end before the end of the run (duration 30s), with the last rejoin in it, got '30s' from 10s",
    ]);
    expect(checkChurn({ at: '1s', for: '1s', rate: '0.5/s' }, 'timeline[0]', 3, 30_000)).toEqual([
      "timeline[0]: for × rate must give at least one cycle, got for '1s' at '0.5/s'",
    ]);
  });
});

describe('churn and rejoin in a scenario', () => {
  const base = (timeline: unknown[]): ScenarioSpec =>
    ({
      name: 'churny',
      duration: '60s',
      participants: { hosts: { count: 1 }, guests: { count: 2, publish: { audio: true } } },
      timeline,
    }) as ScenarioSpec;
  const problems = (spec: ScenarioSpec): string[] => {
    try {
      resolvePlan(spec, { file: 'x.scenario.ts', randomSeed: () => 1 });
      return [];
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      return err.message.split('\n');
    }
  };

  it('expands a churn into rejoins with the group publish, and resolves a rejoin', () => {
    const plan = resolvePlan(
      base([
        { at: '5s', do: 'churn', who: 'guests', for: '3s', rate: '1/s' },
        { at: '30s', do: 'rejoin', who: 'hosts', away: '2s', publish: { audio: true } },
        { at: '40s', do: 'changeCodec', who: 'hosts[0]', codec: 'vp9' },
        { at: '41s', do: 'switchCamera', who: 'hosts[0]', width: 320, height: 180 },
      ]),
      { file: 'x.scenario.ts', randomSeed: () => 1 },
    );
    expect(plan.timeline.map((s) => [s.atMs, s.action.do, s.participantIds.join()])).toEqual([
      [5000, 'rejoin', 'guests[0]'],
      [6000, 'rejoin', 'guests[1]'],
      [7000, 'rejoin', 'guests[0]'],
      [30_000, 'rejoin', 'hosts[0]'],
      [40_000, 'changeCodec', 'hosts[0]'],
      [41_000, 'switchCamera', 'hosts[0]'],
    ]);
    expect(plan.timeline[0]!.action).toEqual({ do: 'rejoin', awayMs: 500, publish: null, churnCycle: 0 });
    expect(plan.timeline[3]!.action).toEqual({ do: 'rejoin', awayMs: 2000, publish: { audio: true, video: null } });
    expect(plan.timeline[5]!.action).toEqual({ do: 'switchCamera', width: 320, height: 180, fps: null });
  });

  it('names the file and the field of a mistake', () => {
    expect(problems(base([{ at: '5s', do: 'churn', who: 'guests', for: '3s', rate: '1/h' }]))).toEqual([
      "x.scenario.ts: timeline[0].rate must be a rate like '1/s', '0.5/s', '30/m' or a number per second, above 0, got '1/h'",
    ]);
    expect(problems(base([{ at: '5s', do: 'churn', who: 'guests', rate: '1/s' }]))[0]).toMatch(/^x\.scenario\.ts: timeline\[0\]\.for is missing/);
    expect(problems(base([{ at: '5s', do: 'changeCodec', who: 'hosts', codec: 'av1' }]))).toEqual([
      "x.scenario.ts: timeline[0].codec must be one of 'vp8', 'vp9', 'h264', got 'av1'",
    ]);
    expect(problems(base([{ at: '59s', do: 'rejoin', who: 'hosts', away: '2s' }]))).toEqual([
      "x.scenario.ts: timeline[0].away must end before the end of the run (duration 1m) (the participant joins again after it), got '2s' from '59s'",
    ]);
    expect(problems(base([{ at: '5s', do: 'switchCamera', who: 'hosts', width: 5 }]))).toEqual([
      'x.scenario.ts: timeline[0].width must be an integer from 16 to 3840, got 5',
    ]);
  });

  it('lets the bundled page restart ICE by itself, by default only with TURN', () => {
    const plan = (target: unknown) => resolvePlan({ ...base([]), target } as ScenarioSpec, { file: 'x.scenario.ts', randomSeed: () => 1 }).target;
    expect(plan({ sfu: 'bundled', iceRestart: true })).toEqual({ kind: 'bundled', workers: 1, iceRestart: true });
    expect(plan(undefined)).toEqual({ kind: 'bundled', workers: 1, iceRestart: false });
  });
});
