// A small typed builder for the Grafana dashboard JSON we ship: rows of panels laid out on
// Grafana's 24-column grid, Prometheus targets, and template variables. It writes only what the
// dashboards use, in the shape Grafana 10/11 saves (schemaVersion 39), so the files stay readable
// and a check can hold every one of them to the same rules.

export const SCHEMA_VERSION = 39;
/** The uid of the provisioned datasource (dashboards/provisioning/datasources/prometheus.yml). */
export const DATASOURCE_UID = 'rtc-prometheus';
/** Panels and variables name the datasource through this variable, so an imported dashboard can pick another one. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
export const GRID_COLUMNS = 24;

export interface TargetSpec {
  expr: string;
  /** Legend, e.g. '{{participant}}'. Default: Grafana's (the series labels). */
  legend?: string;
  /** Evaluate once at the end of the range (tables, bar gauges) instead of over it. */
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  description?: string;
  type?: 'timeseries' | 'stat' | 'bargauge' | 'table';
  /** Grafana unit id: 'fps', 'ms', 's', 'Kbits', 'percent', 'percentunit', 'bytes', 'bps', 'short'. */
  unit?: string;
  min?: number;
  max?: number;
  targets: TargetSpec[];
  /** Width in grid columns. Default 12 (timeseries, tables, bar gauges), 4 (stat). */
  w?: number;
  /** Height in grid rows. Default 8 (4 for stat). */
  h?: number;
  /** Time series only: draw a value as held until the next (Grafana's stepAfter), for levels such as a layer index. Default false (lines). */
  steps?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export interface QueryVariableSpec {
  name: string;
  label: string;
  /** label_values(<selector>, <label>) */
  query: string;
  multi?: boolean;
  includeAll?: boolean;
  /** 1 alphabetical, 2 alphabetical descending (newest timestamped run first). Default 1. */
  sort?: number;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: QueryVariableSpec[];
  rows: RowSpec[];
  /** Default time range start, e.g. 'now-30m'. */
  from?: string;
}

type Json = Record<string, unknown>;

export function buildDashboard(spec: DashboardSpec): Json {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const type = p.type ?? 'timeseries';
      const w = p.w ?? (type === 'stat' ? 4 : 12);
      const h = p.h ?? (type === 'stat' ? 4 : 8);
      if (x + w > GRID_COLUMNS) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panel(id++, type, p, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['rtc-harness'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: spec.from ?? 'now-30m', to: 'now' },
    refresh: '5s',
    timezone: 'browser',
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [{ title: 'rtc-harness dashboards', type: 'dashboards', tags: ['rtc-harness'], asDropdown: true, includeVars: true, keepTime: true }],
    templating: { list: [datasourceVariable(), ...spec.variables.map(queryVariable)] },
    panels,
  };
}

function panel(id: number, type: string, p: PanelSpec, gridPos: { x: number; y: number; w: number; h: number }): Json {
  const defaults: Json = { unit: p.unit ?? 'short' };
  if (p.min !== undefined) defaults.min = p.min;
  if (p.max !== undefined) defaults.max = p.max;
  if (p.steps && type === 'timeseries') defaults.custom = { lineInterpolation: 'stepAfter' };
  const options: Json =
    type === 'timeseries'
      ? { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } }
      : type === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
        : type === 'bargauge'
          ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'basic', showUnfilled: true }
          : { showHeader: true };
  return {
    id,
    type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: { defaults, overrides: [] },
    options,
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.expr,
      ...(t.legend ? { legendFormat: t.legend } : {}),
      range: !t.instant,
      instant: Boolean(t.instant),
      ...(t.instant && type === 'table' ? { format: 'table' } : {}),
    })),
  };
}

function datasourceVariable(): Json {
  return {
    name: 'datasource',
    label: 'Prometheus',
    type: 'datasource',
    query: 'prometheus',
    current: { selected: true, text: 'rtc-harness Prometheus', value: DATASOURCE_UID },
    hide: 0,
    refresh: 1,
    regex: '',
    options: [],
  };
}

function queryVariable(v: QueryVariableSpec): Json {
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DATASOURCE,
    definition: v.query,
    query: { qryType: 1, query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    // 2: refresh on time range change, so runs that happened in the range appear.
    refresh: 2,
    sort: v.sort ?? 1,
    multi: v.multi ?? false,
    includeAll: v.includeAll ?? false,
    current: {},
    options: [],
    regex: '',
    hide: 0,
  };
}
