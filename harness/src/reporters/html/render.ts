// The report page: tables rendered here (readable even without its script), charts drawn by the
// inlined script from the payload. One file, no external resource: a Content-Security-Policy
// forbids every fetch, so the page behaves the same offline, from a CI artifact, or mailed.
import { createRequire } from 'node:module';
import type { RunResults } from '../../results/schema.ts';
import { METRICS, isMetricName, type MetricName } from '../../stats/catalogue.ts';
import { isNotable, regressionSummary, rowLabel, sortedRows, statusCounts } from '../../compare/format.ts';
import { formatTolerance } from '../../compare/tolerance.ts';
import { SUMMARY_COLUMNS, figure, formatDelta, formatDuration, formatValue, reproduceCommand } from '../../results/format.ts';
import type { ReportAssets } from './assets.ts';
import type { ReportPayload } from './payload.ts';

const require = createRequire(import.meta.url);

/** Most rows of the actions table (a long run with many participants has thousands). */
const MAX_ACTION_ROWS = 500;

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside <script>: '<' escaped so no '</script>' or '<!--' in a value can end the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function thresholdsTable(r: RunResults): string {
  if (r.thresholds.length === 0) return '<p class="muted">No thresholds: this run cannot fail on quality. Add <code>thresholds</code> to the scenario.</p>';
  const rows = r.thresholds.map((t) => {
    const unit = isMetricName(t.metric) ? METRICS[t.metric].unit : '';
    return `<tr class="${t.ok ? 'ok' : 'bad'}"><td>${t.ok ? '✓' : '✗'}</td><td><code>${esc(t.key)}</code></td><td><code>${esc(t.expression)}</code></td>
<td class="num">${esc(formatValue(t.actual, unit))}</td><td>${t.ok ? esc(t.notAvailable ?? '') : esc(t.reason ?? 'failed')}${t.aborted ? ' (stopped the run)' : ''}</td></tr>`;
  });
  return `<table><thead><tr><th></th><th>selector</th><th>expression</th><th>measured</th><th>why</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function baselineSection(r: RunResults): string {
  const c = r.baseline;
  if (!c) return '';
  const row = (x: (typeof c.rows)[number]) =>
    `<tr class="${x.status === 'regressed' ? 'bad' : x.status === 'improved' ? 'ok' : ''}"><td>${esc(x.status)}</td><td>${esc(rowLabel(x))}</td>
<td class="num">${esc(formatValue(x.baseline, x.unit))}</td><td class="num">${esc(formatValue(x.current, x.unit))}</td>
<td class="num">${esc(formatDelta(x.delta, x.deltaPct))}</td><td class="num">${esc(formatTolerance(x.tolerance))}</td></tr>`;
  const head = '<thead><tr><th></th><th>figure</th><th>baseline</th><th>this run</th><th>change</th><th>tolerance</th></tr></thead>';
  const notable = sortedRows(c.rows).filter(isNotable);
  const commit = c.baselineCommit ? `, commit ${c.baselineCommit.slice(0, 12)}` : '';
  return `<section id="baseline"><h2>${c.regressed ? '✗ Regressed' : '✓ No regression'} against the baseline</h2>
<p class="muted">${esc(c.baselineFile)} (${esc(c.baselineScenario)}, ${esc(c.baselineStartedAt)}${esc(commit)}): ${esc(statusCounts(c) || 'nothing to compare')}.</p>
${c.warnings.map((w) => `<p class="warn">⚠ ${esc(w)}</p>`).join('\n')}
${notable.length > 0 ? `<table>${head}<tbody>${notable.map(row).join('\n')}</tbody></table>` : ''}
<details><summary>Every compared figure (${c.rows.length})</summary><table>${head}<tbody>${sortedRows(c.rows).map(row).join('\n')}</tbody></table></details></section>`;
}

function participantsTable(r: RunResults): string {
  const rows = r.participants.map((p) => {
    const problem = !p.connected ? `never connected${p.error ? `: ${p.error}` : ''}` : (p.error ?? '');
    return `<tr class="${problem ? 'bad' : ''}"><td>${esc(p.id)}</td><td>${esc(p.browser ?? 'chromium')}</td><td>${p.connected ? '✓' : '✗'}</td>${SUMMARY_COLUMNS.map(([, m, s]) => `<td class="num">${esc(figure(p.aggregates, m, s))}</td>`).join('')}
<td>${esc(p.network?.profile.name ?? '')}</td><td>${esc(problem)}</td></tr>`;
  });
  return `<table><thead><tr><th>participant</th><th>browser</th><th>connected</th>${SUMMARY_COLUMNS.map(([label]) => `<th>${esc(label)}</th>`).join('')}<th>network</th><th>problem</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

/** The figures per browser, when the run mixed browsers; empty otherwise. */
function browsersSection(r: RunResults): string {
  const browsers = r.browsers ?? [];
  if (browsers.length < 2) return '';
  const rows = browsers.map((b) => {
    const ok = r.participants.filter((p) => (p.browser ?? 'chromium') === b.name && p.connected).length;
    return `<tr><td>${esc(b.version ?? b.name)}</td><td>${ok}/${b.count}</td>${SUMMARY_COLUMNS.map(([, m, s]) => `<td class="num">${esc(figure(b.aggregates, m, s))}</td>`).join('')}</tr>`;
  });
  const lacking = browsers
    .filter((b) => b.notAvailable.length > 0)
    .map((b) => `<p class="muted">Not available in ${esc(b.name)} (its stats lack them): ${b.notAvailable.map((m) => `<code>${esc(m)}</code>`).join(', ')}.</p>`);
  return `<section id="browsers"><h2>Browsers</h2><table><thead><tr><th>browser</th><th>connected</th>${SUMMARY_COLUMNS.map(([label]) => `<th>${esc(label)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>${lacking.join('\n')}</section>`;
}

function actionsTable(r: RunResults): string {
  if (r.actions.length === 0) return '<p class="muted">No timeline actions.</p>';
  const failed = r.actions.filter((a) => !a.ok).length;
  const shown = r.actions.slice(0, MAX_ACTION_ROWS);
  const rows = shown.map(
    (a) =>
      `<tr class="${a.ok ? '' : 'bad'}"><td class="num">${(a.atMs / 1000).toFixed(1)} s</td><td class="num">${(a.startedMs / 1000).toFixed(2)} s</td><td>${esc(a.do)}</td><td>${esc(a.participant)}</td>
<td class="num">${a.durationMs} ms</td><td>${a.ok ? '✓' : `✗ ${esc(a.error ?? '')}`}</td></tr>`,
  );
  const more = r.actions.length > shown.length ? `<p class="muted">${r.actions.length - shown.length} more in results.json.</p>` : '';
  return `<p class="muted">${r.actions.length - failed} of ${r.actions.length} ok.</p><table><thead><tr><th>planned</th><th>started</th><th>action</th><th>participant</th><th>took</th><th></th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>${more}`;
}

function environmentList(r: RunResults): string {
  const e = r.environment;
  const lg = r.loadGenerator;
  const items = [
    ['reproduce', `<code>${esc(reproduceCommand(r))}</code>`],
    ['scenario', `${esc(r.scenario)} (<code>${esc(r.scenarioFile)}</code>), seed ${r.seed}`],
    ['started', `${esc(r.startedAt)}, ran ${esc(formatDuration(r.durationSeconds))}${r.interrupted ? ' (stopped early)' : ''}`],
    ['git commit', e.gitCommit ? `<code>${esc(e.gitCommit)}</code>${e.gitDirty ? ' with uncommitted changes' : ''}` : 'unknown'],
    ['versions', `rtc-harness ${esc(e.harnessVersion)}, Node ${esc(e.node)}, ${esc(e.chromium ?? 'Chromium unknown')}, mediasoup ${esc(e.mediasoup ?? 'unknown')}`],
    ['machine', `${e.cores} cores${e.cpuModel ? ` (${esc(e.cpuModel)})` : ''}, ${e.memoryGiB} GiB, ${esc(e.platform)}${e.arch ? ` ${esc(e.arch)}` : ''}`],
    ['load generator', `CPU max ${esc(formatValue(lg.maxCpuPercent, 'percent'))}, average ${esc(formatValue(lg.avgCpuPercent, 'percent'))}, ${lg.browsers} browser(s)${lg.invalidReason ? `: ${esc(lg.invalidReason)}` : ''}`],
    ['samples', `${r.sampleCount} samples, ${r.storedPoints} points${r.droppedPoints > 0 ? `, <span class="bad">${r.droppedPoints} dropped (store full)</span>` : ''}`],
    ...(e.ciJobUrl ? [['CI job', `<a href="${esc(e.ciJobUrl)}">${esc(e.ciJobUrl)}</a>`]] : []),
  ];
  return `<dl>${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('\n')}</dl>`;
}

const STYLE = `
:root { --ok: #17803d; --bad: #c81e1e; --warn: #a15c00; --muted: #666; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1a1a1a; }
body { margin: 0 auto; padding: 16px 24px 48px; max-width: 1500px; }
header { border-bottom: 1px solid #ddd; padding-bottom: 8px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 6px; } h3 { font-size: 14px; margin: 0 0 4px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 4px; color: #fff; font-weight: 600; margin-right: 8px; }
.badge.pass { background: var(--ok); } .badge.fail, .badge.regressed { background: var(--bad); } .badge.invalid, .badge.running { background: var(--warn); }
.reason { font-weight: 600; } .muted { color: var(--muted); } .warn { color: var(--warn); }
nav a { margin-right: 14px; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.bad td { color: var(--bad); } tr.ok td:first-child { color: var(--ok); } .bad { color: var(--bad); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f4f4f4; padding: 1px 4px; border-radius: 3px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px 24px; }
figure { margin: 0; min-width: 0; } figure > div { width: 100%; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; } dt { color: var(--muted); } dd { margin: 0; }
.uplot .u-legend { font-size: 12px; text-align: left; } .uplot .u-legend .u-series { padding: 0 6px; }
@media print { .charts { grid-template-columns: 1fr; } }
`;

export function renderHtmlReport(r: RunResults, payload: ReportPayload, assets: ReportAssets): string {
  const regressed = r.baseline?.regressed ?? false;
  const chartSections = payload.sections
    .map(
      (s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.note ? `<p class="muted">${esc(s.note)}</p>` : ''}
<div class="charts">${s.charts.map((c) => `<figure><h3>${esc(c.title)}</h3><div data-chart="${esc(c.id)}"></div></figure>`).join('\n')}</div></section>`,
    )
    .join('\n');
  const nav = [
    ['thresholds', 'Thresholds'],
    ...(r.baseline ? [['baseline', 'Baseline']] : []),
    ...((r.browsers?.length ?? 0) > 1 ? [['browsers', 'Browsers']] : []),
    ['participants', 'Participants'],
    ...payload.sections.map((s) => [s.id, s.title]),
    ['actions', 'Timeline'],
    ['environment', 'Reproduce'],
  ];
  const uplotVersion = String(require('uplot/package.json').version);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(r.verdict.toUpperCase())} · ${esc(r.scenario)} · rtc-harness report</title>
<style>${assets.css}\n${STYLE}</style></head>
<body>
<header>
<h1><span class="badge ${esc(r.verdict)}">${esc(r.verdict.toUpperCase())}</span>${regressed ? '<span class="badge regressed">REGRESSED</span>' : ''}${esc(r.scenario)}</h1>
${r.verdictReason ? `<p class="reason">${esc(r.verdictReason)}</p>` : ''}
${r.baseline && regressionSummary(r.baseline) ? `<p class="reason bad">${esc(regressionSummary(r.baseline))}</p>` : ''}
<p class="muted">${esc(r.startedAt)} · ${esc(formatDuration(r.durationSeconds))} · ${r.groups.map((g) => `${esc(g.name)} ×${g.count}`).join(', ')} · ${r.participants.filter((p) => p.connected).length}/${r.participants.length} connected · seed ${r.seed}</p>
<nav>${nav.map(([id, label]) => `<a href="#${esc(id)}">${esc(label)}</a>`).join('')}</nav>
</header>
<section id="thresholds"><h2>Thresholds</h2>${thresholdsTable(r)}</section>
${baselineSection(r)}
${browsersSection(r)}
<section id="participants"><h2>Participants</h2>${participantsTable(r)}</section>
${chartSections}
<section id="actions"><h2>Timeline actions</h2>${actionsTable(r)}</section>
<section id="environment"><h2>Reproduce</h2>${environmentList(r)}</section>
<script type="application/json" id="rtc-report-data">${scriptJson(payload)}</script>
<script>/*! uPlot v${esc(uplotVersion)} (c) Leon Sorokin, MIT License, https://github.com/leeoniya/uPlot */
${assets.script.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}
