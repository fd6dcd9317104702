// A scenario's network settings -> what the runner applies. A profile name becomes the profile's
// complete change and settings their resolved change (both checked by check.ts, through the network
// module); a trace file is read and parsed here, once, relative to the scenario file, so a
// missing file or a bad line is a scenario error before anything starts.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { getProfile } from '../network/profiles.ts';
import { resolveLinkUpdate } from '../network/settings.ts';
import { parseTrace, TraceParseError } from '../network/trace.ts';
import { displayPath } from './errors.ts';
import type { PlannedNetwork } from './plan.ts';
import type { NetworkSpec } from './types.ts';

/** A problem with a trace file; `message` is one line without the scenario file. */
/** A trace is a few thousand points at most; a bigger file is not one. */
const MAX_TRACE_BYTES = 16 * 2 ** 20;

export class TraceFileError extends Error {
  override name = 'TraceFileError';
}

/**
 * `where` names the field ('participants.viewers.network'); `scenarioFile` is the file the
 * trace's path is relative to. Throws TraceFileError for a trace that cannot be read or parsed.
 */
export function planNetwork(spec: NetworkSpec, where: string, scenarioFile: string): PlannedNetwork {
  if (typeof spec === 'string') return resolveLinkUpdate(getProfile(spec));
  if (!('trace' in spec) || spec.trace === undefined) return resolveLinkUpdate(spec);
  const file = resolve(dirname(resolve(scenarioFile)), spec.trace);
  const shown = displayPath(file);
  let text: string;
  try {
    // Only a regular file of sane size: a FIFO or a device would block or never end the read.
    const stat = statSync(file);
    if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (!stat.isFile()) throw new Error('not a regular file (a pipe, socket or device cannot be a trace)');
    if (stat.size > MAX_TRACE_BYTES) throw new Error(`${stat.size} bytes, more than a trace may have (${MAX_TRACE_BYTES})`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    throw new TraceFileError(
      `${where}.trace: ${why}: ${shown} (the path is relative to the scenario file), got ${JSON.stringify(spec.trace)}`,
    );
  }
  try {
    return { trace: parseTrace(text, shown), loop: spec.loop ?? false };
  } catch (err) {
    if (err instanceof TraceParseError) throw new TraceFileError(`${where}.trace: ${err.message}`);
    throw err;
  }
}
