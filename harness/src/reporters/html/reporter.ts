// The HTML report: one self-contained file with the verdict, the tables, and time series per
// group and per participant (bitrate, fps, RTT, loss, layers), the simulated network's settings
// and ground truth on the same time axis, and the timeline's actions as markers.
//
// Inputs: the run's samples.jsonl (read at the end, line by line, so memory follows the number
// of charted values rather than the file's size), the points about the run that reach no
// samples.jsonl (load-generator CPU, link ground truth: kept from onSample(null, ...)), and
// results.json (thresholds, actions, networkChanges).
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Reporter } from '../reporter.ts';
import type { RunResults } from '../../results/schema.ts';
import type { Point, Sample } from '../../stats/types.ts';
import { writeReportFile } from '../files.ts';
import { buildReportAssets } from './assets.ts';
import { renderHtmlReport } from './render.ts';
import { SeriesBuilder, type SeriesBuilderOptions } from './series.ts';

export interface HtmlReporterOptions extends SeriesBuilderOptions {
  /** Where to write. Default: report.html in the run's output folder. */
  path?: string;
}

/** Feeds every sample of a samples.jsonl to the builder; returns the lines it could not read. */
export async function readSamples(file: string, onSample: (s: Sample) => void): Promise<number> {
  let bad = 0;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    try {
      const s = JSON.parse(line) as Sample;
      if (typeof s.t === 'number' && typeof s.participant === 'string' && Array.isArray(s.streams)) onSample(s);
      else bad++;
    } catch {
      // A run killed mid-write leaves half a last line.
      bad++;
    }
  }
  return bad;
}

/** Writes the report of a finished run from its output folder; returns the report's path. */
export async function writeHtmlReport(results: RunResults, outDir: string, options: HtmlReporterOptions = {}, builder = new SeriesBuilder(options)): Promise<string> {
  const samplesFile = join(outDir, 'samples.jsonl');
  if (existsSync(samplesFile)) await readSamples(samplesFile, (s) => builder.addSample(s));
  const html = renderHtmlReport(results, builder.build(results), await buildReportAssets());
  return writeReportFile(options.path, outDir, 'report.html', html);
}

export class HtmlReporter implements Reporter {
  readonly name = 'html';
  readonly #options: HtmlReporterOptions;
  readonly #builder: SeriesBuilder;

  constructor(options: HtmlReporterOptions = {}) {
    this.#options = options;
    this.#builder = new SeriesBuilder(options);
  }

  onSample(sample: Sample | null, points: readonly Point[]): void {
    // Participant samples are read back from samples.jsonl at the end; only what never reaches it is kept.
    if (sample === null) this.#builder.addRunPoints(points);
  }

  async onEnd(results: RunResults, outDir: string): Promise<void> {
    await writeHtmlReport(results, outDir, this.#options, this.#builder);
  }
}
