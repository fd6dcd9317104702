// `run --target-url`: the same scenario against a call server that is already running, instead of
// the bundled SFU started for the run. Shards on several machines meet on one server this way.
// An rtc-harness SFU (npm run sfu) is named by its base URL; any other page by a URL with the
// {room} and {name} placeholders, driven by the scenario's page adapter (default: the reference page's).
import type { MediaAddress, RunPlan } from './plan.ts';
import { ScenarioError } from './errors.ts';
import { expandMedia, MAX_MEDIA_RANGE_PORTS } from './target.ts';

/**
 * `--target-media host:port[-port]` (repeatable): the media addresses of the server that
 * --target-url names, as its ICE candidates give them, so that simulated networks can relay to it
 * (the scenario's `target.media`, for a server the scenario does not name).
 */
export function parseTargetMedia(addresses: readonly string[]): MediaAddress[] {
  const problems = addresses.flatMap((address) => {
    const m = /^([^\s:]+|\[[0-9a-fA-F:]+\]):(\d+)(?:-(\d+))?$/.exec(address);
    const [first, last] = [Number(m?.[2]), Number(m?.[3] ?? m?.[2])];
    if (!m) return [`--target-media ${address}: write it as host:port or host:first-last, e.g. 10.0.0.5:40000`];
    if (first < 1 || last > 65535 || last < first) return [`--target-media ${address}: ports must be from 1 to 65535, lowest first`];
    if (last - first + 1 > MAX_MEDIA_RANGE_PORTS) return [`--target-media ${address}: a range may name at most ${MAX_MEDIA_RANGE_PORTS} ports`];
    return [];
  });
  if (problems.length > 0) throw new ScenarioError(problems);
  return expandMedia(addresses);
}

export function withTargetUrl(plan: RunPlan, url: string, media: readonly MediaAddress[] = []): RunPlan {
  let parsed: URL;
  try {
    parsed = new URL(url.replaceAll('{room}', 'r').replaceAll('{name}', 'n'));
  } catch {
    throw new ScenarioError(`--target-url ${url}: not a URL (e.g. http://10.0.0.5:3000)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ScenarioError(`--target-url ${url}: must be http:// or https://`);
  if (plan.target.kind === 'whip') throw new ScenarioError(`--target-url ${url}: the scenario targets WHIP/WHEP endpoints; change target.whip/whep instead`);
  const page = plan.target.kind === 'url' ? plan.target.page : undefined;
  const ownMedia = plan.target.kind === 'url' ? plan.target.media : undefined;
  const allMedia = media.length > 0 ? [...media] : ownMedia;
  // The bundled SFU's page restarts ICE itself when the scenario asks, or with TURN (runner/target.ts).
  const iceRestart = plan.target.kind === 'bundled' && (plan.target.iceRestart ?? !!plan.turn) ? '&icerestart=1' : '';
  const template = url.includes('{room}') ? url : `${url.replace(/\/+$/, '')}/?room={room}&name={name}${iceRestart}`;
  return {
    ...plan,
    target: { kind: 'url', url: template, ...(page ? { page } : {}), ...(allMedia ? { media: allMedia } : {}) },
    overrides: [...plan.overrides, `--target-url ${url}`, ...(media.length > 0 ? [`--target-media ${media.map((m) => `${m.host}:${m.port}`).join(',')}`] : [])],
  };
}
