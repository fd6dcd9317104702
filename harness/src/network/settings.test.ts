import { describe, expect, it } from 'vitest';
import {
  applyLinkChange,
  averageLossPct,
  DEFAULT_QUEUE_MS,
  NetworkConfigError,
  resolveLinkProfile,
  resolveLinkUpdate,
  validateLinkUpdate,
} from './settings.ts';
import type { ResolvedLinkProfile } from './types.ts';

/** An update through the boundary (validated, resolved), then applied. */
const apply = (current: ResolvedLinkProfile, update: unknown) => applyLinkChange(current, resolveLinkUpdate(validateLinkUpdate(update)));

function errorOf(fn: () => unknown): NetworkConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof NetworkConfigError) return error;
    throw error;
  }
  throw new Error('expected a NetworkConfigError');
}

describe('validation', () => {
  it('names the field and the range', () => {
    const error = errorOf(() => validateLinkUpdate({ down: { lossPct: 150 } }));
    expect(error.field).toBe('network.down.lossPct');
    expect(error.message).toBe('network.down.lossPct must be a number in 0..100 (got 150)');
  });

  it('refuses unknown fields and lists the known ones', () => {
    const error = errorOf(() => validateLinkUpdate({ up: { los: 3 } }, 'participants.viewers.network'));
    expect(error.field).toBe('participants.viewers.network.up.los');
    expect(error.message).toContain('use one of: delayMs, jitterMs');
  });

  it.each([
    [{ delayMs: -1 }, 'network.delayMs'],
    [{ jitterCorrelation: 1.5 }, 'network.jitterCorrelation'],
    [{ rateKbps: Number.NaN }, 'network.rateKbps'],
    [{ queuePackets: 2.5 }, 'network.queuePackets'],
    [{ up: { delayMs: '50' } }, 'network.up.delayMs'],
    [{ allowPorts: [3478, 70_000] }, 'network.allowPorts[1]'],
    [{ blockUdp: 'yes' }, 'network.blockUdp'],
    [{ outageMs: -5 }, 'network.outageMs'],
    [{ up: 5 }, 'network.up'],
  ])('rejects %j at %s', (input, field) => {
    expect(errorOf(() => validateLinkUpdate(input)).field).toBe(field);
  });

  it('refuses a queue limited both in ms and in packets', () => {
    expect(errorOf(() => validateLinkUpdate({ queueMs: 100, queuePackets: 10 })).message).toContain('in ms or in packets');
  });

  it('tells a percent from a probability in burstLoss', () => {
    const error = errorOf(() => validateLinkUpdate({ burstLoss: { pGoodToBad: 5, pBadToGood: 0.3 } }));
    expect(error.field).toBe('network.burstLoss.pGoodToBad');
    expect(error.message).toContain('for 5% write 0.05');
    expect(errorOf(() => validateLinkUpdate({ burstLoss: { pGoodToBad: 0.1 } })).field).toBe('network.burstLoss.pBadToGood');
  });

  it('refuses lossPct next to burstLoss', () => {
    const error = errorOf(() => validateLinkUpdate({ lossPct: 2, burstLoss: { pGoodToBad: 0.1, pBadToGood: 0.5 } }));
    expect(error.message).toContain('lossInGoodPct');
  });

  it('keeps outageMs out of profiles', () => {
    expect(errorOf(() => resolveLinkProfile({ up: {}, down: {}, outageMs: 5 })).field).toBe('network.outageMs');
  });
});

describe('resolution and merging', () => {
  const base = resolveLinkProfile({ name: 'base', up: { delayMs: 20, rateKbps: 1_000 }, down: { delayMs: 30 } });

  it('fills defaults', () => {
    expect(base.up).toEqual({
      delayMs: 20,
      jitterMs: 0,
      jitterCorrelation: 0,
      lossPct: 0,
      burstLoss: null,
      rateKbps: 1_000,
      queue: { unit: 'ms', ms: DEFAULT_QUEUE_MS },
      reorderPct: 0,
      duplicatePct: 0,
    });
    expect(base.blockUdp).toBe(false);
    expect(base.allowPorts).toBeNull();
  });

  it('applies top-level fields to both directions and up/down to one', () => {
    const next = apply(base, ({ rateKbps: 300, lossPct: 3, down: { delayMs: 200 } }));
    expect([next.up.rateKbps, next.down.rateKbps, next.up.lossPct, next.down.lossPct]).toEqual([300, 300, 3, 3]);
    expect([next.up.delayMs, next.down.delayMs]).toEqual([20, 200]);
    expect(next.name).toBe('custom');
    expect(base.up.rateKbps).toBe(1_000); // the input is not mutated
  });

  it('lets the later of lossPct and burstLoss win', () => {
    const bursty = apply(base, ({ lossPct: 3 }));
    const burst = apply(bursty, ({ burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.5 } }));
    expect(burst.up.lossPct).toBe(0);
    expect(burst.up.burstLoss).toEqual({ pGoodToBad: 0.01, pBadToGood: 0.5, lossInBadPct: 100, lossInGoodPct: 0 });
    const flat = apply(burst, ({ lossPct: 1 }));
    expect(flat.up.burstLoss).toBeNull();
    expect(flat.up.lossPct).toBe(1);
  });

  it('switches the queue limit between ms and packets', () => {
    const packets = apply(base, ({ up: { queuePackets: 50 } }));
    expect(packets.up.queue).toEqual({ unit: 'packets', packets: 50 });
    expect(packets.down.queue).toEqual({ unit: 'ms', ms: DEFAULT_QUEUE_MS });
  });

  it('sets and clears access rules', () => {
    const turnOnly = apply(base, ({ allowPorts: [3478], blockUdp: true }));
    expect([turnOnly.allowPorts, turnOnly.blockUdp]).toEqual([[3478], true]);
    const open = apply(turnOnly, ({ allowPorts: null, blockUdp: false }));
    expect([open.allowPorts, open.blockUdp]).toEqual([null, false]);
  });

  it('resolves units and defaults once, into the change a link applies', () => {
    expect(resolveLinkUpdate(validateLinkUpdate({ rateKbps: 300, up: { queuePackets: 50, burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.5 } }, outageMs: 100 }))).toEqual({
      both: { rateKbps: 300 },
      up: { queue: { unit: 'packets', packets: 50 }, burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.5, lossInBadPct: 100, lossInGoodPct: 0 } },
      outageMs: 100,
    });
  });

  it('keeps the name for an outage-only update', () => {
    expect(apply(base, ({ outageMs: 100 })).name).toBe('base');
  });

  it('computes the long-run loss of a burst model', () => {
    const profile = resolveLinkProfile({ up: { burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.09, lossInBadPct: 50, lossInGoodPct: 1 } }, down: {} });
    expect(averageLossPct(profile.up)).toBeCloseTo(0.1 * 50 + 0.9 * 1, 10);
  });
});
