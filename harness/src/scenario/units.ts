// Units as people write them in scenarios ('30s', '1m30s', '2mbit', '1.5 Mbps'), converted once
// at the boundary into the numbers the harness uses inside (milliseconds, kilobits per second).
// Parsers throw UnitError with a message that says what is allowed; the validator adds the file
// and field.

/** A duration: a string with units ('500ms', '30s', '1m', '1m30s', '1h') or a number of seconds. */
export type Duration =
  | number
  | `${number}${DurationUnit}`
  | `${number}m${number}s`
  | `${number}h${number}m`
  | `${number}h${number}m${number}s`;

export type DurationUnit = 'ms' | 's' | 'm' | 'h';

export class UnitError extends Error {
  override name = 'UnitError';
}

export const DURATION_ALLOWED =
  "a duration like '500ms', '30s', '1m30s' or a number of seconds";

/** A bitrate: a number of kbit/s, or a string with a bit unit ('300kbps', '2mbit', '1.5 Mbps'). */
export type Bitrate = number | `${number}${BitrateUnit}` | `${number} ${BitrateUnit}`;

export type BitrateUnit = 'bps' | 'kbps' | 'Kbps' | 'mbps' | 'Mbps' | 'gbps' | 'Gbps' | 'bit' | 'kbit' | 'mbit' | 'gbit';

export const BITRATE_ALLOWED =
  "a bitrate like '300kbps', '2mbit', '1.5 Mbps' or a number of kbps";

const DURATION_UNIT_MS: Record<DurationUnit, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

// Largest unit first; each unit at most once, in that order ('1h30m', never '30m1h').
const DURATION_ORDER: DurationUnit[] = ['h', 'm', 's', 'ms'];
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ms|h|m|s)/y;

/**
 * Milliseconds from a duration ('1m30s' -> 90000, 2.5 -> 2500). Fractions of a millisecond are
 * rounded. Throws UnitError for anything else, negatives included.
 */
export function parseDurationMs(input: unknown): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`must be ${DURATION_ALLOWED} (≥ 0)`);
    return Math.round(input * 1000);
  }
  if (typeof input !== 'string') throw new UnitError(`must be ${DURATION_ALLOWED}`);
  const text = input.trim();
  if (text.length === 0) throw new UnitError(`must be ${DURATION_ALLOWED}`);
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    throw new UnitError(`must be ${DURATION_ALLOWED} (a string needs a unit: '${text}s'?)`);
  }
  let totalMs = 0;
  let pos = 0;
  let lastOrder = -1;
  while (pos < text.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(text);
    if (!m) throw new UnitError(`must be ${DURATION_ALLOWED}`);
    const unit = m[2] as DurationUnit;
    const order = DURATION_ORDER.indexOf(unit);
    if (order <= lastOrder) throw new UnitError(`must be ${DURATION_ALLOWED} (units largest first, each once)`);
    lastOrder = order;
    totalMs += Number(m[1]) * DURATION_UNIT_MS[unit];
    pos = DURATION_PART.lastIndex;
  }
  return Math.round(totalMs);
}

/** Whether parseDurationMs would accept the value. */
export function isDuration(input: unknown): boolean {
  try {
    parseDurationMs(input);
    return true;
  } catch {
    return false;
  }
}

/** A duration for messages: 90000 -> '1m30s', 500 -> '500ms', 0 -> '0s'. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  if (ms % 1000 !== 0) return `${ms / 1000}s`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

// Bits, decimal prefixes. 'kbps' means kilobits per second, as WebRTC statistics and most people
// say; tc's 'kbps' (kilobytes) is deliberately not supported, so byte units are rejected.
const BITRATE_UNIT_KBPS: Record<string, number> = {
  bps: 0.001,
  bit: 0.001,
  kbps: 1,
  kbit: 1,
  mbps: 1000,
  mbit: 1000,
  gbps: 1_000_000,
  gbit: 1_000_000,
};
const BITRATE = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)$/i;

/**
 * Kilobits per second from a bitrate ('2mbit' -> 2000, '300kbps' -> 300, '1.5 Mbps' -> 1500,
 * 800 -> 800). Unit names are case-insensitive and decimal (1 mbit = 1000 kbit).
 */
export function parseBitrateKbps(input: unknown): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UnitError(`must be ${BITRATE_ALLOWED} (≥ 0)`);
    return input;
  }
  if (typeof input !== 'string') throw new UnitError(`must be ${BITRATE_ALLOWED}`);
  const m = BITRATE.exec(input.trim());
  const factor = m ? BITRATE_UNIT_KBPS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) {
    throw new UnitError(`must be ${BITRATE_ALLOWED} (units: bps, kbps, mbps, gbps, bit, kbit, mbit, gbit)`);
  }
  return Number(m[1]) * factor;
}
