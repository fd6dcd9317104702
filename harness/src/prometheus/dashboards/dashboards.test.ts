// The shipped dashboards (dashboards/*.json) against the rules Grafana relies on and against the
// metric names that exist. Whether each query returns data is proven end to end in
// test/e2e/prometheus.test.ts.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SfuMetrics } from '../../../../sfu/src/metrics.ts';
import { isMetricName, METRICS, METRIC_NAMES } from '../../stats/catalogue.ts';
import { EXPORTED_METRICS, OWN_METRICS } from '../names.ts';
import { DASHBOARDS_DIR, renderDashboards } from './build.ts';
import { checkDashboard, fillVariables, metricNames, panelQueries, variableQueries, variableRefs, type CheckContext } from './check.ts';

const sfuNames = new SfuMetrics({ pool: {} as never, rooms: {} as never, connections: () => 0, logger: {} as never }).registry.getMetricsAsArray().map((m) => m.name);
const provisionedUids = [...readFileSync(join(DASHBOARDS_DIR, 'provisioning/datasources/prometheus.yml'), 'utf8').matchAll(/^\s*uid:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
const ctx: CheckContext = {
  datasourceUids: provisionedUids,
  knownMetrics: new Set([...EXPORTED_METRICS.map((d) => d.name), ...Object.values(OWN_METRICS), ...sfuNames]),
};
const files = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')).sort();
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DASHBOARDS_DIR, f), 'utf8')) }));
const clone = <T>(x: T): T => structuredClone(x);

describe('dashboards/*.json', () => {
  it('are what the definitions build (rebuild: npx tsx harness/src/prometheus/dashboards/build.ts)', () => {
    const built = renderDashboards();
    expect(files).toEqual([...built.keys()].sort());
    for (const [file, text] of built) expect(readFileSync(join(DASHBOARDS_DIR, file), 'utf8'), file).toBe(text);
  });

  it('pass the checks: uids, ids, the grid, datasource references, variables, metric names', () => {
    expect(provisionedUids).toEqual(['rtc-prometheus']);
    for (const { file, json } of dashboards) expect(checkDashboard(json, ctx), file).toEqual([]);
  });

  it('have unique uids and titles across files', () => {
    const uids = dashboards.map((d) => d.json.uid);
    const titles = dashboards.map((d) => d.json.title);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it("show every metric of the SFU on its dashboard, and use the catalogue's names", () => {
    const sfuDashboard = dashboards.find((d) => d.file === 'sfu.json')!.json;
    const onSfu = new Set(panelQueries(sfuDashboard).flatMap((q) => metricNames(q.expr)));
    expect(sfuNames.filter((n) => !onSfu.has(n))).toEqual([]);
    const used = new Set(dashboards.flatMap((d) => panelQueries(d.json).flatMap((q) => metricNames(q.expr))));
    const fromCatalogue = METRIC_NAMES.map((n) => `rtc_${n}`).filter((n) => used.has(n));
    expect(fromCatalogue.length).toBeGreaterThan(30);
  });

  it('filter every query by run, and by group and participant where the dashboard has those variables', () => {
    // A metric measured per participant (not the load generator's own), by its Prometheus name.
    const perParticipant = (name: string) => {
      const metric = name.slice('rtc_'.length);
      if (isMetricName(metric)) return METRICS[metric].scope !== 'run';
      return name === OWN_METRICS.streams || name === OWN_METRICS.runParticipants;
    };
    for (const { file, json } of dashboards) {
      const variables = variableQueries(json).map((v) => v.name);
      for (const q of panelQueries(json)) {
        const names = metricNames(q.expr);
        const refs = variableRefs(q.expr);
        const where = `${file} / ${q.panel} / ${q.refId}`;
        if (names.some((n) => !n.startsWith('rtc_sfu_'))) expect(refs, `${where} ignores $run`).toContain('run');
        if (!names.some(perParticipant)) continue;
        if (variables.includes('group')) expect(refs, `${where} ignores $group`).toContain('group');
        // On the simulcast dashboard $participant picks publishers; receivers are shown whoever they are.
        const receivers = file === 'simulcast.json' && !q.expr.includes('rid!=""');
        if (variables.includes('participant') && !receivers && !names.every((n) => n === OWN_METRICS.runParticipants)) {
          expect(refs, `${where} ignores $participant`).toContain('participant');
        }
      }
    }
  });
});

describe('checkDashboard catches', () => {
  const base = dashboards.find((d) => d.file === 'call-quality.json')!.json;
  const firstPanel = (d: typeof base) => d.panels.find((p: { type: string }) => p.type !== 'row');

  it('a metric that does not exist', () => {
    const d = clone(base);
    firstPanel(d).targets[0].expr = 'sum(rtc_video_recv_fpss{run="$run"})';
    expect(checkDashboard(d, ctx).join('\n')).toMatch(/rtc_video_recv_fpss is not a metric/);
  });

  it('a datasource that is not provisioned, and a datasource variable that does not exist', () => {
    const d = clone(base);
    firstPanel(d).datasource = { type: 'prometheus', uid: 'elsewhere' };
    firstPanel(d).targets[0].datasource = { type: 'prometheus', uid: '${ds}' };
    const problems = checkDashboard(d, ctx).join('\n');
    expect(problems).toMatch(/uid elsewhere is not provisioned/);
    expect(problems).toMatch(/\$ds is not a datasource variable/);
  });

  it('overlapping or off-grid panels, and duplicate ids', () => {
    const d = clone(base);
    const [a, b] = d.panels.filter((p: { type: string }) => p.type !== 'row');
    b.gridPos = { ...a.gridPos };
    a.id = b.id;
    const last = d.panels.at(-1);
    last.gridPos = { ...last.gridPos, x: 20, w: 8 };
    const problems = checkDashboard(d, ctx).join('\n');
    expect(problems).toMatch(/overlaps panel/);
    expect(problems).toMatch(/is not unique/);
    expect(problems).toMatch(/off the 24-column grid/);
  });

  it('a variable used before it is defined, an unknown one, and a query that is not label_values', () => {
    const d = clone(base);
    const [, run, group] = d.templating.list;
    d.templating.list = [d.templating.list[0], group, run];
    firstPanel(d).targets[0].expr = 'sum(rtc_connected{run="$runn"})';
    d.templating.list[2].query.query = 'query_result(up)';
    const problems = checkDashboard(d, ctx).join('\n');
    expect(problems).toMatch(/variable group: uses \$run, which is not a variable defined before it/);
    expect(problems).toMatch(/uses \$runn, which is not a variable/);
    expect(problems).toMatch(/query must be label_values/);
  });

  it('a bad uid and an old schemaVersion', () => {
    const d = clone(base);
    d.uid = 'has spaces';
    d.schemaVersion = 16;
    const problems = checkDashboard(d, ctx).join('\n');
    expect(problems).toMatch(/uid: must be/);
    expect(problems).toMatch(/schemaVersion/);
  });

  it('unbalanced brackets', () => {
    const d = clone(base);
    firstPanel(d).targets[0].expr = 'sum(rtc_connected{run="$run"}';
    expect(checkDashboard(d, ctx).join('\n')).toMatch(/unbalanced/);
  });
});

describe('fillVariables', () => {
  it('fills like Grafana: single values as they are, several as an escaped regex alternation', () => {
    const expr = 'x{run="$run", participant=~"${participant}", group=~"[[group]]"}[$__rate_interval]';
    expect(
      fillVariables(expr, {
        run: { values: ['smoke-1'], multi: false },
        participant: { values: ['callers[0]', 'callers[1]'], multi: true },
        group: { values: ['callers'], multi: true },
        __rate_interval: '4s',
      }),
    ).toBe('x{run="smoke-1", participant=~"(callers\\\\[0\\\\]|callers\\\\[1\\\\])", group=~"callers"}[4s]');
  });

  it('reads variable references in every syntax', () => {
    expect(variableRefs('$a ${b} ${c:regex} [[d]] $__range')).toEqual(['a', 'b', 'c', 'd', '__range']);
  });
});
