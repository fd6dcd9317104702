// Bundles the page side of an exported k6 script (page/api.ts and the harness code it imports:
// the stats agent, deriveSample, samplePoints) into one self-installing IIFE, the string the
// script hands to context.addInitScript(). Built at export time, so a script always carries the
// measuring code of the harness that exported it.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePageScript } from '../browser/bundle.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The page side as a script for context.addInitScript() (or puppeteer's evaluateOnNewDocument). */
export async function buildPageScript(): Promise<string> {
  const text = await bundlePageScript({
    entry: "import { installPageApi } from './page/api.ts';\ninstallPageApi(window);\n",
    resolveDir: HERE,
    name: 'rtc-harness-k6-page.ts',
    what: 'the k6 page side (harness/src/k6/page/api.ts)',
  });
  // A call page that throws early must not take the measuring code down with it, and vice versa.
  return `try{${text.trim()}}catch(e){console.error('rtc-harness k6 page side failed to install', e)}`;
}
