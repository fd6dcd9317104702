// A scenario file -> a k6 browser script: the file is loaded and resolved exactly as `run` and
// `validate` do (so --set and --duration apply the same way), then modelled and written.
import { loadScenario } from '../scenario/load.ts';
import { resolvePlan } from '../scenario/resolve.ts';
import { buildPageScript } from './bundle.ts';
import { k6Model, type K6Model } from './model.ts';
import { renderScript } from './render.ts';

export interface ExportK6Options {
  /** Overrides of group fields, as `run --set`: ['viewers.count=50']. Default none. */
  set?: string[];
  /** Overrides the scenario's duration, as `run --duration`: '5m'. Default: the scenario's. */
  duration?: string;
  /** The SFU address the script uses when RTC_SFU_URL is not set. Default 'http://localhost:3000'. */
  sfuUrl?: string;
}

export interface K6Export {
  script: string;
  model: K6Model;
}

/** The script and what it was written from. Throws ScenarioError for a bad file or a target k6 cannot drive. */
export async function exportK6Script(file: string, options: ExportK6Options = {}): Promise<K6Export> {
  const spec = await loadScenario(file);
  const plan = resolvePlan(spec, { file, duration: options.duration, set: options.set ?? [] });
  const model = k6Model(plan, options.sfuUrl === undefined ? {} : { sfuUrl: options.sfuUrl });
  return { script: renderScript(model, await buildPageScript()), model };
}

/** The k6 browser script of a scenario file, as text. */
export async function exportK6(file: string, options: ExportK6Options = {}): Promise<string> {
  return (await exportK6Script(file, options)).script;
}
