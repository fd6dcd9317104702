// Validation and merging of link settings, done once at the boundary: what a user or a trace
// writes (unknown JSON-ish input) becomes a Resolved* value or a LinkChange the link trusts. Errors name the
// field path and the accepted range, e.g. "network.down.lossPct must be a number in 0..100 (got 150)".
import type {
  BurstLoss,
  LinkChange,
  LinkSettings,
  LinkUpdate,
  ResolvedBurstLoss,
  ResolvedLinkProfile,
  ResolvedLinkSettings,
  ResolvedSettingsChange,
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

function checkBurstLoss(value: unknown, where: string): void {
  if (value === null) return;
  const input = checkObject(value, where, BURST_FIELDS);
  for (const field of ['pGoodToBad', 'pBadToGood'] as const) {
    if (input[field] === undefined) throw new NetworkConfigError(`${where}.${field}`, 'is required (a probability 0..1 per packet)');
    if (typeof input[field] === 'number' && input[field] > 1) {
      throw new NetworkConfigError(`${where}.${field}`, `is a probability 0..1, not a percent (for 5% write 0.05; got ${input[field]})`);
    }
  }
  const burst = input as unknown as BurstLoss;
  checkNumber(burst.pGoodToBad, `${where}.pGoodToBad`, 0, 1);
  // 0 would trap the link in the bad state forever.
  checkNumber(burst.pBadToGood, `${where}.pBadToGood`, 1e-6, 1);
  checkNumber(burst.lossInBadPct ?? 100, `${where}.lossInBadPct`, 0, 100);
  checkNumber(burst.lossInGoodPct ?? 0, `${where}.lossInGoodPct`, 0, 100);
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

/** A validated burst model with its defaults filled in. */
function resolveBurstLoss(burst: BurstLoss): ResolvedBurstLoss {
  return {
    pGoodToBad: burst.pGoodToBad,
    pBadToGood: burst.pBadToGood,
    lossInBadPct: burst.lossInBadPct ?? 100,
    lossInGoodPct: burst.lossInGoodPct ?? 0,
  };
}

/** Validated settings of one direction in the resolved vocabulary (queueMs/queuePackets -> queue). */
function resolveSettingsChange(settings: LinkSettings): ResolvedSettingsChange {
  const change: ResolvedSettingsChange = {};
  if (settings.delayMs !== undefined) change.delayMs = settings.delayMs;
  if (settings.jitterMs !== undefined) change.jitterMs = settings.jitterMs;
  if (settings.jitterCorrelation !== undefined) change.jitterCorrelation = settings.jitterCorrelation;
  if (settings.lossPct !== undefined) change.lossPct = settings.lossPct;
  if (settings.burstLoss !== undefined) change.burstLoss = settings.burstLoss && resolveBurstLoss(settings.burstLoss);
  if (settings.rateKbps !== undefined) change.rateKbps = settings.rateKbps;
  if (settings.queueMs !== undefined) change.queue = { unit: 'ms', ms: settings.queueMs };
  if (settings.queuePackets !== undefined) change.queue = { unit: 'packets', packets: settings.queuePackets };
  if (settings.reorderPct !== undefined) change.reorderPct = settings.reorderPct;
  if (settings.duplicatePct !== undefined) change.duplicatePct = settings.duplicatePct;
  return change;
}

/**
 * A validated update (validateLinkUpdate) as the change a link applies. Pure: it trusts its input.
 * A field given keeps its place even when empty (`up: {}`), since any change renames the settings.
 */
export function resolveLinkUpdate(update: LinkUpdate): LinkChange {
  const change: LinkChange = {};
  const both: LinkSettings = {};
  for (const key of SETTINGS_FIELDS) {
    const value = (update as Record<string, unknown>)[key];
    if (value !== undefined) (both as Record<string, unknown>)[key] = value;
  }
  if (Object.keys(both).length > 0) change.both = resolveSettingsChange(both);
  if (update.up !== undefined) change.up = resolveSettingsChange(update.up);
  if (update.down !== undefined) change.down = resolveSettingsChange(update.down);
  if (update.blockUdp !== undefined) change.blockUdp = update.blockUdp;
  if (update.allowPorts !== undefined) change.allowPorts = update.allowPorts && [...update.allowPorts];
  if (update.name !== undefined) change.name = update.name;
  if (update.outageMs !== undefined) change.outageMs = update.outageMs;
  return change;
}

/** Merges a change onto resolved settings; random and bursty loss replace each other. */
function mergeSettings(current: ResolvedLinkSettings, change: ResolvedSettingsChange): ResolvedLinkSettings {
  const next: ResolvedLinkSettings = { ...current };
  if (change.delayMs !== undefined) next.delayMs = change.delayMs;
  if (change.jitterMs !== undefined) next.jitterMs = change.jitterMs;
  if (change.jitterCorrelation !== undefined) next.jitterCorrelation = change.jitterCorrelation;
  if (change.rateKbps !== undefined) next.rateKbps = change.rateKbps;
  if (change.reorderPct !== undefined) next.reorderPct = change.reorderPct;
  if (change.duplicatePct !== undefined) next.duplicatePct = change.duplicatePct;
  if (change.queue !== undefined) next.queue = change.queue;
  // The later of lossPct and burstLoss wins, so a timeline step { lossPct: 3 } ends a burst model.
  if (change.lossPct !== undefined) {
    next.lossPct = change.lossPct;
    next.burstLoss = null;
  }
  if (change.burstLoss !== undefined) {
    next.burstLoss = change.burstLoss;
    if (next.burstLoss) next.lossPct = 0;
  }
  return next;
}

/**
 * Applies a change's settings: `both` first, then `up` / `down`. Its outageMs is an action on a
 * running link, not a setting (AccessLink.set takes the link down).
 */
export function applyLinkChange(current: ResolvedLinkProfile, change: LinkChange): ResolvedLinkProfile {
  const changesSettings = Object.keys(change).some((key) => key !== 'outageMs');
  return {
    name: change.name ?? (changesSettings ? 'custom' : current.name),
    up: mergeSettings(mergeSettings(current.up, change.both ?? {}), change.up ?? {}),
    down: mergeSettings(mergeSettings(current.down, change.both ?? {}), change.down ?? {}),
    blockUdp: change.blockUdp ?? current.blockUdp,
    allowPorts: change.allowPorts === undefined ? current.allowPorts : change.allowPorts && [...change.allowPorts],
  };
}

/** Validates a profile (or update) and resolves it over the defaults: missing fields are 0/none. */
export function resolveLinkProfile(value: unknown, where = 'network'): ResolvedLinkProfile {
  const update = validateLinkUpdate(value, where);
  if (update.outageMs !== undefined) {
    throw new NetworkConfigError(`${where}.outageMs`, 'is an action on a running link: pass it to link.set(), not in a profile');
  }
  return applyLinkChange({ ...PERFECT_PROFILE, name: 'custom' }, resolveLinkUpdate(update));
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
