// A stand-in for k6, because k6 cannot be installed on this machine: it runs an exported k6
// browser script's VUs in Node, with
// - `k6/browser` backed by puppeteer-core on a Chromium from our launcher (one incognito browser
//   context per VU, init scripts through evaluateOnNewDocument, page functions serialized the
//   same way k6's browser module serializes them),
// - `k6/metrics` recording every value with its tags, and refusing one name with two types as k6 does,
// - `k6/execution` and `check` from `k6` per VU, as k6 gives each VU its own runtime.
// It follows the script's options.scenarios (per-vu-iterations, startTime, vus) and nothing else
// of k6: no thresholds, no summary. Tests evaluate what it recorded themselves.
import type { Browser, BrowserContext, Page } from 'puppeteer-core';

/** One value given to a k6 metric. */
export interface RecordedValue {
  metric: string;
  type: 'trend' | 'gauge' | 'counter' | 'rate';
  value: number;
  tags: Record<string, string>;
}

export interface RecordedCheck {
  name: string;
  ok: boolean;
  vu: string;
}

/** What a script run recorded. */
export interface StandInRun {
  values: RecordedValue[];
  checks: RecordedCheck[];
  /** console.warn and console.error lines of the VUs. */
  logs: string[];
  /** Errors thrown out of VUs (k6 would log them and end the iteration). */
  errors: string[];
  options: ScriptOptions;
}

interface ScenarioOptions {
  executor: string;
  vus: number;
  iterations: number;
  startTime?: string;
  exec?: string;
  options?: { browser?: { type?: string } };
}

interface ScriptOptions {
  scenarios: Record<string, ScenarioOptions>;
  thresholds?: Record<string, unknown[]>;
}

/** The exports of a script instance. */
type ScriptExports = { options: ScriptOptions } & Record<string, unknown>;

/** '2s', '1500ms', '1m30s' -> ms (k6's duration strings as the exporter writes them). */
export function durationMs(text: string | undefined): number {
  if (!text) return 0;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return total;
}

/**
 * Loads the script once per VU: its import lines (the shapes the exporter writes) become reads
 * of `modules`, its exports the returned object. Anything else in it runs as written.
 */
function instantiate(script: string, modules: Record<string, Record<string, unknown>>, env: Record<string, string>, console: Console): ScriptExports {
  const exported: string[] = [];
  const body = script
    .replace(/^import (\w+) from '([^']+)';$/gm, (_, name: string, from: string) => `const ${name} = __modules[${JSON.stringify(from)}].default;`)
    .replace(/^import \{([^}]+)\} from '([^']+)';$/gm, (_, names: string, from: string) => `const {${names}} = __modules[${JSON.stringify(from)}];`)
    .replace(/^export (const|async function|function) (\w+)/gm, (_, kind: string, name: string) => {
      exported.push(name);
      return `${kind} ${name}`;
    });
  if (/^import /m.test(body)) throw new Error('the k6 stand-in met an import line it does not know');
  const factory = new Function('__modules', '__ENV', 'console', `${body}\nreturn { ${exported.join(', ')} };`) as (
    m: typeof modules,
    e: typeof env,
    c: Console,
  ) => ScriptExports;
  for (const name of Object.keys(modules)) if (!/^k6(\/|$)/.test(name)) throw new Error(`not a k6 module: ${name}`);
  return factory(modules, env, console);
}

/** `k6/browser` on puppeteer: the part of its API the exported scripts use. */
function browserModule(chromium: Browser, contexts: Set<BrowserContext>) {
  const wrapPage = (page: Page) => ({
    goto: (url: string, options?: { waitUntil?: 'load' | 'domcontentloaded' | 'networkidle' }) =>
      page.goto(url, { waitUntil: options?.waitUntil === 'networkidle' ? 'networkidle0' : (options?.waitUntil ?? 'load') }),
    waitForTimeout: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    evaluate: (fn: (arg: unknown) => unknown, arg?: unknown) => page.evaluate(fn, arg),
    close: () => page.close(),
  });
  return {
    browser: {
      async newContext() {
        const context = await chromium.createBrowserContext();
        contexts.add(context);
        const initScripts: string[] = [];
        return {
          async addInitScript(script: string | { content?: string }) {
            initScripts.push(typeof script === 'string' ? script : (script.content ?? ''));
          },
          async newPage() {
            const page = await context.newPage();
            for (const s of initScripts) await page.evaluateOnNewDocument(s);
            return wrapPage(page);
          },
          async close() {
            contexts.delete(context);
            await context.close();
          },
        };
      },
    },
  };
}

/** `k6/metrics`: every value recorded with its tags; one name may have one type only. */
function metricsModule(values: RecordedValue[], types: Map<string, RecordedValue['type']>) {
  const metricClass = (type: RecordedValue['type']) =>
    class {
      constructor(readonly name: string) {
        const known = types.get(name);
        if (known && known !== type) throw new Error(`metric '${name}' is already a ${known}, not a ${type}`);
        types.set(name, type);
      }
      add(value: number | boolean, tags: Record<string, string> = {}): void {
        for (const [k, v] of Object.entries(tags)) if (typeof v !== 'string') throw new Error(`tag ${k} of ${this.name} is not a string`);
        values.push({ metric: this.name, type, value: Number(value), tags: { ...tags } });
      }
    };
  return { Trend: metricClass('trend'), Gauge: metricClass('gauge'), Counter: metricClass('counter'), Rate: metricClass('rate') };
}

/**
 * Runs an exported script's scenarios to their end: each scenario's VUs start at its startTime,
 * each VU runs its `exec` function once (per-vu-iterations with one iteration, as exported).
 */
export async function runK6Script(script: string, chromium: Browser, env: Record<string, string>): Promise<StandInRun> {
  const values: RecordedValue[] = [];
  const types = new Map<string, RecordedValue['type']>();
  const checks: RecordedCheck[] = [];
  const logs: string[] = [];
  const errors: string[] = [];
  const contexts = new Set<BrowserContext>();
  const modulesFor = (vu: string, scenario: { name: string; startTime: number; iterationInTest: number }) => ({
    'k6/browser': browserModule(chromium, contexts),
    'k6/metrics': metricsModule(values, types),
    'k6/execution': { default: { scenario: { ...scenario, executor: 'per-vu-iterations', progress: 0, iterationInInstance: scenario.iterationInTest } } },
    k6: {
      check(value: unknown, sets: Record<string, (v: unknown) => boolean>) {
        let all = true;
        for (const [name, fn] of Object.entries(sets)) {
          const ok = Boolean(fn(value));
          checks.push({ name, ok, vu });
          all &&= ok;
        }
        return all;
      },
    },
  });
  const vuConsole = (vu: string) =>
    ({ ...console, log: () => {}, info: () => {}, debug: () => {}, warn: (...a: unknown[]) => logs.push(`${vu}: ${a.join(' ')}`), error: (...a: unknown[]) => logs.push(`${vu}: ${a.join(' ')}`) }) as Console;

  // k6 reads the options in an init context of its own before any VU runs.
  const { options } = instantiate(script, modulesFor('init', { name: '', startTime: 0, iterationInTest: 0 }), env, vuConsole('init'));
  const testStartMs = Date.now();
  try {
    await Promise.all(
      Object.entries(options.scenarios).map(async ([name, s]) => {
        if (s.executor !== 'per-vu-iterations' || s.iterations !== 1) throw new Error(`the stand-in runs per-vu-iterations x1 only, ${name} is ${s.executor} x${s.iterations}`);
        if (s.options?.browser?.type !== 'chromium') throw new Error(`scenario ${name} does not ask for a chromium browser`);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, testStartMs + durationMs(s.startTime) - Date.now())));
        const startTime = Date.now();
        await Promise.all(
          Array.from({ length: s.vus }, async (_, i) => {
            const vu = `${name}#${i}`;
            const exports = instantiate(script, modulesFor(vu, { name, startTime, iterationInTest: i }), env, vuConsole(vu));
            const fn = exports[s.exec ?? 'default'];
            if (typeof fn !== 'function') throw new Error(`the script exports no function ${s.exec}`);
            try {
              await (fn as () => Promise<void>)();
            } catch (err) {
              errors.push(`${vu}: ${(err as Error)?.stack ?? String(err)}`);
            }
          }),
        );
      }),
    );
  } finally {
    await Promise.allSettled([...contexts].map((c) => c.close()));
  }
  return { values, checks, logs, errors, options };
}
