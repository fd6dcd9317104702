import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.ts';

describe('EventLog', () => {
  it('timestamps events and drains them oldest first', () => {
    let nowMs = 1000;
    const log = new EventLog({ now: () => nowMs++ });
    log.push({ type: 'peerLeft', peerId: 'a' });
    log.push({ type: 'error', message: 'x' });
    expect(log.snapshot()).toEqual([
      { type: 'peerLeft', peerId: 'a', atMs: 1000 },
      { type: 'error', message: 'x', atMs: 1001 },
    ]);
    expect(log.drain()).toHaveLength(2);
    expect(log.drain()).toEqual([]);
  });

  it('keeps the newest entries up to its capacity and counts the dropped', () => {
    const log = new EventLog({ capacity: 3 });
    for (let i = 0; i < 5; i++) log.push({ type: 'peerLeft', peerId: `p${i}` });
    expect(log.snapshot().map((e) => (e.type === 'peerLeft' ? e.peerId : ''))).toEqual(['p2', 'p3', 'p4']);
    expect(log.dropped).toBe(2);
  });

  it('survives a listener that throws', () => {
    const log = new EventLog({
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    const original = console.error;
    console.error = () => {};
    try {
      log.push({ type: 'left', reason: 'r' });
    } finally {
      console.error = original;
    }
    expect(log.snapshot()).toHaveLength(1);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new EventLog({ capacity: 0 })).toThrow('capacity must be a whole number >= 1, got 0');
  });
});
