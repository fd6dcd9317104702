// The report page's script (bundled with uPlot into the page, so it opens offline): reads the
// payload from the page, draws each chart with uPlot, marks timeline actions as vertical lines,
// keeps every chart on the same time range with a shared cursor, and tells tests what it drew
// through window.rtcReport.
import uPlot from 'uplot';
import type { ChartData, Marker, RenderedReport, ReportPayload } from './payload.ts';

declare global {
  interface Window {
    rtcReport?: RenderedReport;
  }
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const CHART_HEIGHT_PX = 220;

function markerPlugin(markers: Marker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u: uPlot) => {
          const { ctx } = u;
          const { left, top, width, height } = u.bbox;
          const dpr = window.devicePixelRatio || 1;
          ctx.save();
          ctx.font = `${10 * dpr}px system-ui, sans-serif`;
          ctx.textBaseline = 'top';
          // uPlot leaves the alignment of its last axis label behind.
          ctx.textAlign = 'left';
          let lastLabelEnd = -Infinity;
          for (const m of markers) {
            const x = Math.round(u.valToPos(m.t, 'x', true));
            if (x < left || x > left + width) continue;
            ctx.strokeStyle = m.ok ? 'rgba(90, 90, 90, 0.55)' : 'rgba(200, 30, 30, 0.9)';
            ctx.lineWidth = dpr;
            ctx.setLineDash([4 * dpr, 3 * dpr]);
            ctx.beginPath();
            ctx.moveTo(x + 0.5, top);
            ctx.lineTo(x + 0.5, top + height);
            ctx.stroke();
            // Labels that would overlap the previous one are left to the tooltip (title) and table.
            const w = ctx.measureText(m.label).width;
            if (x + 3 * dpr > lastLabelEnd && x + w < left + width) {
              ctx.fillStyle = m.ok ? '#444' : '#c81e1e';
              ctx.fillText(m.label, x + 3 * dpr, top + 2 * dpr);
              lastLabelEnd = x + w + 8 * dpr;
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}

function chartOptions(c: ChartData, payload: ReportPayload, width: number): uPlot.Options {
  const markers = payload.markers.filter((m) => c.markersFor === 'all' || m.participants.some((p) => c.markersFor.includes(p)));
  let colour = 0;
  return {
    width,
    height: CHART_HEIGHT_PX,
    scales: { x: { time: false, range: [payload.xMin, payload.xMax] } },
    axes: [
      { label: 'seconds from the start', labelSize: 20, values: (_u, ticks) => ticks.map((t) => `${t}s`) },
      { label: c.yLabel, labelSize: 20, size: 56 },
    ],
    series: [
      { label: 'time', value: (_u, v) => (v === null || v === undefined ? '-' : `${v.toFixed(1)} s`) },
      ...c.series.map((s) => ({
        label: s.label,
        stroke: s.emphasis ? '#111' : PALETTE[colour++ % PALETTE.length]!,
        width: s.emphasis ? 2.5 : 1.25,
        dash: s.dashed ? [6, 4] : undefined,
        spanGaps: !c.showGaps,
        points: { show: false },
        paths: c.stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined,
        value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '-' : Number(v.toPrecision(4)).toString()),
      })),
    ],
    cursor: { sync: { key: 'rtc-report' } },
    legend: { live: true },
    plugins: [markerPlugin(markers)],
  };
}

function render(): void {
  const rendered: RenderedReport = { charts: [], errors: [] };
  window.rtcReport = rendered;
  const source = document.getElementById('rtc-report-data');
  if (!source?.textContent) {
    rendered.errors.push('the report data is missing');
    return;
  }
  const payload = JSON.parse(source.textContent) as ReportPayload;
  const plots: { plot: uPlot; host: HTMLElement }[] = [];
  for (const section of payload.sections) {
    for (const c of section.charts) {
      const host = document.querySelector<HTMLElement>(`[data-chart="${CSS.escape(c.id)}"]`);
      if (!host) {
        rendered.errors.push(`no place for chart ${c.id}`);
        continue;
      }
      try {
        const data: uPlot.AlignedData = [c.x, ...c.series.map((s) => s.values)];
        const plot = new uPlot(chartOptions(c, payload, host.clientWidth || 600), data, host);
        plots.push({ plot, host });
        const points = c.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
        rendered.charts.push({ id: c.id, series: c.series.length, points, width: plot.width, height: plot.height });
      } catch (err) {
        rendered.errors.push(`chart ${c.id}: ${(err as Error).message}`);
        console.error(err);
      }
    }
  }
  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { plot, host } of plots) plot.setSize({ width: host.clientWidth, height: CHART_HEIGHT_PX });
    });
  });
  document.body.dataset.rendered = String(rendered.charts.length);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', render);
else render();
