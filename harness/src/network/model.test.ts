// The link model on a fake clock: arrival times are plain numbers, so every figure is exact
// and the statistics run over 10^4–10^5 packets in milliseconds.
import { describe, expect, it } from 'vitest';
import { jitterStepMs } from './jitter.ts';
import { DirectionModel, TCP_MIN_RETRANSMIT_MS, type AccessRules, type PacketFate, type PacketInfo } from './model.ts';
import { createRandomStreams } from './random.ts';
import { resolveLinkProfile } from './settings.ts';
import type { LinkSettings, Transport } from './types.ts';

const OPEN: AccessRules = { blockUdp: false, allowPorts: null };

function model(settings: LinkSettings, options: { seed?: number | string; access?: AccessRules } = {}): DirectionModel {
  const resolved = resolveLinkProfile({ up: settings, down: {} }).up;
  return new DirectionModel(resolved, options.access ?? OPEN, createRandomStreams(options.seed ?? 1, 'link', 'up'));
}

function packet(arrivalMs: number, sizeBytes = 200, transport: Transport = 'udp', targetPort = 40_000): PacketInfo {
  return { sizeBytes, arrivalMs, transport, targetPort };
}

type Forward = Extract<PacketFate, { kind: 'forward' }>;

function forwarded(fate: PacketFate): Forward {
  if (fate.kind !== 'forward') throw new Error(`expected forward, got drop (${fate.reason})`);
  return fate;
}

/** Runs n packets spaced intervalMs apart; returns the fates with their arrival times. */
function run(m: DirectionModel, n: number, intervalMs: number, sizeBytes = 200, transport: Transport = 'udp') {
  const out: Array<{ t: number; fate: PacketFate }> = [];
  for (let i = 0; i < n; i++) out.push({ t: i * intervalMs, fate: m.decide(packet(i * intervalMs, sizeBytes, transport)) });
  return out;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, sd, p50: sorted[Math.floor(sorted.length / 2)] as number };
}

describe('delay and jitter', () => {
  it('adds delayMs to every packet', () => {
    const m = model({ delayMs: 50 });
    for (const { t, fate } of run(m, 100, 7)) expect(forwarded(fate).departMs).toBe(t + 50);
  });

  it.each([10, 1_000])('keeps order, median and σ at %i packets/s', (pps) => {
    const m = model({ delayMs: 100, jitterMs: 20, jitterCorrelation: 0.3 });
    const results = run(m, 20_000, 1_000 / pps);
    let last = -Infinity;
    for (const { fate } of results) {
      const departMs = forwarded(fate).departMs;
      expect(departMs).toBeGreaterThanOrEqual(last);
      last = departMs;
    }
    const delays = stats(results.map(({ t, fate }) => forwarded(fate).departMs - t));
    expect(delays.p50).toBeGreaterThan(97);
    expect(delays.p50).toBeLessThan(103);
    expect(delays.sd).toBeGreaterThan(18);
    expect(delays.sd).toBeLessThan(22);
  });

  it('correlates successive jitter values by jitterCorrelation', () => {
    const lagOne = (rho: number) => {
      const step = jitterStepMs(20, rho);
      const m = model({ delayMs: 100, jitterMs: 20, jitterCorrelation: rho });
      // Sampling at knot times reads the knots themselves.
      const d = run(m, 20_000, step).map(({ t, fate }) => forwarded(fate).departMs - t - 100);
      const { mean, sd } = stats(d);
      let sum = 0;
      for (let i = 1; i < d.length; i++) sum += ((d[i] as number) - mean) * ((d[i - 1] as number) - mean);
      return sum / (d.length - 1) / (sd * sd);
    };
    expect(lagOne(0)).toBeCloseTo(0, 1);
    expect(lagOne(0.8)).toBeGreaterThan(0.75);
    expect(lagOne(0.8)).toBeLessThan(0.85);
  });
});

describe('loss', () => {
  it('drops lossPct of 100,000 packets within 0.3 points', () => {
    const results = run(model({ lossPct: 5 }), 100_000, 1);
    const lost = results.filter(({ fate }) => fate.kind === 'drop' && fate.reason === 'loss').length;
    expect(lost / 1_000).toBeGreaterThan(4.7);
    expect(lost / 1_000).toBeLessThan(5.3);
  });

  it('makes Gilbert–Elliott bursts of mean length 1 / pBadToGood', () => {
    const m = model({ burstLoss: { pGoodToBad: 0.02, pBadToGood: 0.25, lossInBadPct: 100, lossInGoodPct: 0 } });
    const lost = run(m, 100_000, 1).map(({ fate }) => fate.kind === 'drop');
    const bursts: number[] = [];
    let length = 0;
    for (const l of lost) {
      if (l) length++;
      else if (length > 0) bursts.push(length), (length = 0);
    }
    const meanBurst = bursts.reduce((a, b) => a + b, 0) / bursts.length;
    expect(meanBurst).toBeGreaterThan(3.7);
    expect(meanBurst).toBeLessThan(4.3);
    const lossPct = (lost.filter(Boolean).length / lost.length) * 100;
    expect(lossPct).toBeGreaterThan(6.9); // πbad = 0.02 / 0.27 = 7.4%
    expect(lossPct).toBeLessThan(7.9);
  });

  it('turns a TCP loss into a retransmission delay, never a drop', () => {
    const m = model({ delayMs: 30, lossPct: 50 });
    const results = run(m, 1_000, 100, 200, 'tcp');
    expect(results.every(({ fate }) => fate.kind === 'forward')).toBe(true);
    const hit = results.filter(({ fate }) => forwarded(fate).retransmitted);
    expect(hit.length).toBeGreaterThan(400);
    for (const { t, fate } of hit) expect(forwarded(fate).departMs).toBe(t + 30 + Math.max(TCP_MIN_RETRANSMIT_MS, 60));
  });
});

describe('bottleneck', () => {
  // 1222 bytes of payload + 28 of headers = 1250 bytes = 10 ms at 1000 kbps.
  const WIRE_BYTES = 1250;

  it('paces at rateKbps and drops the tail beyond queueMs', () => {
    const m = model({ rateKbps: 1_000, queueMs: 100 });
    const results = run(m, 400, 5, WIRE_BYTES); // offered 2000 kbps for 2 s
    const sent = results.filter(({ fate }) => fate.kind === 'forward').map(({ fate }) => fate as Forward);
    const dropped = results.filter(({ fate }) => fate.kind === 'drop' && fate.reason === 'queue');
    expect(sent.length + dropped.length).toBe(400);
    for (let i = 1; i < sent.length; i++) {
      expect((sent[i] as Forward).departMs - (sent[i - 1] as Forward).departMs).toBeCloseTo(10, 6);
    }
    expect(Math.max(...sent.map((f) => f.queueDelayMs))).toBeLessThanOrEqual(100);
    // 2 s at 100 packets/s plus the 100 ms queue that fills.
    expect(sent.length).toBeGreaterThanOrEqual(209);
    expect(sent.length).toBeLessThanOrEqual(212);
    expect(m.backlogMs(2_000)).toBeGreaterThan(90);
  });

  it('limits the queue in packets', () => {
    const m = model({ rateKbps: 1_000, queuePackets: 5 });
    const sent = run(m, 400, 5, WIRE_BYTES)
      .filter(({ fate }) => fate.kind === 'forward')
      .map(({ fate }) => fate as Forward);
    // Five packets of 10 ms each at most ahead of a new one.
    expect(Math.max(...sent.map((f) => f.queueDelayMs))).toBeLessThanOrEqual(50);
    expect(sent.length).toBeGreaterThanOrEqual(200);
    expect(sent.length).toBeLessThanOrEqual(206);
  });

  it('applies backpressure to TCP instead of dropping', () => {
    const m = model({ rateKbps: 1_000, queueMs: 50 });
    const results = run(m, 100, 5, WIRE_BYTES, 'tcp').map(({ fate }) => forwarded(fate));
    const paused = results.filter((f) => f.pauseSourceUntilMs !== null);
    expect(paused.length).toBeGreaterThan(0);
    for (const f of paused) expect(f.pauseSourceUntilMs).toBeGreaterThan(0);
  });
});

describe('outage, block, duplicate, reorder', () => {
  it('drops everything arriving during an outage; TCP waits for its end', () => {
    const m = model({ delayMs: 10 });
    m.setOutageUntil(1_000);
    expect(m.decide(packet(500))).toEqual({ kind: 'drop', reason: 'outage' });
    const tcp = forwarded(m.decide(packet(600, 200, 'tcp')));
    expect(tcp.departMs).toBeGreaterThanOrEqual(1_010);
    expect(tcp.pauseSourceUntilMs).toBe(1_000);
    expect(forwarded(m.decide(packet(1_000))).departMs).toBeGreaterThanOrEqual(1_010);
  });

  it('blocks UDP only with blockUdp, and ports outside allowPorts', () => {
    const noUdp = model({}, { access: { blockUdp: true, allowPorts: null } });
    expect(noUdp.decide(packet(0, 100, 'udp'))).toEqual({ kind: 'drop', reason: 'blocked' });
    expect(noUdp.decide(packet(0, 100, 'tcp')).kind).toBe('forward');
    const turnOnly = model({}, { access: { blockUdp: false, allowPorts: new Set([3478]) } });
    expect(turnOnly.decide(packet(0, 100, 'udp', 40_000))).toEqual({ kind: 'drop', reason: 'blocked' });
    expect(turnOnly.decide(packet(0, 100, 'tcp', 40_000))).toEqual({ kind: 'drop', reason: 'blocked' });
    expect(turnOnly.decide(packet(0, 100, 'udp', 3478)).kind).toBe('forward');
  });

  it('duplicates duplicatePct of UDP packets and no TCP frame', () => {
    const udp = run(model({ duplicatePct: 10 }), 10_000, 1).filter(({ fate }) => forwarded(fate).copies === 2);
    expect(udp.length).toBeGreaterThan(850);
    expect(udp.length).toBeLessThan(1_150);
    const tcp = run(model({ duplicatePct: 10 }), 1_000, 1, 200, 'tcp');
    expect(tcp.every(({ fate }) => forwarded(fate).copies === 1)).toBe(true);
  });

  it('lets reorderPct packets skip the delay, and keeps order otherwise', () => {
    const results = run(model({ delayMs: 50, reorderPct: 10 }), 10_000, 1).map(({ fate }) => forwarded(fate));
    const early = results.filter((f, i) => i > 0 && f.departMs < (results[i - 1] as Forward).departMs);
    expect(early.length).toBeGreaterThan(800);
    expect(early.every((f) => f.reordered)).toBe(true);
    const inOrder = run(model({ delayMs: 50, jitterMs: 30 }), 10_000, 1).map(({ fate }) => forwarded(fate).departMs);
    expect(inOrder.every((d, i) => i === 0 || d >= (inOrder[i - 1] as number))).toBe(true);
    const tcp = run(model({ delayMs: 50, reorderPct: 50 }), 1_000, 1, 200, 'tcp');
    expect(tcp.some(({ fate }) => forwarded(fate).reordered)).toBe(false);
  });
});

describe('changes mid-stream', () => {
  it('applies new settings to packets arriving after the change, never reordering', () => {
    const m = model({ delayMs: 50 });
    const before = run(m, 10, 10).map(({ fate }) => forwarded(fate).departMs);
    m.configure(resolveLinkProfile({ up: { delayMs: 10 }, down: {} }).up, OPEN);
    const after = [100, 110, 150].map((t) => forwarded(m.decide(packet(t))).departMs);
    expect(after[0]).toBe(before.at(-1)); // would be 110, but may not overtake the packet leaving at 140
    expect(after[1]).toBe(140);
    expect(after[2]).toBe(160);

    m.configure(resolveLinkProfile({ up: { delayMs: 10, lossPct: 100 }, down: {} }).up, OPEN);
    expect(m.decide(packet(200))).toEqual({ kind: 'drop', reason: 'loss' });
  });
});

describe('determinism', () => {
  const settings: LinkSettings = { delayMs: 40, jitterMs: 10, lossPct: 7, duplicatePct: 3, reorderPct: 2 };
  const trace = (seed: number) => JSON.stringify(run(model(settings, { seed }), 5_000, 2).map(({ fate }) => fate));
  const drops = (seed: number) =>
    run(model(settings, { seed }), 5_000, 2)
      .map(({ fate }, i) => (fate.kind === 'drop' ? i : -1))
      .filter((i) => i >= 0);

  it('repeats every decision for the same seed', () => {
    expect(trace(42)).toBe(trace(42));
  });

  it('drops other packets for another seed', () => {
    expect(drops(42)).not.toEqual(drops(43));
  });

  it('gives each direction its own streams', () => {
    const resolved = resolveLinkProfile({ up: { lossPct: 20 }, down: { lossPct: 20 } });
    const up = new DirectionModel(resolved.up, OPEN, createRandomStreams(1, 'a', 'up'));
    const down = new DirectionModel(resolved.down, OPEN, createRandomStreams(1, 'a', 'down'));
    const pattern = (m: DirectionModel) => run(m, 200, 1).map(({ fate }) => fate.kind).join();
    expect(pattern(up)).not.toBe(pattern(down));
  });
});
