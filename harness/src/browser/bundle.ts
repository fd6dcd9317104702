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

const STAND_IN_WORKER_NAME = 'rtc-harness-stand-in-worker.ts';
const TONE_WORKLET_NAME = 'rtc-harness-tone-worklet.ts';
/** Scripts the agent starts from a Blob URL: bundled on their own, then carried in the agent as strings. */
const HELPER_NAMES = new Set([STAND_IN_WORKER_NAME, TONE_WORKLET_NAME]);
const helperCache = new Map<string, Promise<string>>();

/** A helper script bundled once per process (a failed build is retried on the next call). */
function buildHelper(entry: PageScriptEntry): Promise<string> {
  let cached = helperCache.get(entry.name);
  if (!cached) {
    cached = bundlePageScript(entry).catch((err: unknown) => {
      helperCache.delete(entry.name);
      throw err;
    });
    helperCache.set(entry.name, cached);
  }
  return cached;
}

/** The worker of count-mode receivers (stand-in-worker.ts). */
const buildStandInWorker = (): Promise<string> =>
  buildHelper({
    entry: "import { installStandInWorker } from './stand-in-worker.ts';\ninstallStandInWorker(self as never);\n",
    resolveDir: HERE,
    name: STAND_IN_WORKER_NAME,
    what: 'the stand-in worker (harness/src/browser/stand-in-worker.ts)',
  });

/** The audio worklet that reads stamped microphones' tones (tone-worklet.ts). */
const buildToneWorklet = (): Promise<string> =>
  buildHelper({
    entry: "import { installToneWorklet } from './tone-worklet.ts';\ninstallToneWorklet(globalThis as never);\n",
    resolveDir: HERE,
    name: TONE_WORKLET_NAME,
    what: 'the tone reader worklet (harness/src/browser/tone-worklet.ts)',
  });

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
  // Every page script that holds the agent carries its helpers too: the stand-in worker (count
  // mode) and the tone worklet (stamped microphones).
  const helpers = HELPER_NAMES.has(page.name)
    ? undefined
    : { __RTC_HARNESS_STAND_IN_WORKER__: JSON.stringify(await buildStandInWorker()), __RTC_HARNESS_TONE_WORKLET__: JSON.stringify(await buildToneWorklet()) };
  const result = await build({
    ...(helpers === undefined ? {} : { define: helpers }),
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
