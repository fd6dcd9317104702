// Validation and merging of link settings, done once at the boundary: what a user or a trace
// writes (unknown JSON-ish input) becomes a Resolved* value the model trusts. Errors name the
// field path and the accepted range, e.g. "network.down.lossPct must be a number in 0..100 (got 150)".
import type {
  BurstLoss,
  LinkSettings,
  LinkUpdate,
  ResolvedBurstLoss,
  ResolvedLinkProfile,
  ResolvedLinkSettings,
} from './types.ts';

export class NetworkConfigError extends Error {
  /** Dotted path of the offending field, e.g. 'network.up.rateKbps'. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.name = 'NetworkConfigError';
    this.field = field;
  }
}

/**
 * Bottleneck queue when none is given: a home router's drop-tail buffer at these rates holds
 * 100–500 ms; 200 ms lets congestion control see delay grow before it sees loss.
 */
export const DEFAULT_QUEUE_MS = 200;

export const DEFAULT_SETTINGS: ResolvedLinkSettings = Object.freeze({
  delayMs: 0,
  jitterMs: 0,
  jitterCorrelation: 0,
  lossPct: 0,
  burstLoss: null,
  rateKbps: 0,
  queue: Object.freeze({ unit: 'ms', ms: DEFAULT_QUEUE_MS }),
  reorderPct: 0,
  duplicatePct: 0,
}) as ResolvedLinkSettings;

export const PERFECT_PROFILE: ResolvedLinkProfile = Object.freeze({
  name: 'perfect',
  up: DEFAULT_SETTINGS,
  down: DEFAULT_SETTINGS,
  blockUdp: false,
  allowPorts: null,
});

/** Numeric fields of LinkSettings: [min, max, integer?]. */
const NUMBER_RANGES = {
  delayMs: [0, 60_000, false],
  jitterMs: [0, 10_000, false],
  jitterCorrelation: [0, 1, false],
  lossPct: [0, 100, false],
  rateKbps: [0, 10_000_000, false],
  queueMs: [1, 60_000, false],
  queuePackets: [1, 1_000_000, true],
  reorderPct: [0, 100, false],
  duplicatePct: [0, 100, false],
} as const satisfies Record<string, readonly [number, number, boolean]>;

type NumberField = keyof typeof NUMBER_RANGES;
const SETTINGS_FIELDS = [...Object.keys(NUMBER_RANGES), 'burstLoss'];
const ACCESS_FIELDS = ['blockUdp', 'allowPorts'];
const PROFILE_FIELDS = ['name', 'description', 'up', 'down', ...ACCESS_FIELDS];
const UPDATE_FIELDS = [...SETTINGS_FIELDS, ...PROFILE_FIELDS, 'outageMs'];
const BURST_FIELDS = ['pGoodToBad', 'pBadToGood', 'lossInBadPct', 'lossInGoodPct'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function checkObject(value: unknown, where: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) throw new NetworkConfigError(where, `must be an object (got ${describe(value)})`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new NetworkConfigError(`${where}.${key}`, `is not a known field; use one of: ${allowed.join(', ')}`);
    }
  }
  return value;
}

function checkNumber(value: unknown, where: string, min: number, max: number, integer = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
  if (!ok || (integer && !Number.isInteger(value))) {
    throw new NetworkConfigError(where, `must be ${integer ? 'an integer' : 'a number'} in ${min}..${max} (got ${describe(value)})`);
  }
  return value;
}

function checkBurstLoss(value: unknown, where: string): ResolvedBurstLoss | null {
  if (value === null) return null;
  const input = checkObject(value, where, BURST_FIELDS);
  for (const field of ['pGoodToBad', 'pBadToGood'] as const) {
    if (input[field] === undefined) throw new NetworkConfigError(`${where}.${field}`, 'is required (a probability 0..1 per packet)');
    if (typeof input[field] === 'number' && input[field] > 1) {
      throw new NetworkConfigError(`${where}.${field}`, `is a probability 0..1, not a percent (for 5% write 0.05; got ${input[field]})`);
    }
  }
  const burst = input as unknown as BurstLoss;
  return {
    pGoodToBad: checkNumber(burst.pGoodToBad, `${where}.pGoodToBad`, 0, 1),
    // 0 would trap the link in the bad state forever.
    pBadToGood: checkNumber(burst.pBadToGood, `${where}.pBadToGood`, 1e-6, 1),
    lossInBadPct: checkNumber(burst.lossInBadPct ?? 100, `${where}.lossInBadPct`, 0, 100),
    lossInGoodPct: checkNumber(burst.lossInGoodPct ?? 0, `${where}.lossInGoodPct`, 0, 100),
  };
}

/** Checks one direction's settings (every field optional); returns them unchanged in type. */
export function validateLinkSettings(value: unknown, where: string): LinkSettings {
  const input = checkObject(value, where, SETTINGS_FIELDS);
  for (const field of Object.keys(NUMBER_RANGES) as NumberField[]) {
    if (input[field] === undefined) continue;
    const [min, max, integer] = NUMBER_RANGES[field];
    checkNumber(input[field], `${where}.${field}`, min, max, integer);
  }
  if (input.queueMs !== undefined && input.queuePackets !== undefined) {
    throw new NetworkConfigError(`${where}.queuePackets`, 'cannot be given with queueMs: limit the queue in ms or in packets');
  }
  if (input.burstLoss !== undefined) {
    checkBurstLoss(input.burstLoss, `${where}.burstLoss`);
    if (input.burstLoss !== null && typeof input.lossPct === 'number' && input.lossPct > 0) {
      throw new NetworkConfigError(`${where}.lossPct`, 'cannot be given with burstLoss: put random loss in burstLoss.lossInGoodPct');
    }
  }
  return input as LinkSettings;
}

function checkAccess(input: Record<string, unknown>, where: string): void {
  if (input.blockUdp !== undefined && typeof input.blockUdp !== 'boolean') {
    throw new NetworkConfigError(`${where}.blockUdp`, `must be true or false (got ${describe(input.blockUdp)})`);
  }
  if (input.allowPorts !== undefined && input.allowPorts !== null) {
    if (!Array.isArray(input.allowPorts)) {
      throw new NetworkConfigError(`${where}.allowPorts`, `must be an array of ports or null (got ${describe(input.allowPorts)})`);
    }
    input.allowPorts.forEach((port, i) => checkNumber(port, `${where}.allowPorts[${i}]`, 1, 65_535, true));
  }
}

/** Checks a LinkUpdate (or a LinkProfile, which is one). Throws NetworkConfigError. */
export function validateLinkUpdate(value: unknown, where = 'network'): LinkUpdate {
  const input = checkObject(value, where, UPDATE_FIELDS);
  const both: Record<string, unknown> = {};
  for (const key of SETTINGS_FIELDS) if (input[key] !== undefined) both[key] = input[key];
  validateLinkSettings(both, where);
  for (const dir of ['up', 'down'] as const) {
    if (input[dir] !== undefined) validateLinkSettings(input[dir], `${where}.${dir}`);
  }
  checkAccess(input, where);
  if (input.outageMs !== undefined) checkNumber(input.outageMs, `${where}.outageMs`, 0, 24 * 3_600_000);
  for (const key of ['name', 'description'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'string') {
      throw new NetworkConfigError(`${where}.${key}`, `must be a string (got ${describe(input[key])})`);
    }
  }
  return input as LinkUpdate;
}

/** Merges validated settings onto resolved ones; mutually exclusive fields replace each other. */
export function mergeLinkSettings(current: ResolvedLinkSettings, patch: LinkSettings): ResolvedLinkSettings {
  const next: ResolvedLinkSettings = { ...current };
  if (patch.delayMs !== undefined) next.delayMs = patch.delayMs;
  if (patch.jitterMs !== undefined) next.jitterMs = patch.jitterMs;
  if (patch.jitterCorrelation !== undefined) next.jitterCorrelation = patch.jitterCorrelation;
  if (patch.rateKbps !== undefined) next.rateKbps = patch.rateKbps;
  if (patch.reorderPct !== undefined) next.reorderPct = patch.reorderPct;
  if (patch.duplicatePct !== undefined) next.duplicatePct = patch.duplicatePct;
  if (patch.queueMs !== undefined) next.queue = { unit: 'ms', ms: patch.queueMs };
  if (patch.queuePackets !== undefined) next.queue = { unit: 'packets', packets: patch.queuePackets };
  // The later of lossPct and burstLoss wins, so a timeline step { lossPct: 3 } ends a burst model.
  if (patch.lossPct !== undefined) {
    next.lossPct = patch.lossPct;
    next.burstLoss = null;
  }
  if (patch.burstLoss !== undefined) {
    next.burstLoss = checkBurstLoss(patch.burstLoss, 'burstLoss');
    if (next.burstLoss) next.lossPct = 0;
  }
  return next;
}

function pickSettings(update: LinkUpdate): LinkSettings {
  const both: Record<string, unknown> = {};
  for (const key of SETTINGS_FIELDS) {
    const value = (update as Record<string, unknown>)[key];
    if (value !== undefined) both[key] = value;
  }
  return both as LinkSettings;
}

function changesSettings(update: LinkUpdate): boolean {
  return Object.keys(update).some((key) => key !== 'outageMs' && key !== 'description');
}

/** Applies a validated update: both-direction fields first, then `up` / `down`. */
export function applyLinkUpdate(current: ResolvedLinkProfile, update: LinkUpdate): ResolvedLinkProfile {
  const both = pickSettings(update);
  const up = mergeLinkSettings(mergeLinkSettings(current.up, both), update.up ?? {});
  const down = mergeLinkSettings(mergeLinkSettings(current.down, both), update.down ?? {});
  return {
    name: update.name ?? (changesSettings(update) ? 'custom' : current.name),
    up,
    down,
    blockUdp: update.blockUdp ?? current.blockUdp,
    allowPorts: update.allowPorts === undefined ? current.allowPorts : update.allowPorts && [...update.allowPorts],
  };
}

/** Validates a profile (or update) and resolves it over the defaults: missing fields are 0/none. */
export function resolveLinkProfile(value: unknown, where = 'network'): ResolvedLinkProfile {
  const update = validateLinkUpdate(value, where);
  if (update.outageMs !== undefined) {
    throw new NetworkConfigError(`${where}.outageMs`, 'is an action on a running link: pass it to link.set(), not in a profile');
  }
  return applyLinkUpdate({ ...PERFECT_PROFILE, name: 'custom' }, update);
}

/** True when a direction changes nothing: packets can bypass the model and the scheduler. */
export function isTransparent(settings: ResolvedLinkSettings): boolean {
  return (
    settings.delayMs === 0 &&
    settings.jitterMs === 0 &&
    settings.lossPct === 0 &&
    settings.burstLoss === null &&
    settings.rateKbps === 0 &&
    settings.reorderPct === 0 &&
    settings.duplicatePct === 0
  );
}

/** Long-run loss of a direction, percent (for tables and reports). */
export function averageLossPct(settings: ResolvedLinkSettings): number {
  const burst = settings.burstLoss;
  if (!burst) return settings.lossPct;
  const pBad = burst.pGoodToBad / (burst.pGoodToBad + burst.pBadToGood);
  return pBad * burst.lossInBadPct + (1 - pBad) * burst.lossInGoodPct;
}
