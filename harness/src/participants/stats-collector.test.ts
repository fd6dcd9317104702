// The collector's scheduling and failure handling, against a fake snapshot source. The real page,
// agent and bridge are exercised in test/e2e/stats-agent.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RawSnapshot } from '../stats/raw.ts';
import type { Sample } from '../stats/types.ts';
import { StatsCollector, type SnapshotSource } from './stats-collector.ts';

const T0 = 1_700_000_000_000;

function snapshot(i: number): RawSnapshot {
  const tMs = T0 + i * 1000;
  return {
    v: 1,
    agentId: 'a',
    tMs,
    marks: {},
    events: [],
    pcs: [
      {
        id: 'pc0',
        createdMs: T0 - 1000,
        connectionState: 'connected',
        iceConnectionState: 'connected',
        statsMs: tMs,
        inbound: [{ kind: 'video', ssrc: 1, mid: '0', bytesReceived: 125_000 * i, framesDecoded: 30 * i }],
        outbound: [],
        remoteInbound: [],
      },
    ],
  };
}

/** A source that answers from `answer(callIndex)` after `delayMs`, counting overlaps. */
function fakeSource(answer: (call: number) => RawSnapshot | null | Error, delayMs = 5) {
  const stats = { calls: 0, active: 0, maxActive: 0 };
  const snapshots: SnapshotSource = () => {
    const call = stats.calls++;
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        stats.active--;
        const a = answer(call);
        if (a instanceof Error) reject(a);
        else resolve(a);
      }, delayMs),
    );
  };
  return { snapshots, stats };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('StatsCollector', () => {
  it('polls every interval and emits derived samples, rates from the second one on', async () => {
    const { snapshots, stats } = fakeSource((i) => snapshot(i));
    const c = new StatsCollector({ snapshots, participant: 'viewers[0]', group: 'viewers', intervalMs: 1000 });
    const samples: Sample[] = [];
    c.on('sample', (s) => samples.push(s));
    c.start();
    await vi.advanceTimersByTimeAsync(3500);
    await c.stop();
    expect(stats.calls).toBe(4);
    expect(samples).toHaveLength(4);
    expect(samples[0]!.streams[0]!.values.video_recv_fps).toBeUndefined();
    expect(samples[1]!.streams[0]!.values.video_recv_fps).toBeCloseTo(30);
    expect(samples[3]!.streams[0]!.values.video_recv_bitrate_kbps).toBeCloseTo(1000);
    expect(samples[0]!.participant).toBe('viewers[0]');
    expect(c.sampleCount).toBe(4);
  });

  it('never runs two collects at once when the page answers slower than the interval', async () => {
    const { snapshots, stats } = fakeSource((i) => snapshot(i), 2500);
    const c = new StatsCollector({ snapshots, participant: 'p', group: 'g', intervalMs: 1000 });
    c.start();
    const now = c.collectNow();
    await vi.advanceTimersByTimeAsync(10_000);
    await now;
    const stopping = c.stop(); // Waits for the collect in flight.
    await vi.advanceTimersByTimeAsync(5000);
    await stopping;
    expect(stats.maxActive).toBe(1);
    expect(stats.calls).toBeGreaterThanOrEqual(4);
  });

  it('emits one error and stops when the page is gone, keeping what it measured', async () => {
    const { snapshots, stats } = fakeSource((i) =>
      i < 2 ? snapshot(i) : new Error('Protocol error (Runtime.callFunctionOn): Target closed'),
    );
    const c = new StatsCollector({ snapshots, participant: 'viewers[1]', group: 'viewers', intervalMs: 1000 });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    c.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/stats collection for viewers\[1\] stopped: the page is gone/);
    expect(stats.calls).toBe(3);
    expect(c.running).toBe(false);
    expect(c.sampleCount).toBe(2);
    expect(c.lastSample?.t).toBe(T0 + 1000);
    await c.stop();
  });

  it('rides out transient failures (a navigation) and gives up after too many in a row', async () => {
    const flaky = fakeSource((i) => (i === 1 ? new Error('Execution context was destroyed') : snapshot(i)));
    const ok = new StatsCollector({ snapshots: flaky.snapshots, participant: 'p', group: 'g', intervalMs: 1000, maxConsecutiveFailures: 2 });
    const okErrors: Error[] = [];
    ok.on('error', (e) => okErrors.push(e));
    ok.start();
    await vi.advanceTimersByTimeAsync(3500);
    await ok.stop();
    expect(okErrors).toEqual([]);
    expect(ok.sampleCount).toBe(3);

    const broken = fakeSource(() => new Error('Execution context was destroyed'));
    const bad = new StatsCollector({ snapshots: broken.snapshots, participant: 'p', group: 'g', intervalMs: 1000, maxConsecutiveFailures: 3 });
    const badErrors: Error[] = [];
    bad.on('error', (e) => badErrors.push(e));
    bad.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(badErrors).toHaveLength(1);
    expect(badErrors[0]!.message).toMatch(/3 collects in a row failed/);
    expect(broken.stats.calls).toBe(3);
  });

  it('says how to install the agent when the page has none', async () => {
    const { snapshots } = fakeSource(() => null);
    const c = new StatsCollector({ snapshots, participant: 'p', group: 'g', intervalMs: 1000, maxConsecutiveFailures: 2 });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    c.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('page.evaluateOnNewDocument(await buildAgentScript())')]);
  });

  it('counts a page that does not answer in time as a failure', async () => {
    const { snapshots } = fakeSource((i) => snapshot(i), 60_000);
    const c = new StatsCollector({ snapshots, participant: 'p', group: 'g', collectTimeoutMs: 2000, maxConsecutiveFailures: 2 });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    c.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(errors[0]?.message).toMatch(/no answer from the page within 2000 ms/);
  });

  it('stops at once while a collect waits on a page that will never answer (a crashed renderer)', async () => {
    const { snapshots } = fakeSource((i) => snapshot(i), 3_600_000);
    const c = new StatsCollector({ snapshots, participant: 'p', group: 'g' });
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    c.start();
    await vi.advanceTimersByTimeAsync(100);
    let stopped = false;
    void c.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(true);
    expect(c.running).toBe(false);
    expect(await c.collectNow()).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('keeps collecting when a listener throws', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { snapshots } = fakeSource((i) => snapshot(i));
      const c = new StatsCollector({ snapshots, participant: 'p', group: 'g' });
      c.on('sample', () => {
        throw new Error('listener bug');
      });
      c.start();
      await vi.advanceTimersByTimeAsync(2500);
      await c.stop();
      expect(c.sampleCount).toBe(3);
      expect(write).toHaveBeenCalledWith(expect.stringContaining('listener bug'));
    } finally {
      write.mockRestore();
    }
  });

  it('rejects a bad interval, naming the option', () => {
    const { snapshots } = fakeSource((i) => snapshot(i));
    expect(() => new StatsCollector({ snapshots, participant: 'p', group: 'g', intervalMs: 0 })).toThrow('intervalMs must be a positive number');
  });
});
