import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario } from './define.ts';
import { displayPath, ScenarioError } from './errors.ts';
import { resolvePlan } from './resolve.ts';
import type { ScenarioSpec } from './types.ts';

/** A scenario folder with a traces/ folder in it; the file path is what the user passed. */
function folder(files: Record<string, string>): { scenarioFile: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-trace-'));
  mkdirSync(join(dir, 'traces'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { scenarioFile: join(dir, 'commute.scenario.ts'), dir };
}

const CSV = 'timeSeconds,rateKbps,delayMs,lossPct,direction\n0,2000,40,0,both\n# tunnel\n10.5,300,,3,down\n';

const problems = (fn: () => unknown): readonly string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
  throw new Error('expected a ScenarioError');
};

describe('network traces in scenarios', () => {
  it('reads a group trace relative to the scenario file into the plan', () => {
    const { scenarioFile, dir } = folder({ 'traces/train.csv': CSV });
    const spec = defineScenario({
      duration: '30s',
      participants: { riders: { count: 2, network: { trace: 'traces/train.csv', loop: true } }, home: { count: 1 } },
    });
    const plan = resolvePlan(spec, { file: scenarioFile, randomSeed: () => 1 });
    const network = plan.participants[0]!.network as { trace: { source: string; points: unknown[] }; loop: boolean };
    expect(network.loop).toBe(true);
    expect(network.trace.source).toBe(displayPath(join(dir, 'traces/train.csv')));
    expect(network.trace.points).toEqual([
      { timeSeconds: 0, direction: 'both', rateKbps: 2000, delayMs: 40, lossPct: 0, line: 2 },
      { timeSeconds: 10.5, direction: 'down', rateKbps: 300, lossPct: 3, line: 4 },
    ]);
    // Each participant gets its own copy: the runner may not share mutable plan objects.
    expect(plan.participants[1]!.network).toEqual(network);
    expect(plan.participants[1]!.network).not.toBe(network);
    expect(plan.participants[2]!.network).toBeNull();
  });

  it('starts a trace from a timeline action, JSON as well as CSV', () => {
    const { scenarioFile } = folder({ 'traces/drive.json': '[{ "timeSeconds": 0, "delayMs": 80 }, { "timeSeconds": 2, "lossPct": 1 }]' });
    const spec = defineScenario({
      duration: '30s',
      participants: { viewers: { count: 1, network: 'lte' } },
      timeline: [{ at: '5s', do: 'network', who: 'viewers', set: { trace: 'traces/drive.json' } }],
    });
    const step = resolvePlan(spec, { file: scenarioFile, randomSeed: () => 1 }).timeline[0]!;
    expect(step.action).toMatchObject({ do: 'network', set: { loop: false, trace: { points: [{ delayMs: 80 }, { lossPct: 1 }] } } });
    expect(step.participantIds).toEqual(['viewers[0]']);
  });

  it('names the scenario, the field and the trace line of every problem, all at once', () => {
    const { scenarioFile } = folder({ 'traces/bad.csv': 'timeSeconds,rateKbps\n0,500\n5,-3\n' });
    const spec: ScenarioSpec = {
      duration: '30s',
      participants: { a: { count: 1, network: { trace: 'traces/missing.csv' } }, b: { count: 1 } },
      timeline: [{ at: '1s', do: 'network', who: 'b', set: { trace: 'traces/bad.csv' } }],
    };
    const shown = displayPath(scenarioFile);
    const lines = problems(() => resolvePlan(spec, { file: scenarioFile, randomSeed: () => 1 }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: participants\\.a\\.network\\.trace: file not found: .*traces/missing\\.csv \\(the path is relative to the scenario file\\)`));
    expect(lines[1]).toMatch(/: timeline\[0\]\.set\.trace: .*traces\/bad\.csv:3: rateKbps must be .*-3/);
  });

  it('refuses a path that is not a regular file, such as a FIFO that would block the read forever', () => {
    const { scenarioFile, dir } = folder({});
    execFileSync('mkfifo', [join(dir, 'traces', 'pipe.csv')]);
    const spec: ScenarioSpec = { duration: '30s', participants: { a: { count: 1, network: { trace: 'traces/pipe.csv' } } } };
    const lines = problems(() => resolvePlan(spec, { file: scenarioFile, randomSeed: () => 1 }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/participants\.a\.network\.trace: not a regular file \(a pipe, socket or device cannot be a trace\): .*traces\/pipe\.csv/);
  });

  it('refuses a trace mixed with settings, and a trace that is not a path', () => {
    const spec = {
      duration: '30s',
      participants: { a: { count: 1, network: { trace: 'x.csv', delayMs: 20 } }, b: { count: 1, network: { trace: 7, loop: 'yes' } } },
    } as unknown as ScenarioSpec;
    const lines = problems(() => resolvePlan(spec, { file: 'scenarios/x.scenario.ts', randomSeed: () => 1 }));
    expect(lines).toEqual([
      'scenarios/x.scenario.ts: participants.a.network.delayMs: a trace cannot be mixed with settings (allowed with trace: trace, loop); set the starting settings in the group\'s network and start the trace with a timeline action',
      "scenarios/x.scenario.ts: participants.b.network.trace must be the path of a trace file, relative to the scenario, like 'traces/commute.csv', got 7",
      "scenarios/x.scenario.ts: participants.b.network.loop must be true or false, got 'yes'",
    ]);
  });

  it('is a type error to mix a trace with settings', () => {
    defineScenario({
      duration: '30s',
      // @ts-expect-error: a trace replaces settings, it does not merge with them
      participants: { a: { count: 1, network: { trace: 'x.csv', delayMs: 20 } } },
    });
  });
});
