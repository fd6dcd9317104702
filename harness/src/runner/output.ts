// The run's output folder: samples.jsonl grows line by line as samples arrive, and results.json
// is rewritten (atomically: write then rename) every few seconds and at the end, so a crash or a
// kill loses at most a few seconds of measurements.
import { createWriteStream, mkdirSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { POINTS_FILE, writePoints, type PointSeries } from '../results/points.ts';
import type { RunResults } from '../results/schema.ts';

export class RunOutput {
  readonly dir: string;
  readonly samplesPath: string;
  readonly resultsPath: string;
  readonly #samples: WriteStream;
  #sampleCount = 0;
  #closed = false;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.samplesPath = join(dir, 'samples.jsonl');
    this.resultsPath = join(dir, 'results.json');
    this.#samples = createWriteStream(this.samplesPath, { flags: 'w' });
  }

  get sampleCount(): number {
    return this.#sampleCount;
  }

  /** Appends one JSON object as a line. */
  appendSample(sample: unknown): void {
    if (this.#closed) return;
    this.#samples.write(`${JSON.stringify(sample)}\n`);
    this.#sampleCount += 1;
  }

  /** Replaces results.json with this object; a reader never sees half a file. */
  writeResults(results: RunResults): void {
    const tmp = `${this.resultsPath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
    renameSync(tmp, this.resultsPath);
  }

  /** Writes points.jsonl: every series of the run's store (a shard's, for the merge). */
  async writePoints(series: Iterable<PointSeries>): Promise<void> {
    await writePoints(join(this.dir, POINTS_FILE), series);
  }

  /** Writes any other file of the run (logs, reports). */
  writeFile(name: string, content: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  /** Flushes samples.jsonl. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.#samples.end(resolve));
  }
}

/** The default output folder: results/<scenario>-<UTC time>, e.g. results/smoke-20261126T101500Z. */
export function defaultOutDir(scenarioName: string, at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safe = scenarioName.replace(/[^A-Za-z0-9._-]+/g, '-');
  return join('results', `${safe}-${stamp}`);
}
