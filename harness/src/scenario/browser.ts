// What a group's browser can do. Chromium is the default and does everything the harness offers;
// Firefox participants are refused, at validation, the options that need Chromium: receiving in
// count mode (the stand-in decoder is measured there only), the 'clip' camera (a Chromium flag)
// and 'stamped' video (MediaStreamTrackGenerator, which Firefox lacks), and TURN over TLS (the
// run's own certificate is trusted through a Chromium flag).
import { formatPath, formatValue } from './errors.ts';
import { resolveWho, type GroupCounts } from './roster.ts';
import type { PublishSpec, ScenarioSpec } from './types.ts';
import { BROWSER_NAMES } from '../stats/browsers.ts';

const CHROMIUM_ONLY_SOURCES: Readonly<Record<string, string>> = {
  clip: "the clip camera is a Chromium flag (drop source, or use browser: 'chromium')",
  stamped: "stamped video needs MediaStreamTrackGenerator, which Firefox lacks (drop source, or use browser: 'chromium')",
  replay: "the replay camera needs MediaStreamTrackGenerator, which Firefox lacks (drop source, or use browser: 'chromium')",
};

function sourceProblem(publish: PublishSpec | false | undefined, path: string): string[] {
  const video = publish ? publish.video : undefined;
  const source = typeof video === 'object' ? video.source : undefined;
  const why = source === undefined ? undefined : CHROMIUM_ONLY_SOURCES[source];
  return why ? [`${path}.video.source ${formatValue(source)} is not possible in Firefox: ${why}`] : [];
}

/** One line per option a Firefox group (or an action on one of its participants) cannot have. */
export function checkBrowsers(spec: ScenarioSpec): string[] {
  const problems: string[] = [];
  const firefox = new Set<string>();
  for (const [group, def] of Object.entries(spec.participants)) {
    if (def.browser !== 'firefox') continue;
    firefox.add(group);
    const path = formatPath(['participants', group]);
    if (def.receive === 'count') {
      problems.push(`${path}.receive 'count' is not possible in Firefox: its stand-in decoder is measured in Chromium only (drop receive, or use browser: 'chromium')`);
    }
    problems.push(...sourceProblem(def.publish, `${path}.publish`));
    if (def.turn?.transport === 'tls') {
      problems.push(`${path}.turn.transport 'tls' is not possible in Firefox: the run's TURN certificate is trusted through a Chromium flag (use 'tcp' or 'udp', or browser: 'chromium')`);
    }
  }
  if (firefox.size === 0) return problems;
  const groups: GroupCounts = new Map(Object.entries(spec.participants).map(([g, def]) => [g, def.count]));
  for (const [i, action] of (spec.timeline ?? []).entries()) {
    const who = resolveWho(action.who, groups);
    if (!who.ok || !who.ids.some((id) => firefox.has(id.slice(0, id.lastIndexOf('['))))) continue;
    const path = formatPath(['timeline', i]);
    if (action.do === 'publish') problems.push(...sourceProblem(action.what, `${path}.what`).map((p) => p.replace(' in Firefox', ` in Firefox (who: ${formatValue(action.who)})`)));
    if (action.do === 'rejoin' && action.publish) problems.push(...sourceProblem(action.publish, `${path}.publish`).map((p) => p.replace(' in Firefox', ` in Firefox (who: ${formatValue(action.who)})`)));
    if (action.do === 'forceTurn' && action.transport === 'tls') {
      problems.push(`${path}.transport 'tls' is not possible in Firefox (who: ${formatValue(action.who)}): the run's TURN certificate is trusted through a Chromium flag`);
    }
  }
  return problems;
}

/** For a threshold's `browser:` tag. */
export function checkBrowserTag(value: string, path: string): string[] {
  return (BROWSER_NAMES as readonly string[]).includes(value) ? [] : [`${path}: unknown browser '${value}' (browsers: ${BROWSER_NAMES.join(', ')})`];
}
