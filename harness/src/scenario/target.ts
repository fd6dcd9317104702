// What the participants call, checked and planned: the bundled SFU, a call page of the user's
// (driven by a page adapter), or WHIP/WHEP endpoints. The page adapter must have a hook for every
// timeline action its participants perform: a missing one is reported here, before any browser
// starts, naming the action and the hook to add.
import { adapterProblems, HOOK_SIGNATURES, missingHooks, type PageAdapter } from '../pages/adapter.ts';
import { BUILTIN_ADAPTERS, isModulePath } from '../pages/builtin.ts';
import { whipAdapters } from '../pages/whip.ts';
import { referencePage } from '../pages/reference.ts';
import { formatPath, formatValue } from './errors.ts';
import { DEFAULTS, type MediaAddress, type PlannedTarget } from './plan.ts';
import { resolveWho, type GroupCounts } from './roster.ts';
import { didYouMean } from '../util/suggest.ts';
import type { ScenarioSpec, TargetSpec } from './types.ts';
import { parseDurationMs } from './units.ts';

/** Most ports one `target.media` range may name: each is a relay on every shaped participant's link. */
export const MAX_MEDIA_RANGE_PORTS = 256;

/** 'host:40000-40003' -> the four addresses; a single 'host:port' is one. Checked by checkTarget. */
export function expandMedia(addresses: readonly string[]): MediaAddress[] {
  return addresses.flatMap((address) => {
    const m = /^(.*):(\d+)(?:-(\d+))?$/.exec(address)!;
    const [first, last] = [Number(m[2]), Number(m[3] ?? m[2])];
    return Array.from({ length: last - first + 1 }, (_, i) => ({ host: m[1]!, port: first + i }));
  });
}

/** Whether a group of the scenario sends anything (the default publish sends mic and camera). */
function publishes(group: ScenarioSpec['participants'][string]): boolean {
  const p = group.publish;
  return p === undefined || (p !== false && (p.audio === true || (p.video !== undefined && p.video !== false)));
}

/** The adapter a participant of `group` runs with on this target (a module path: not loaded yet, undefined). */
export function adapterOf(target: TargetSpec, group: ScenarioSpec['participants'][string]): PageAdapter | undefined {
  if ('whip' in target || 'whep' in target) {
    if (target.whip !== undefined || target.whep !== undefined) {
      const adapters = whipAdapters({ whip: target.whip ?? null, whep: target.whep ?? null, token: target.token ?? null });
      return publishes(group) ? adapters.publisher : adapters.viewer;
    }
  }
  if (!('url' in target) || target.url === undefined) return referencePage;
  const page = target.page;
  if (page === undefined) return referencePage;
  if (typeof page === 'string') return BUILTIN_ADAPTERS[page];
  return page;
}

/** Problems with the target, and actions whose hooks the participants' adapters lack. */
export function checkTarget(spec: ScenarioSpec): string[] {
  const target = spec.target;
  if (!target) return [];
  const problems: string[] = [];
  if ('url' in target && target.url !== undefined) {
    const page = target.page;
    if (typeof page === 'string' && !BUILTIN_ADAPTERS[page]) {
      problems.push(
        isModulePath(page)
          ? `target.page: the module ${formatValue(page)} is imported when the scenario file is loaded; load the scenario with loadScenario() (rtc-harness run does)`
          : `target.page must be a page adapter, a module path like './my-app.adapter.ts', or a built-in adapter (${Object.keys(BUILTIN_ADAPTERS).join(', ')})${didYouMean(page, Object.keys(BUILTIN_ADAPTERS))}, got ${formatValue(page)}`,
      );
    } else if (typeof page === 'object') {
      problems.push(...adapterProblems(page, 'target.page'));
    }
  }
  if (!('sfu' in target && target.sfu !== undefined) && !('url' in target && target.url !== undefined)) {
    const whip = 'whip' in target ? target.whip : undefined;
    const whep = 'whep' in target ? target.whep : undefined;
    if (whip === undefined && whep === undefined) {
      problems.push("target must name what to call: { sfu: 'bundled' }, { url: 'https://…/{room}?name={name}' } or { whip: 'https://…/whip/{room}', whep: '…' }");
    }
    for (const [group, def] of Object.entries(spec.participants)) {
      const path = formatPath(['participants', group]);
      if (publishes(def) && whip === undefined) problems.push(`${path} publishes, which over WHIP needs target.whip (or publish: false, to view over target.whep)`);
      if (!publishes(def) && whep === undefined) problems.push(`${path} publishes nothing, which over WHEP needs target.whep (or a publish, to send over target.whip)`);
    }
  }
  for (const [i, address] of ('media' in target ? (target.media ?? []) : []).entries()) {
    const m = /:(\d+)(?:-(\d+))?$/.exec(address);
    const [first, last] = [Number(m?.[1]), Number(m?.[2] ?? m?.[1])];
    if (first < 1 || last > 65535 || last < first) problems.push(`${formatPath(['target', 'media', i])}: ports must be from 1 to 65535, lowest first, got ${formatValue(address)}`);
    else if (last - first + 1 > MAX_MEDIA_RANGE_PORTS) problems.push(`${formatPath(['target', 'media', i])}: a range may name at most ${MAX_MEDIA_RANGE_PORTS} ports, got ${last - first + 1}`);
  }
  if (problems.length > 0) return problems;
  return checkHooks(spec, target);
}

/** Every timeline action against the adapters of the participants it names. */
function checkHooks(spec: ScenarioSpec, target: TargetSpec): string[] {
  const problems: string[] = [];
  const groups: GroupCounts = new Map(Object.entries(spec.participants).map(([g, def]) => [g, def.count]));
  for (const [i, action] of (spec.timeline ?? []).entries()) {
    const who = resolveWho(action.who, groups);
    if (!who.ok) continue; // Reported by the roster check.
    const groupsNamed = new Set(who.ids.map((id) => id.replace(/\[\d+\]$/, '')));
    const adapters = new Map([...groupsNamed].flatMap((g) => {
      const adapter = adapterOf(target, spec.participants[g]!);
      return adapter ? [[adapter.name, adapter] as const] : [];
    }));
    for (const adapter of adapters.values()) {
      const missing = missingHooks(adapter, action.do);
      if (missing.length === 0) continue;
      const hooks = missing.map((h) => HOOK_SIGNATURES[h]).join(' and ');
      problems.push(
        `${formatPath(['timeline', i])}: '${action.do}' needs the page adapter '${adapter.name}' to have ${hooks}; add ${missing.length > 1 ? 'them' : 'it'} to the adapter, or drive the page with a 'script' step`,
      );
    }
  }
  return problems;
}

/** The planned target; the scenario has passed checkTarget. */
export function planTarget(spec: ScenarioSpec, turnInUse: boolean): PlannedTarget {
  const target = spec.target ?? { sfu: 'bundled' as const };
  const joinTimeoutMs = parseDurationMs(('joinTimeout' in target ? target.joinTimeout : undefined) ?? DEFAULTS.joinTimeoutMs / 1000);
  const media = 'media' in target && target.media ? { media: expandMedia(target.media) } : {};
  if ('url' in target && target.url !== undefined) {
    const page = target.page === undefined ? referencePage : typeof target.page === 'string' ? BUILTIN_ADAPTERS[target.page]! : target.page;
    return { kind: 'url', url: target.url, page, ...media, joinTimeoutMs };
  }
  if ('sfu' in target && target.sfu !== undefined) {
    return { kind: 'bundled', workers: target.workers ?? DEFAULTS.workers, iceRestart: target.iceRestart ?? turnInUse };
  }
  return { kind: 'whip', whip: target.whip ?? null, whep: target.whep ?? null, token: target.token ?? null, ...media, joinTimeoutMs };
}
