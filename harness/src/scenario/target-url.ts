// `run --target-url`: the same scenario against a call server that is already running, instead of
// the bundled SFU started for the run. Shards on several machines meet on one server this way.
// An rtc-harness SFU (npm run sfu) is named by its base URL; any other page by a URL with the
// {room} and {name} placeholders, driven by the scenario's page adapter (default: the reference page's).
import type { RunPlan } from './plan.ts';
import { ScenarioError } from './errors.ts';

export function withTargetUrl(plan: RunPlan, url: string): RunPlan {
  let parsed: URL;
  try {
    parsed = new URL(url.replaceAll('{room}', 'r').replaceAll('{name}', 'n'));
  } catch {
    throw new ScenarioError(`--target-url ${url}: not a URL (e.g. http://10.0.0.5:3000)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ScenarioError(`--target-url ${url}: must be http:// or https://`);
  if (plan.target.kind === 'whip') throw new ScenarioError(`--target-url ${url}: the scenario targets WHIP/WHEP endpoints; change target.whip/whep instead`);
  const page = plan.target.kind === 'url' ? plan.target.page : undefined;
  const media = plan.target.kind === 'url' ? plan.target.media : undefined;
  // The bundled SFU's page restarts ICE itself when the scenario asks, or with TURN (runner/target.ts).
  const iceRestart = plan.target.kind === 'bundled' && (plan.target.iceRestart ?? !!plan.turn) ? '&icerestart=1' : '';
  const template = url.includes('{room}') ? url : `${url.replace(/\/+$/, '')}/?room={room}&name={name}${iceRestart}`;
  return {
    ...plan,
    target: { kind: 'url', url: template, ...(page ? { page } : {}), ...(media ? { media } : {}) },
    overrides: [...plan.overrides, `--target-url ${url}`],
  };
}
