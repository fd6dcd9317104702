// Named access networks as data. Every preset spells out every field of both directions, so
// `link.set(profiles.lte)` replaces whatever the link had (a merge of a complete profile is a
// replacement). Numbers are typical figures for each access type, not worst cases; up is the
// browser's uplink (what it sends), down what it receives. `profilesTable()` renders them for
// the README.
import { averageLossPct, DEFAULT_QUEUE_MS, resolveLinkProfile } from './settings.ts';
import type { BurstLoss, LinkProfile, LinkSettings, ResolvedLinkSettings } from './types.ts';

interface PresetDirection {
  delayMs: number;
  jitterMs?: number;
  jitterCorrelation?: number;
  lossPct?: number;
  burstLoss?: BurstLoss;
  rateKbps?: number;
  queueMs?: number;
}

/** Every field explicit, so applying the preset as an update leaves nothing from before. */
function complete(direction: PresetDirection): LinkSettings {
  return Object.freeze({
    delayMs: direction.delayMs,
    jitterMs: direction.jitterMs ?? 0,
    jitterCorrelation: direction.jitterCorrelation ?? 0,
    lossPct: direction.lossPct ?? 0,
    burstLoss: direction.burstLoss ? Object.freeze({ ...direction.burstLoss }) : null,
    rateKbps: direction.rateKbps ?? 0,
    queueMs: direction.queueMs ?? DEFAULT_QUEUE_MS,
    reorderPct: 0,
    duplicatePct: 0,
  });
}

function preset(name: string, description: string, up: PresetDirection, down: PresetDirection): LinkProfile {
  const profile: LinkProfile = { name, description, up: complete(up), down: complete(down), blockUdp: false, allowPorts: null };
  resolveLinkProfile(profile, `profiles.${name}`); // a typo here fails at import, not mid-run
  return Object.freeze(profile);
}

const perfect = preset('perfect', 'No shaping at all (the relay only forwards)', { delayMs: 0 }, { delayMs: 0 });
const lte = preset(
  'lte',
  '4G/LTE, good signal (HARQ hides most radio loss)',
  { delayMs: 25, jitterMs: 8, jitterCorrelation: 0.6, lossPct: 0.1, rateKbps: 5_000, queueMs: 200 },
  { delayMs: 25, jitterMs: 8, jitterCorrelation: 0.6, lossPct: 0.1, rateKbps: 15_000, queueMs: 200 },
);

export const profiles = Object.freeze({
  perfect,
  none: perfect,
  wifi: preset(
    'wifi',
    'Good home Wi-Fi on a fast wired uplink',
    { delayMs: 5, jitterMs: 2, jitterCorrelation: 0.5, rateKbps: 20_000, queueMs: 100 },
    { delayMs: 5, jitterMs: 2, jitterCorrelation: 0.5, rateKbps: 50_000, queueMs: 100 },
  ),
  'lossy-wifi': preset(
    'lossy-wifi',
    'Congested Wi-Fi: bursts of loss from interference (mean burst 4 packets)',
    {
      delayMs: 10,
      jitterMs: 8,
      jitterCorrelation: 0.5,
      burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.25, lossInBadPct: 40, lossInGoodPct: 0.3 },
      rateKbps: 5_000,
      queueMs: 100,
    },
    {
      delayMs: 10,
      jitterMs: 8,
      jitterCorrelation: 0.5,
      burstLoss: { pGoodToBad: 0.01, pBadToGood: 0.25, lossInBadPct: 40, lossInGoodPct: 0.3 },
      rateKbps: 10_000,
      queueMs: 100,
    },
  ),
  cable: preset(
    'cable',
    'DOCSIS cable: asymmetric, deep upstream buffer',
    { delayMs: 10, jitterMs: 2, jitterCorrelation: 0.5, rateKbps: 5_000, queueMs: 300 },
    { delayMs: 10, jitterMs: 1, jitterCorrelation: 0.5, rateKbps: 50_000, queueMs: 150 },
  ),
  dsl: preset(
    'dsl',
    'ADSL2+: narrow uplink',
    { delayMs: 15, jitterMs: 1, rateKbps: 1_000, queueMs: 250 },
    { delayMs: 15, jitterMs: 1, rateKbps: 8_000, queueMs: 150 },
  ),
  lte,
  '4g': lte,
  '3g': preset(
    '3g',
    '3G/HSPA, fair signal',
    { delayMs: 60, jitterMs: 15, jitterCorrelation: 0.6, lossPct: 0.5, rateKbps: 768, queueMs: 400 },
    { delayMs: 60, jitterMs: 15, jitterCorrelation: 0.6, lossPct: 0.5, rateKbps: 2_000, queueMs: 300 },
  ),
  'poor-3g': preset(
    'poor-3g',
    '3G/UMTS at the cell edge',
    { delayMs: 150, jitterMs: 40, jitterCorrelation: 0.7, lossPct: 2, rateKbps: 256, queueMs: 600 },
    { delayMs: 150, jitterMs: 40, jitterCorrelation: 0.7, lossPct: 2, rateKbps: 750, queueMs: 500 },
  ),
  edge: preset(
    'edge',
    '2.5G EDGE: a few hundred kbps at best',
    { delayMs: 200, jitterMs: 50, jitterCorrelation: 0.7, lossPct: 1, rateKbps: 120, queueMs: 1_000 },
    { delayMs: 200, jitterMs: 50, jitterCorrelation: 0.7, lossPct: 1, rateKbps: 240, queueMs: 800 },
  ),
  satellite: preset(
    'satellite',
    'Geostationary satellite broadband (RTT ≈ 600 ms)',
    { delayMs: 300, jitterMs: 10, jitterCorrelation: 0.5, lossPct: 0.5, rateKbps: 3_000, queueMs: 500 },
    { delayMs: 300, jitterMs: 10, jitterCorrelation: 0.5, lossPct: 0.5, rateKbps: 25_000, queueMs: 300 },
  ),
  'high-latency': preset(
    'high-latency',
    'Long-haul path: 400 ms round trip, nothing else',
    { delayMs: 200 },
    { delayMs: 200 },
  ),
  'high-loss': preset(
    'high-loss',
    '10% random loss each way, nothing else',
    { delayMs: 20, lossPct: 10 },
    { delayMs: 20, lossPct: 10 },
  ),
} satisfies Record<string, LinkProfile>);

export type ProfileName = keyof typeof profiles;
export const PROFILE_NAMES = Object.keys(profiles) as ProfileName[];

/** A preset by name; the error lists the names there are. */
export function getProfile(name: string): LinkProfile {
  if (Object.hasOwn(profiles, name)) return profiles[name as ProfileName];
  throw new Error(`unknown network profile '${name}': use one of ${PROFILE_NAMES.join(', ')}`);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(Math.round(value * 100) / 100);
}

function cells(settings: ResolvedLinkSettings): string[] {
  const jitter = settings.jitterMs > 0 ? `${formatNumber(settings.jitterMs)} (ρ ${settings.jitterCorrelation})` : '0';
  const burst = settings.burstLoss;
  const loss = burst
    ? `${formatNumber(averageLossPct(settings))} avg, bursty (G→B ${burst.pGoodToBad}, B→G ${burst.pBadToGood}, ${burst.lossInBadPct}% in bad, ${burst.lossInGoodPct}% in good)`
    : formatNumber(settings.lossPct);
  const rate = settings.rateKbps > 0 ? formatNumber(settings.rateKbps) : 'unlimited';
  const queue = settings.rateKbps === 0 ? '—' : settings.queue.unit === 'ms' ? `${formatNumber(settings.queue.ms)} ms` : `${settings.queue.packets} packets`;
  return [formatNumber(settings.delayMs), jitter, loss, rate, queue];
}

/** The presets as a markdown table (one row per direction; aliases listed with their preset). */
export function profilesTable(): string {
  const lines = [
    '| Profile | Dir | Delay (ms) | Jitter σ (ms, correlation) | Loss (%) | Rate (kbps) | Queue | What it stands for |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const seen = new Map<LinkProfile, string[]>();
  for (const name of PROFILE_NAMES) seen.set(profiles[name], [...(seen.get(profiles[name]) ?? []), name]);
  for (const [profile, names] of seen) {
    const resolved = resolveLinkProfile(profile);
    const label = names.map((n) => `\`${n}\``).join(' / ');
    lines.push(`| ${label} | up | ${cells(resolved.up).join(' | ')} | ${profile.description ?? ''} |`);
    lines.push(`| | down | ${cells(resolved.down).join(' | ')} | |`);
  }
  lines.push(
    '',
    'Up is what the browser sends, down what it receives. Delay is one way. Jitter is the standard deviation of that delay, a normal variation drifting smoothly over tens of ms, so packets keep their order and the median delay stays at the delay column at any packet rate (the RFC 3550 interarrival jitter that getStats reports is lower than σ for the same reason). Rates count IP packets (payload + 28 bytes for UDP). Loss on TCP becomes a retransmission delay, since TCP never loses data.',
  );
  return lines.join('\n');
}
