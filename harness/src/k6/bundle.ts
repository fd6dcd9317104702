// Bundles the page side of an exported k6 script (page/api.ts and the harness code it imports:
// the stats agent, deriveSample, samplePoints) into one self-installing IIFE, the string the
// script hands to context.addInitScript(). Built at export time, so a script always carries the
// measuring code of the harness that exported it.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The oldest Chromium the page side must run in: what k6's browser module drives is far newer. */
const PAGE_TARGET = 'chrome120';

/** The page side as a script for context.addInitScript() (or puppeteer's evaluateOnNewDocument). */
export async function buildPageScript(): Promise<string> {
  const result = await build({
    stdin: {
      contents: "import { installPageApi } from './page/api.ts';\ninstallPageApi(window);\n",
      resolveDir: HERE,
      sourcefile: 'rtc-harness-k6-page.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: PAGE_TARGET,
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output for the k6 page side (harness/src/k6/page/api.ts)');
  // A call page that throws early must not take the measuring code down with it, and vice versa.
  return `try{${file.text.trim()}}catch(e){console.error('rtc-harness k6 page side failed to install', e)}`;
}
