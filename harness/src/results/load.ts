// Reading a results.json back (a baseline for `compare` and `run --baseline`, a run's output in
// the tests): errors name the file and say what to pass instead. Only the fields every
// results.json has had are checked, so results written by older or newer versions still load.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { GroupResult, RunEnvironment, ThresholdResult } from './schema.ts';

export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/** The part of RunResults every results.json has, old or new: what loadResults checks and a comparison reads. */
export interface ResultsCore {
  scenario: string;
  startedAt: string;
  verdict: string;
  durationSeconds: number;
  groups: Pick<GroupResult, 'name' | 'count' | 'aggregates'>[];
  thresholds: Pick<ThresholdResult, 'key' | 'metric' | 'expression' | 'actual'>[];
  environment?: Partial<RunEnvironment>;
}

// null where a statistic could not be computed (JSON has no NaN); comparisons skip non-numbers.
const stat = z.number().nullable();
const aggregate = z.looseObject({ count: z.number(), min: stat, max: stat, avg: stat, p50: stat, p90: stat, p95: stat, p99: stat, last: stat });
const core = z.looseObject({
  verdict: z.string(),
  scenario: z.string(),
  startedAt: z.string(),
  durationSeconds: z.number(),
  groups: z.array(z.looseObject({ name: z.string(), count: z.number(), aggregates: z.record(z.string(), aggregate) })),
  thresholds: z.array(z.looseObject({ key: z.string(), metric: z.string(), expression: z.string(), actual: z.number().nullable() })),
  environment: z.looseObject({}).optional(),
});

/**
 * The parsed JSON of a results.json, or of the one in the output folder `path`, unchecked, and
 * the file it came from. `role` names the file in errors ('baseline', 'results'). Throws
 * ResultsFileError.
 */
export function readResultsJson(path: string, role = 'results'): { file: string; json: unknown } {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json');
  } catch {
    throw new ResultsFileError(`${role} file ${path} does not exist: pass the results.json of a run (in its --out folder)`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ResultsFileError(`cannot read the ${role} file ${file}: ${(err as Error).message}`);
  }
  try {
    return { file, json: JSON.parse(text) };
  } catch (err) {
    throw new ResultsFileError(`${file} is not JSON (${(err as Error).message}): pass the results.json of a run`);
  }
}

/**
 * Loads a results.json (or the output folder holding one) and checks its core fields. Throws
 * ResultsFileError with a message that names the file and says what to pass instead.
 */
export function loadResults(path: string, role = 'results'): ResultsCore {
  const { file, json } = readResultsJson(path, role);
  const parsed = core.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(top level)';
    throw new ResultsFileError(`${file} is not a results.json written by rtc-harness: ${field}: ${issue.message}`);
  }
  return parsed.data as unknown as ResultsCore;
}
