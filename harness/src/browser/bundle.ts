// Bundles the in-page agent (agent.ts and what it imports) into one IIFE string for
// page.evaluateOnNewDocument(). Built with esbuild on first use (~20 ms) rather than shipped
// prebuilt, so the agent can never be stale against its sources.
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Chromium 120 and later run the agent and the k6 page side; Debian and k6 drive far newer ones. */
const AGENT_TARGET = 'chrome120';

// The build is a pure function of files that do not change while the process runs, so the one
// cached promise acts as a lazily computed constant. A failed build is not kept: the next call retries.
let cached: Promise<string> | undefined;

/** The agent as a self-installing script: `page.evaluateOnNewDocument(await buildAgentScript())`. */
export function buildAgentScript(): Promise<string> {
  cached ??= bundleAgent().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function bundleAgent(): Promise<string> {
  const text = await bundlePageScript({ entry: "import { installAgent } from './agent.ts';\ninstallAgent(window);\n", resolveDir: HERE, name: 'rtc-harness-agent.ts', what: 'the stats agent (harness/src/browser/agent.ts)' });
  // A page that throws early must not take the agent down with it, and vice versa.
  return `try{${text}}catch(e){console.error('rtc-harness agent failed to install', e)}`;
}

export interface PageScriptEntry {
  /** The entry module's source: imports relative to resolveDir, and the call that installs it. */
  entry: string;
  resolveDir: string;
  /** The entry's name in esbuild's messages. */
  name: string;
  /** What is bundled, for the error when esbuild writes nothing. */
  what: string;
}

/** Bundles code for a page into one minified IIFE (the stats agent here, the k6 page side in k6/). */
export async function bundlePageScript(page: PageScriptEntry): Promise<string> {
  const result = await build({
    stdin: { contents: page.entry, resolveDir: page.resolveDir, sourcefile: page.name, loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: AGENT_TARGET,
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${page.what}`);
  return file.text;
}
