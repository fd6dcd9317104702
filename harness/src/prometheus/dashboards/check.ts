// Checks a Grafana dashboard JSON for what Grafana relies on when it loads one (uids, panel ids,
// the grid, datasource references, template variables), plus what we rely on (every metric a
// query names exists), and extracts the queries with their variables filled in the way Grafana's
// Prometheus datasource does, so a test can run them against a real Prometheus. Pure.

export const GRAFANA_BUILTINS = ['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms', '__from', '__to'];
const PANEL_TYPES = new Set(['row', 'timeseries', 'stat', 'bargauge', 'table', 'gauge', 'text', 'heatmap', 'barchart']);
const VARIABLE_TYPES = new Set(['query', 'datasource', 'custom', 'constant', 'interval', 'textbox', 'adhoc']);
const GRID_COLUMNS = 24;

type Json = Record<string, any>;

export interface CheckContext {
  /** Uids of the provisioned datasources. */
  datasourceUids: readonly string[];
  /** Every metric name a query may use. */
  knownMetrics: ReadonlySet<string>;
  /** Lowest schemaVersion accepted. Default 36 (Grafana 9). */
  minSchemaVersion?: number;
}

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
  instant: boolean;
}

/** Every problem of one dashboard, as lines naming the panel or variable; empty when fine. */
export function checkDashboard(d: Json, ctx: CheckContext): string[] {
  const problems: string[] = [];
  const bad = (where: string, what: string) => problems.push(`${d?.uid ?? '?'}: ${where}: ${what}`);
  if (typeof d.uid !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(d.uid)) bad('uid', `must be 1-40 of [A-Za-z0-9_-], got ${JSON.stringify(d.uid)}`);
  if (typeof d.title !== 'string' || d.title === '') bad('title', 'is missing');
  if (!Number.isInteger(d.schemaVersion) || d.schemaVersion < (ctx.minSchemaVersion ?? 36)) bad('schemaVersion', `must be an integer >= ${ctx.minSchemaVersion ?? 36}, got ${d.schemaVersion}`);
  if (!Array.isArray(d.panels) || d.panels.length === 0) bad('panels', 'must be a non-empty array');
  if (!Array.isArray(d.templating?.list)) bad('templating.list', 'must be an array');
  if (problems.length > 0) return problems;

  // Variables: unique names, known types, datasource, queries that only use earlier variables.
  const variables: Json[] = d.templating.list;
  const defined: string[] = [];
  for (const [i, v] of variables.entries()) {
    const where = `variable ${v?.name ?? `#${i}`}`;
    if (typeof v.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.name)) bad(where, 'name must be an identifier');
    if (defined.includes(v.name)) bad(where, 'name is not unique');
    if (!VARIABLE_TYPES.has(v.type)) bad(where, `unknown type ${JSON.stringify(v.type)}`);
    if (v.type === 'datasource') {
      if (v.query !== 'prometheus') bad(where, 'a datasource variable here must list prometheus datasources');
      if (v.current?.value !== undefined && !ctx.datasourceUids.includes(v.current.value)) bad(where, `default ${v.current.value} is not a provisioned datasource`);
    }
    if (v.type === 'query') {
      problems.push(...checkDatasource(d.uid, where, v.datasource, variables, ctx));
      const query = typeof v.query === 'string' ? v.query : v.query?.query;
      if (typeof query !== 'string' || !/^label_values\((.+,\s*)?[A-Za-z_][A-Za-z0-9_]*\)$/.test(query)) bad(where, `query must be label_values(...), got ${JSON.stringify(query)}`);
      else {
        if (v.definition !== undefined && v.definition !== query) bad(where, 'definition differs from the query');
        for (const ref of variableRefs(query)) if (!defined.includes(ref)) bad(where, `uses $${ref}, which is not a variable defined before it`);
        problems.push(...checkMetrics(d.uid, where, query, ctx));
      }
      if (![1, 2].includes(v.refresh)) bad(where, 'refresh must be 1 (on load) or 2 (on time range change)');
    }
    defined.push(v.name);
  }

  // Panels: unique ids, known types, the grid, datasources, targets.
  const ids = new Set<number>();
  const boxes: { title: string; x: number; y: number; w: number; h: number }[] = [];
  for (const p of d.panels as Json[]) {
    const where = `panel ${JSON.stringify(p.title ?? p.id)}`;
    if (!Number.isInteger(p.id) || p.id < 1) bad(where, 'id must be a positive integer');
    else if (ids.has(p.id)) bad(where, `id ${p.id} is not unique`);
    ids.add(p.id);
    if (!PANEL_TYPES.has(p.type)) bad(where, `unknown type ${JSON.stringify(p.type)}`);
    const g = p.gridPos ?? {};
    if (![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1 || g.x + g.w > GRID_COLUMNS) {
      bad(where, `gridPos ${JSON.stringify(p.gridPos)} is off the ${GRID_COLUMNS}-column grid`);
    } else {
      for (const o of boxes) if (g.x < o.x + o.w && o.x < g.x + g.w && g.y < o.y + o.h && o.y < g.y + g.h) bad(where, `overlaps panel ${JSON.stringify(o.title)}`);
      boxes.push({ title: p.title, ...g });
    }
    if (p.type === 'row') continue;
    if (typeof p.title !== 'string' || p.title === '') bad(where, 'title is missing');
    problems.push(...checkDatasource(d.uid, where, p.datasource, variables, ctx));
    if (!Array.isArray(p.targets) || p.targets.length === 0) {
      bad(where, 'has no query');
      continue;
    }
    const refIds = new Set<string>();
    for (const t of p.targets as Json[]) {
      const at = `${where} query ${t.refId}`;
      if (typeof t.refId !== 'string' || refIds.has(t.refId)) bad(at, 'refId must be unique in the panel');
      refIds.add(t.refId);
      if (t.datasource !== undefined) problems.push(...checkDatasource(d.uid, at, t.datasource, variables, ctx));
      if (typeof t.expr !== 'string' || t.expr.trim() === '') {
        bad(at, 'expr is empty');
        continue;
      }
      if (!balanced(t.expr)) bad(at, `unbalanced brackets or quotes in ${t.expr}`);
      for (const ref of variableRefs(t.expr)) if (!defined.includes(ref) && !GRAFANA_BUILTINS.includes(ref)) bad(at, `uses $${ref}, which is not a variable`);
      problems.push(...checkMetrics(d.uid, at, t.expr, ctx));
    }
  }
  return problems;
}

function checkDatasource(uid: string, where: string, ds: Json | undefined, variables: Json[], ctx: CheckContext): string[] {
  if (!ds || ds.type !== 'prometheus' || typeof ds.uid !== 'string') return [`${uid}: ${where}: datasource must be { type: 'prometheus', uid }`];
  const ref = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(ds.uid)?.[1];
  if (ref) {
    return variables.some((v) => v.name === ref && v.type === 'datasource') ? [] : [`${uid}: ${where}: datasource $${ref} is not a datasource variable`];
  }
  return ctx.datasourceUids.includes(ds.uid) ? [] : [`${uid}: ${where}: datasource uid ${ds.uid} is not provisioned`];
}

/** Metric names a PromQL expression names (rtc_*), without the ones inside label matchers. */
export function metricNames(expr: string): string[] {
  const outsideQuotes = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(outsideQuotes.match(/\brtc_[a-z0-9_]+\b/g) ?? [])];
}

function checkMetrics(uid: string, where: string, expr: string, ctx: CheckContext): string[] {
  return metricNames(expr)
    .filter((name) => !ctx.knownMetrics.has(name))
    .map((name) => `${uid}: ${where}: ${name} is not a metric the harness or the SFU exports`);
}

/** Names of the variables an expression uses: $x, ${x}, ${x:fmt}, [[x]]. */
export function variableRefs(expr: string): string[] {
  const refs = [...expr.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]/g)];
  return [...new Set(refs.map((r) => r[1] ?? r[2] ?? r[3] ?? ''))];
}

function balanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let quote = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if ('([{'.includes(c)) stack.push(c);
    else if (c in pairs && stack.pop() !== pairs[c]) return false;
  }
  return !quote && stack.length === 0;
}

/** Every query of every panel, in order. */
export function panelQueries(d: Json): PanelQuery[] {
  return (d.panels as Json[])
    .filter((p) => p.type !== 'row')
    .flatMap((p) => (p.targets as Json[]).map((t) => ({ panel: String(p.title), refId: String(t.refId), expr: String(t.expr), instant: Boolean(t.instant) })));
}

/** The label_values query of each query variable, in order: { name, selector, label, multi }. */
export function variableQueries(d: Json): { name: string; selector: string | null; label: string; multi: boolean }[] {
  return (d.templating.list as Json[])
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query: string = typeof v.query === 'string' ? v.query : v.query.query;
      const match = /^label_values\((?:(.+),\s*)?([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(query)!;
      return { name: v.name, selector: match[1] ?? null, label: match[2]!, multi: Boolean(v.multi || v.includeAll) };
    });
}

/**
 * Fills variables as Grafana's Prometheus datasource does: a single-select value as is; a
 * multi-value or "All" as a regex alternation of the escaped values. Built-ins come as given.
 */
export function fillVariables(expr: string, values: Record<string, { values: string[]; multi: boolean } | string>): string {
  return expr.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)\]\]/g, (whole, a, b, c) => {
    const name: string = a ?? b ?? c;
    const v = values[name];
    if (v === undefined) return whole;
    if (typeof v === 'string') return v;
    if (!v.multi) return (v.values[0] ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    const escaped = v.values.map((x) => x.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&').replace(/"/g, '\\"'));
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}
