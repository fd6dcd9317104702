// The final results as JSON: on stdout for a pipe (`--reporter json | jq .verdict`), or in a file
// of the user's choosing (`--reporter json=out/summary.json`, as k6's --summary-export). The run's
// own results.json is always written by the runner, whatever the reporters.
import type { Reporter } from './reporter.ts';
import type { RunResults } from '../results/schema.ts';
import { writeReportFile } from './files.ts';

export interface JsonReporterOptions {
  /** A file to write; default: stdout. */
  path?: string;
  /** Where to print when there is no path. Default process.stdout. */
  out?: NodeJS.WritableStream;
}

export class JsonReporter implements Reporter {
  readonly name = 'json';
  readonly #options: JsonReporterOptions;

  constructor(options: JsonReporterOptions = {}) {
    this.#options = options;
  }

  onEnd(results: RunResults, outDir: string): void {
    const text = `${JSON.stringify(results, null, 2)}\n`;
    if (this.#options.path) writeReportFile(this.#options.path, outDir, 'results.json', text);
    else (this.#options.out ?? process.stdout).write(text);
  }
}
