// The report page's script and styles, inlined so the report opens offline: client.ts bundled
// with uPlot by esbuild (~30 ms), and uPlot's stylesheet.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export interface ReportAssets {
  script: string;
  css: string;
}

/** Built on every call: a report is written once per run, and a stale bundle could never be. */
export async function buildReportAssets(): Promise<ReportAssets> {
  const result = await build({
    entryPoints: [`${HERE}/client.ts`],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Browsers from 2021 on open the report.
    target: ['chrome100', 'firefox100', 'safari15'],
    minify: true,
    write: false,
    logLevel: 'silent',
    legalComments: 'inline',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the report script (harness/src/reporters/html/client.ts)');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { script: file.text, css };
}
