import { describe, expect, it } from 'vitest';
import { defineScenario } from './define.ts';
import { ScenarioError } from './errors.ts';
import { resolvePlan } from './resolve.ts';
import type { ScenarioSpec } from './types.ts';

const FILE = 'scenarios/turn.scenario.ts';
const resolve = (spec: ScenarioSpec) => resolvePlan(spec, { file: FILE, randomSeed: () => 1 });
const problem = (spec: unknown): string => {
  try {
    resolve(spec as ScenarioSpec);
  } catch (err) {
    if (err instanceof ScenarioError) return err.message;
    throw err;
  }
  return 'no problem';
};

describe('TURN in scenarios', () => {
  it('starts the bundled coturn when a group or an action uses TURN, and not otherwise', () => {
    const plan = resolve(
      defineScenario({
        duration: '20s',
        participants: { office: { count: 1, turn: { transport: 'tcp' } }, home: { count: 1 } },
        timeline: [{ at: '10s', do: 'forceTurn', who: 'home', transport: 'tls' }],
      }),
    );
    expect(plan.turn).toEqual({ kind: 'bundled' });
    expect(plan.participants.map((p) => p.turn)).toEqual([{ policy: 'all', transport: 'tcp', credentials: 'valid' }, null]);
    expect(plan.timeline[0]!.action).toEqual({ do: 'forceTurn', transport: 'tls' });
    expect(resolve(defineScenario({ duration: '20s', participants: { a: { count: 1 } } })).turn).toBeNull();
    expect(resolve(defineScenario({ duration: '20s', turn: 'bundled', participants: { a: { count: 1 } } })).turn).toEqual({ kind: 'bundled' });
  });

  it('takes a server of your own', () => {
    const plan = resolve(
      defineScenario({
        duration: '20s',
        turn: { urls: ['turn:10.1.1.1:3478?transport=udp'], secret: 'k' },
        participants: { a: { count: 1, turn: { policy: 'relay', credentials: 'expired' } } },
      }),
    );
    expect(plan.turn).toEqual({ kind: 'external', urls: ['turn:10.1.1.1:3478?transport=udp'], secret: 'k', relayIps: [] });
    expect(plan.participants[0]!.turn).toEqual({ policy: 'relay', transport: null, credentials: 'expired' });
  });

  it('says what is wrong, naming the field', () => {
    const base = { duration: '20s', participants: { a: { count: 1, turn: { transport: 'tcp' } } } };
    expect(problem({ ...base, participants: { a: { count: 1, turn: { transport: 'quic' } } } })).toMatch(
      /participants\.a\.turn\.transport must be 'udp', 'tcp' or 'tls', got 'quic'/,
    );
    expect(problem({ ...base, turn: false })).toMatch(/participants\.a\.turn needs a TURN server, but turn is false/);
    expect(problem({ ...base, target: { url: 'https://meet.example.com/{room}' } })).toMatch(/turn needs the bundled SFU/);
    expect(problem({ ...base, turn: { urls: ['stun:h:3478'], secret: 'k' } })).toMatch(/turn\.urls\[0\]: 'stun:h:3478' is not a TURN URL/);
    expect(problem({ ...base, turn: { urls: ['turn:h:3478?transport=udp'], secret: 'k' } })).toMatch(
      /participants\.a\.turn\.transport: no TURN URL of the run offers tcp \(turn\.urls offer: udp\)/,
    );
    expect(problem({ ...base, timeline: [{ at: '5s', do: 'forceTurn', who: 'a' }] })).toMatch(/timeline\[0\]\.transport/);
  });
});
