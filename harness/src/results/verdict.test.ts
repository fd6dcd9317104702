import { describe, expect, it } from 'vitest';
import { decideVerdict } from './verdict.ts';
import type { SfuLeakCheck } from './analyses.ts';

const guard = { invalidReason: null, maxCpuPercent: 40, avgCpuPercent: 30, avgOthersCpuPercent: 2 };
const passed = { key: 'video_recv_fps', metric: 'video_recv_fps', filter: {}, expression: 'med > 15', ok: true, actual: 30 } as const;
const failed = { ...passed, ok: false, actual: 3, reason: 'med was 3, needs > 15' } as const;
const zero = { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 };
const clean: SfuLeakCheck = { beforeLeave: { counts: { ...zero, peers: 2 }, expected: { ...zero, peers: 2 } }, afterLeave: zero, leftAtEnd: 2, dropped: [], settledMs: 120, leaked: false };
const base = { final: true, runError: null, guard, thresholds: [passed], neverConnected: [] as string[], sfu: clean };

describe('decideVerdict', () => {
  it('passes when thresholds pass, everyone connected and the SFU emptied', () => {
    expect(decideVerdict(base)).toEqual({ verdict: 'pass' });
  });

  it('is running until the run is final', () => {
    expect(decideVerdict({ ...base, final: false, thresholds: [failed] }).verdict).toBe('running');
  });

  it('is invalid when the run could not be carried out or the load generator was saturated, before any failure', () => {
    expect(decideVerdict({ ...base, runError: 'no participant page could be opened', thresholds: [failed] })).toEqual({
      verdict: 'invalid',
      reason: 'the run could not be carried out: no participant page could be opened',
    });
    const saturated = { ...guard, invalidReason: 'the load generator was saturated: machine CPU above 90% for 10 s' };
    expect(decideVerdict({ ...base, guard: saturated, thresholds: [failed] })).toEqual({ verdict: 'invalid', reason: saturated.invalidReason });
  });

  it('fails on a threshold, naming it', () => {
    const v = decideVerdict({ ...base, thresholds: [passed, failed] });
    expect(v.verdict).toBe('fail');
    expect(v.reason).toBe('1 threshold(s) failed: video_recv_fps med > 15');
  });

  it('fails when a participant joined but never connected, even with every threshold passing', () => {
    expect(decideVerdict({ ...base, neverConnected: ['callers[2]'] })).toEqual({
      verdict: 'fail',
      reason: '1 participant(s) never connected: callers[2]',
    });
  });

  it('fails when the SFU kept state after everyone left, saying what', () => {
    const leak: SfuLeakCheck = { ...clean, afterLeave: { ...zero, transports: 2, consumers: 1 }, leaked: true };
    expect(decideVerdict({ ...base, sfu: leak })).toEqual({
      verdict: 'fail',
      reason: 'the SFU leaked state: after every participant left it still held 2 transports, 1 consumers',
    });
    const before: SfuLeakCheck = { ...clean, beforeLeave: { counts: { ...zero, consumers: 5 }, expected: { ...zero, consumers: 4 } }, leaked: true };
    expect(decideVerdict({ ...base, sfu: before }).reason).toBe('the SFU leaked state: before the leaves it held 5 consumers (pages account for 4)');
  });

  it('fails when the SFU dropped participants from their room, naming them and why, without calling it a leak', () => {
    const reason = 'signaling closed while in room r: socket closed (code 1011: room closed by the server; join again)';
    const dropped: SfuLeakCheck = { ...clean, dropped: [{ id: 'callers[0]', reason }, { id: 'callers[1]', reason }] };
    expect(decideVerdict({ ...base, sfu: dropped })).toEqual({
      verdict: 'fail',
      reason: `the SFU dropped 2 participant(s) from their room: callers[0], callers[1] (${reason})`,
    });
  });
});
