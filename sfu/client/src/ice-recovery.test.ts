import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IceRecovery } from './ice-recovery.ts';

class FakeTransport extends EventEmitter {
  connectionState = 'connected';
  set(state: string): void {
    this.connectionState = state;
    this.emit('connectionstatechange', state);
  }
}

describe('IceRecovery', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('restarts once when a transport disconnects, and not again once connected', async () => {
    const send = new FakeTransport();
    const recv = new FakeTransport();
    const restart = vi.fn(async () => {});
    const recovery = new IceRecovery([send, recv], { restart, report: () => {}, retryMs: 1000 });
    send.set('disconnected');
    recv.set('disconnected');
    expect(restart).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(0);
    send.set('connected');
    recv.set('connected');
    await vi.advanceTimersByTimeAsync(5000);
    expect(restart).toHaveBeenCalledTimes(1);
    expect(recovery.attempts).toBe(0);
    recovery.close();
  });

  it('retries while the connection stays down, then gives up and says so', async () => {
    const send = new FakeTransport();
    const reports: string[] = [];
    const restart = vi.fn(async () => send.set('connecting'));
    const recovery = new IceRecovery([send], { restart, report: (m) => reports.push(m), retryMs: 1000, maxAttempts: 3 });
    send.set('failed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(restart).toHaveBeenCalledTimes(3);
    send.set('failed');
    expect(reports).toEqual(['ICE restart gave up after 3 attempts without reconnecting']);
    recovery.close();
  });

  it('reports a failed restart and stops listening when closed', async () => {
    const send = new FakeTransport();
    const reports: string[] = [];
    const recovery = new IceRecovery([send], { restart: async () => Promise.reject(new Error('socket closed')), report: (m) => reports.push(m) });
    send.set('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toEqual(['automatic ICE restart failed: socket closed']);
    recovery.close();
    expect(send.listenerCount('connectionstatechange')).toBe(0);
  });
});
