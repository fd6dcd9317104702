// What coturn's verbose log says about a run: allocations made and refused, and the bytes it
// relayed. The parsing is pure (the text comes in); CoturnLogReader follows the file. Lines it reads (coturn 4.6, `simple-log` + `verbose`):
//
//   session 000000000000000003: realm <r> user <1795692097:peer>: incoming packet ALLOCATE processed, success
//   session 000000000000000001: realm <r> user <1795688107:peer>: incoming packet message processed, error 401: Unauthorized
//   session 000000000000000005: peer usage: realm=<r>, username=<...>, rp=27, rb=2274, sp=222, sb=99588
//
// A 401 for user <> is the normal first challenge of every allocation and is not a refusal.
// Usage lines are written when a session closes, so the byte count is complete once every
// client has gone (the run stops coturn after the browsers).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { CoturnLogSummary } from './types.ts';

const ALLOCATED = /ALLOCATE processed, success/;
const REFUSED = /user <([^>]*)>: incoming packet \S+ processed, error (\d{3})/;
const PEER_USAGE = /peer usage: .*\brb=(\d+), .*\bsb=(\d+)/;
const CLOSED = /closed \(2nd stage\)/;

/** A map keyed by text from the log: no prototype, so a user named `__proto__` is just a key. */
function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function emptySummary(): CoturnLogSummary {
  return { allocations: 0, refused: dictionary(), refusedByUser: dictionary(), relayedBytes: 0, sessions: 0 };
}

export function summarizeCoturnLog(text: string): CoturnLogSummary {
  const summary = emptySummary();
  for (const line of text.split('\n')) addLine(summary, line);
  return summary;
}

/** Adds one log line to a summary. */
export function addLine(summary: CoturnLogSummary, line: string): void {
  if (ALLOCATED.test(line)) {
    summary.allocations++;
    return;
  }
  const refused = REFUSED.exec(line);
  if (refused) {
    const user = refused[1] as string;
    if (user === '') return;
    const code = refused[2] as string;
    summary.refused[code] = (summary.refused[code] ?? 0) + 1;
    // The username is whatever a TURN client sent, so it indexes only prototype-free maps.
    const byUser = (summary.refusedByUser[user] ??= dictionary());
    byUser[code] = (byUser[code] ?? 0) + 1;
    return;
  }
  const usage = PEER_USAGE.exec(line);
  if (usage) {
    summary.relayedBytes += Number(usage[1]) + Number(usage[2]);
    return;
  }
  if (CLOSED.test(line)) summary.sessions++;
}

/**
 * Follows a growing log file: each read() parses only what was appended since the last one (a
 * line still being written waits for its end), so the runner can read it every second.
 */
export class CoturnLogReader {
  readonly #path: string;
  readonly #summary = emptySummary();
  #offset = 0;
  #partial = '';

  constructor(path: string) {
    this.#path = path;
  }

  /** The summary of everything written so far. */
  read(): CoturnLogSummary {
    let fd: number | undefined;
    try {
      fd = openSync(this.#path, 'r');
      const size = fstatSync(fd).size;
      if (size > this.#offset) {
        const chunk = Buffer.alloc(size - this.#offset);
        const got = readSync(fd, chunk, 0, chunk.length, this.#offset);
        this.#offset += got;
        const lines = (this.#partial + chunk.subarray(0, got).toString('utf8')).split('\n');
        this.#partial = lines.pop() ?? '';
        for (const line of lines) addLine(this.#summary, line);
      }
    } catch {
      // No log yet: nothing happened so far.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return structuredClone(this.#summary);
  }
}
