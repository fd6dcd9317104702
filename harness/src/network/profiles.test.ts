import { describe, expect, it } from 'vitest';
import { getProfile, PROFILE_NAMES, profiles, profilesTable } from './profiles.ts';
import { applyLinkChange, resolveLinkProfile, resolveLinkUpdate, validateLinkUpdate } from './settings.ts';

describe('profiles', () => {
  it('has the presets the scenarios name', () => {
    for (const name of ['perfect', 'none', 'wifi', 'lossy-wifi', 'cable', 'dsl', 'lte', '4g', '3g', 'poor-3g', 'edge', 'satellite', 'high-latency', 'high-loss']) {
      expect(PROFILE_NAMES).toContain(name);
    }
    expect(profiles['4g']).toBe(profiles.lte);
    expect(profiles.none).toBe(profiles.perfect);
  });

  it.each(PROFILE_NAMES)('%s replaces any earlier settings when applied as an update', (name) => {
    const messy = resolveLinkProfile({
      up: { delayMs: 999, jitterMs: 99, jitterCorrelation: 0.9, burstLoss: { pGoodToBad: 0.5, pBadToGood: 0.5 }, rateKbps: 1, queuePackets: 3, reorderPct: 50, duplicatePct: 50 },
      down: { lossPct: 50 },
      blockUdp: true,
      allowPorts: [1],
    });
    const applied = applyLinkChange(messy, resolveLinkUpdate(validateLinkUpdate(profiles[name])));
    expect(applied).toEqual(resolveLinkProfile(profiles[name]));
  });

  it('is frozen', () => {
    expect(Object.isFrozen(profiles.lte)).toBe(true);
    expect(Object.isFrozen(profiles.lte.up)).toBe(true);
  });

  it('is asymmetric where the access is', () => {
    const cable = resolveLinkProfile(profiles.cable);
    expect(cable.down.rateKbps).toBeGreaterThan(cable.up.rateKbps);
  });

  it('renders a markdown table with a row per direction', () => {
    const table = profilesTable();
    const rows = table.split('\n').filter((line) => line.startsWith('| '));
    // Header + one row per direction of each distinct preset (aliases share a row).
    expect(rows.length).toBe(1 + 2 * new Set(Object.values(profiles)).size);
    expect(table).toContain('| `lte` / `4g` | up | 25 | 8 (ρ 0.6) | 0.1 | 5,000 | 200 ms |');
    expect(table).toContain('bursty');
  });

  it('names the presets when one is unknown', () => {
    expect(() => getProfile('5g')).toThrow(/unknown network profile '5g': use one of perfect, none, wifi/);
    expect(getProfile('edge')).toBe(profiles.edge);
  });
});
