// Every panel query of the shipped dashboards, run against a real Prometheus that scraped a real
// run: the check behind "each panel returns data". Some panels can only have data on a run with a
// feature the common fixtures lack (TURN, a viewer's network changing under simulcast): those are
// listed once here, skipped by the common checks and checked by the test whose run has the feature.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PrometheusApi } from '../../harness/src/prometheus/api.ts';
import { DASHBOARDS_DIR } from '../../harness/src/prometheus/dashboards/build.ts';
import { fillVariables, panelQueries, variableQueries } from '../../harness/src/prometheus/dashboards/check.ts';
import { openHistory } from '../../harness/src/prometheus/history.ts';

export interface Window {
  startSeconds: number;
  endSeconds: number;
}

export interface PanelRef {
  file: string;
  panel: string;
}

/** Panels whose data needs a feature, by feature: checked on a run that has it. */
export const PANELS_NEEDING = {
  turn: [
    { file: 'participant.json', panel: 'TURN candidate errors (seen by the page)' },
    { file: 'participant.json', panel: 'TURN requests refused (coturn log)' },
  ],
  networkChangeUnderSimulcast: [{ file: 'simulcast.json', panel: 'Time to switch after a network change (slowest in range)' }],
  stampedVideo: [
    { file: 'call-quality.json', panel: 'Glass-to-glass latency (stamped video)' },
    { file: 'call-quality.json', panel: 'Frames skipped and repeated (stamped video)' },
    { file: 'call-quality.json', panel: 'Picture quality by sender (stamped video)' },
    { file: 'call-quality.json', panel: 'Mouth-to-ear delay (stamped audio)' },
  ],
} satisfies Record<string, PanelRef[]>;

const ALL_NEEDING: PanelRef[] = Object.values(PANELS_NEEDING).flat();

export const dashboardJson = (file: string) => JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8'));

export interface CheckOptions {
  /** Only these panels (a feature's list). Default: every panel not in PANELS_NEEDING. */
  only?: PanelRef[];
}

/**
 * Every chosen panel query of the dashboards, variables filled from the data as Grafana would:
 * each must return at least one value in the window. Returns one line per failure, and how many
 * queries ran. A listed panel that no dashboard has is a failure (a renamed title must not
 * silently drop its check).
 */
export async function checkAgainstData(api: PrometheusApi, files: string[], runId: string, w: Window, options: CheckOptions = {}): Promise<{ failures: string[]; queries: number }> {
  const failures: string[] = [];
  let queries = 0;
  const listed = (file: string, panel: string, refs: PanelRef[]) => refs.some((r) => r.file === file && r.panel === panel);
  const chosen = (file: string, panel: string) => (options.only ? listed(file, panel, options.only) : !listed(file, panel, ALL_NEEDING));
  for (const ref of options.only ?? ALL_NEEDING) {
    if (!panelQueries(dashboardJson(ref.file)).some((q) => q.panel === ref.panel)) failures.push(`${ref.file} has no panel titled "${ref.panel}"`);
  }
  const rangeSeconds = Math.ceil(w.endSeconds - w.startSeconds);
  const builtins = { __rate_interval: '4s', __interval: '2s', __range: `${rangeSeconds}s`, __range_s: String(rangeSeconds) };
  for (const file of files) {
    const d = dashboardJson(file);
    const values: Record<string, { values: string[]; multi: boolean } | string> = { ...builtins };
    for (const v of variableQueries(d)) {
      const selector = v.selector ? fillVariables(v.selector, values) : undefined;
      const found = await api.labelValues(v.label, selector, w);
      if (found.length === 0) failures.push(`${file}: variable ${v.name} (${selector}, ${v.label}) has no values`);
      if (v.name === 'run') {
        if (!found.includes(runId)) failures.push(`${file}: variable run does not offer ${runId} (got ${found.join(', ')})`);
        values.run = { values: [runId], multi: v.multi };
      } else {
        values[v.name] = { values: v.multi ? found : found.slice(0, 1), multi: v.multi };
      }
    }
    for (const q of panelQueries(d)) {
      if (!chosen(file, q.panel)) continue;
      queries += 1;
      const expr = fillVariables(q.expr, values);
      const where = `${file} / ${q.panel} / ${q.refId}: ${expr}`;
      try {
        const result = q.instant ? await api.query(expr, w.endSeconds) : await api.queryRange(expr, w.startSeconds, w.endSeconds, 2);
        const points = result.reduce((n, s) => n + (s.values?.length ?? (s.value ? 1 : 0)), 0);
        if (points === 0) failures.push(`no data: ${where}`);
      } catch (err) {
        failures.push(`query failed: ${where}: ${(err as Error).message}`);
      }
    }
  }
  return { failures, queries };
}

/** checkAgainstData on the Prometheus data a run kept in `outDir` (the run id is its folder name), reopened for the check and stopped after it. */
export async function checkKeptHistory(outDir: string, files: string[], w: Window, options: CheckOptions = {}): Promise<{ failures: string[]; queries: number }> {
  const prometheus = await openHistory(outDir);
  try {
    return await checkAgainstData(new PrometheusApi(prometheus.url), files, basename(outDir), w, options);
  } finally {
    await prometheus.stop();
  }
}
