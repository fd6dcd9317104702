// Reading what a run wrote, as the end-to-end tests check it: its output folder, results.json and
// samples.jsonl, and the exit code each verdict must come with.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResultsJson } from '../../harness/src/results/load.ts';
import type { RunResults } from '../../harness/src/results/schema.ts';
import type { Sample } from '../../harness/src/stats/types.ts';

/** A fresh output folder for one run. */
export const tempOutDir = (name = 'e2e'): string => mkdtempSync(join(tmpdir(), `rtc-harness-${name}-`));

/** The results.json a run of this version just wrote, in full (errors name the file). */
export const readResults = (dir: string): RunResults => readResultsJson(dir).json as RunResults;

/** Every line of samples.jsonl, parsed. */
export const readSamples = (dir: string): Sample[] =>
  readFileSync(join(dir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** The CLI's exit code for each verdict (the run was not interrupted). */
export const EXIT_OF_VERDICT = { pass: 0, fail: 99, invalid: 2 } as const;
