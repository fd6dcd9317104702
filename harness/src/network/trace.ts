// Network traces: a recorded or hand-written series of (time -> rate/delay/loss/jitter) points
// replayed onto a running link. Two formats:
//
//   CSV  (header required; empty cell = unchanged; '#' starts a comment line)
//     timeSeconds,rateKbps,delayMs,lossPct,jitterMs,direction
//     0,2000,40,0,,both
//     10.5,300,,3,,down
//
//   JSON (an array, or { "points": [...] })
//     [{ "timeSeconds": 0, "rateKbps": 2000, "delayMs": 40 }, { "timeSeconds": 10.5, "lossPct": 3, "direction": "down" }]
//
// direction is up, down or both (default both). Errors name the file and line.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { NetworkConfigError, resolveLinkUpdate, validateLinkSettings } from './settings.ts';
import type { Direction, LinkChange, LinkSettings, LinkUpdate } from './types.ts';

export interface TracePoint {
  /** Offset from the start of the replay, seconds. */
  timeSeconds: number;
  direction: Direction | 'both';
  rateKbps?: number;
  delayMs?: number;
  lossPct?: number;
  jitterMs?: number;
  /** 1-based line in the source file, for messages. */
  line: number;
}

export interface NetworkTrace {
  /** The file (or label) it came from. */
  source: string;
  points: TracePoint[];
}

export class TraceParseError extends Error {
  readonly source: string;
  readonly line: number;
  constructor(source: string, line: number, message: string) {
    super(`${source}:${line}: ${message}`);
    this.name = 'TraceParseError';
    this.source = source;
    this.line = line;
  }
}

const VALUE_FIELDS = ['rateKbps', 'delayMs', 'lossPct', 'jitterMs'] as const;
const FIELDS = ['timeSeconds', ...VALUE_FIELDS, 'direction'];

/** Checks one raw point (strings from CSV are already numbers or undefined). */
function toPoint(raw: Record<string, unknown>, source: string, line: number, previousSeconds: number): TracePoint {
  for (const key of Object.keys(raw)) {
    if (!FIELDS.includes(key)) throw new TraceParseError(source, line, `unknown field '${key}': use ${FIELDS.join(', ')}`);
  }
  const time = raw.timeSeconds;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    throw new TraceParseError(source, line, `timeSeconds must be a number ≥ 0 (got ${JSON.stringify(time)})`);
  }
  if (time < previousSeconds) {
    throw new TraceParseError(source, line, `timeSeconds ${time} is before the previous point's ${previousSeconds}: sort the trace by time`);
  }
  const direction = raw.direction ?? 'both';
  if (direction !== 'up' && direction !== 'down' && direction !== 'both') {
    throw new TraceParseError(source, line, `direction must be up, down or both (got ${JSON.stringify(direction)})`);
  }
  const settings: Record<string, unknown> = {};
  for (const field of VALUE_FIELDS) if (raw[field] !== undefined) settings[field] = raw[field];
  if (Object.keys(settings).length === 0) {
    throw new TraceParseError(source, line, `a point needs at least one of ${VALUE_FIELDS.join(', ')}`);
  }
  try {
    validateLinkSettings(settings, 'point');
  } catch (error) {
    if (error instanceof NetworkConfigError) throw new TraceParseError(source, line, error.message.replace(/^point\./, ''));
    throw error;
  }
  return { timeSeconds: time, direction, ...(settings as Pick<TracePoint, (typeof VALUE_FIELDS)[number]>), line };
}

function parseCsv(text: string, source: string): TracePoint[] {
  const lines = text.split(/\r?\n/);
  let header: string[] | null = null;
  const points: TracePoint[] = [];
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const cells = trimmed.split(',').map((cell) => cell.trim());
    if (!header) {
      header = cells;
      const unknown = header.find((name) => !FIELDS.includes(name));
      if (unknown !== undefined) throw new TraceParseError(source, line, `unknown column ${shownCell(unknown)}: use ${FIELDS.join(', ')}`);
      if (!header.includes('timeSeconds')) throw new TraceParseError(source, line, 'the header needs a timeSeconds column');
      return;
    }
    if (cells.length !== header.length) {
      throw new TraceParseError(source, line, `${cells.length} cells for ${header.length} columns (${header.join(',')})`);
    }
    const raw: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const cell = cells[i] as string;
      if (cell === '') return;
      if (name === 'direction') {
        raw[name] = cell;
        return;
      }
      const value = Number(cell);
      if (!Number.isFinite(value)) throw new TraceParseError(source, line, `${name} must be a number (got ${shownCell(cell)})`);
      raw[name] = value;
    });
    points.push(toPoint(raw, source, line, points.at(-1)?.timeSeconds ?? 0));
  });
  if (!header) throw new TraceParseError(source, 1, 'empty trace: expected a header line such as timeSeconds,rateKbps,delayMs,lossPct');
  return points;
}

/**
 * A cell for an error message: shown when it looks like a name or a number, else only its length.
 * A path given by mistake (a key file, /etc/shadow) must not end up quoted in a CI log.
 */
function shownCell(cell: string): string {
  return /^[\w.+-]{1,24}$/.test(cell) ? `'${cell}'` : `a ${cell.length}-character value (not shown)`;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offsets of the objects directly inside the first array from `from` on (to give each point a line). */
function elementOffsets(text: string, from: number): number[] {
  const offsets: number[] = [];
  let depth = 0;
  let arrayDepth = -1;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (c === '{' && depth === arrayDepth) offsets.push(i);
      if (c === '[' && arrayDepth < 0) arrayDepth = depth + 1;
      depth++;
    } else if (c === ']' || c === '}') depth--;
  }
  return offsets;
}

function parseJson(text: string, source: string): TracePoint[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message);
    throw new TraceParseError(source, position ? lineAt(text, Number(position[1])) : 1, `invalid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(data) ? data : (data as { points?: unknown } | null)?.points;
  if (!Array.isArray(list)) throw new TraceParseError(source, 1, 'expected an array of points or { "points": [...] }');
  const offsets = elementOffsets(text, Array.isArray(data) ? 0 : Math.max(0, text.search(/"points"\s*:/)));
  const points: TracePoint[] = [];
  list.forEach((raw, i) => {
    const line = lineAt(text, offsets[i] ?? 0);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new TraceParseError(source, line, `points[${i}] must be an object`);
    }
    points.push(toPoint(raw as Record<string, unknown>, source, line, points.at(-1)?.timeSeconds ?? 0));
  });
  return points;
}

/** Parses a trace; JSON if it starts with '[' or '{', CSV otherwise. Pure. */
export function parseTrace(text: string, source: string): NetworkTrace {
  const first = text.trimStart()[0];
  const points = first === '[' || first === '{' ? parseJson(text, source) : parseCsv(text, source);
  if (points.length === 0) throw new TraceParseError(source, 1, 'the trace has no points');
  return { source, points };
}

export async function loadTrace(file: string): Promise<NetworkTrace> {
  return parseTrace(await readFile(file, 'utf8'), file);
}

/** The link updates of a trace with their offsets, ms (its points were validated when parsed). Pure. */
export function traceUpdates(trace: NetworkTrace): Array<{ atMs: number; update: LinkUpdate; line: number }> {
  return trace.points.map((point) => {
    const settings: LinkSettings = {};
    for (const field of VALUE_FIELDS) if (point[field] !== undefined) settings[field] = point[field];
    const update: LinkUpdate = point.direction === 'both' ? settings : { [point.direction]: settings };
    return { atMs: point.timeSeconds * 1000, update, line: point.line };
  });
}

export interface TraceReplayOptions {
  /** Start over after the last point, the trace lasting until its last point. Default false. */
  loop?: boolean;
  /** Called if an update is refused (it cannot be for a parsed trace, but a link may be closed). */
  onError?: (error: Error) => void;
}

export interface TraceReplay {
  /** Stops applying points (the link keeps its current settings). Idempotent. */
  stop(): void;
  /** Resolves after the last point (never while looping, unless stopped). */
  readonly done: Promise<void>;
}

/** Applies a trace's points to a link at their times; one timer at a time. */
export function replayTrace(link: { set(change: LinkChange): void }, trace: NetworkTrace, options: TraceReplayOptions = {}): TraceReplay {
  const updates = traceUpdates(trace).map(({ atMs, update }) => ({ atMs, change: resolveLinkUpdate(update) }));
  const periodMs = updates.at(-1)?.atMs ?? 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  let startMs = performance.now();
  let index = 0;
  const step = () => {
    timer = null;
    while (!stopped && index < updates.length) {
      const next = updates[index] as (typeof updates)[number];
      const waitMs = startMs + next.atMs - performance.now();
      if (waitMs > 0) {
        timer = setTimeout(step, waitMs);
        return;
      }
      try {
        link.set(next.change);
      } catch (error) {
        options.onError?.(error as Error);
      }
      index++;
      // Loop only over a trace that lasts: a zero-length one would spin.
      if (index === updates.length && options.loop && periodMs > 0) {
        index = 0;
        startMs += periodMs;
      }
    }
    finish();
  };
  step();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      finish();
    },
    done,
  };
}
