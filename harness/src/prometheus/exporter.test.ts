import { describe, expect, it } from 'vitest';
import { SfuMetrics } from '../../../sfu/src/metrics.ts';
import { METRICS, METRIC_NAMES } from '../stats/catalogue.ts';
import { samplePoints, type Sample } from '../stats/types.ts';
import { PrometheusExporter } from './exporter.ts';
import { EXPORTED_METRICS, OWN_METRICS, RESERVED_PREFIXES } from './names.ts';

const sample: Sample = {
  t: 1000,
  participant: 'callers[0]',
  group: 'callers',
  values: { rtt_ms: 12, connected: 1, time_to_connected_ms: 150 },
  streams: [
    { id: 'pc1/in/video/1', kind: 'video', direction: 'in', values: { video_recv_fps: 29.5, video_freeze_seconds_total: 0.5 } },
    { id: 'pc0/out/video/0/r1', kind: 'video', direction: 'out', rid: 'r1', values: { video_send_bitrate_kbps: 400 } },
  ],
};

function exporter(): PrometheusExporter {
  return new PrometheusExporter({ run: 'smoke-1', scenario: 'smoke', seed: 7, groups: [{ name: 'callers', count: 3 }] });
}

describe('metric names', () => {
  it('are rtc_ + the catalogue name, counters end in _total and only they do', () => {
    expect(EXPORTED_METRICS.map((d) => d.name)).toEqual(METRIC_NAMES.map((n) => `rtc_${n}`));
    for (const d of EXPORTED_METRICS) {
      expect(d.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(d.type === 'counter', d.name).toBe(d.name.endsWith('_total'));
      expect(d.type === 'counter').toBe(METRICS[d.metric].kind === 'counter');
    }
  });

  it('never collide with the exporter’s own names, the SFU’s or the links’', () => {
    for (const name of METRIC_NAMES) for (const prefix of RESERVED_PREFIXES) expect(name.startsWith(prefix), name).toBe(false);
    const sfuNames = new SfuMetrics({ pool: {} as never, rooms: {} as never, connections: () => 0, logger: {} as never }).registry
      .getMetricsAsArray()
      .map((m) => m.name);
    expect(sfuNames.length).toBeGreaterThan(5);
    const all = [...EXPORTED_METRICS.map((d) => d.name), ...Object.values(OWN_METRICS), ...sfuNames];
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('PrometheusExporter', () => {
  it('serves the latest values in the text format with run, scenario, group, participant, kind, direction, rid', async () => {
    const e = exporter();
    e.ingest(sample, samplePoints(sample));
    const text = await e.metrics();
    expect(text).toContain('# TYPE rtc_video_recv_fps gauge');
    expect(text).toContain('rtc_video_recv_fps{run="smoke-1",scenario="smoke",group="callers",participant="callers[0]",kind="video",direction="in"} 29.5');
    expect(text).toContain('# TYPE rtc_video_freeze_seconds_total counter');
    expect(text).toContain('rtc_video_freeze_seconds_total{run="smoke-1",scenario="smoke",group="callers",participant="callers[0]",kind="video",direction="in"} 0.5');
    expect(text).toContain('rtc_video_send_bitrate_kbps{run="smoke-1",scenario="smoke",group="callers",participant="callers[0]",kind="video",direction="out",rid="r1"} 400');
    expect(text).toContain('rtc_rtt_ms{run="smoke-1",scenario="smoke",group="callers",participant="callers[0]"} 12');
    expect(text).toContain('rtc_run_info{run="smoke-1",scenario="smoke",seed="7"} 1');
    expect(text).toContain('rtc_run_participants{run="smoke-1",scenario="smoke",group="callers"} 3');
    expect(text).not.toContain('pc1/in');
    // A metric with no value has no series (not a fake 0).
    expect(text).not.toMatch(/^rtc_host_cpu_percent\{/m);
  });

  it('exports nothing but the run’s own series before the first sample, and counts its series', async () => {
    const e = exporter();
    const series = (t: string) => t.split('\n').filter((l) => l && !l.startsWith('#'));
    const empty = series(await e.metrics());
    expect(empty.map((l) => l.split('{')[0]).sort()).toEqual(['rtc_exporter_series', 'rtc_run_info', 'rtc_run_participants']);
    e.ingest(sample, samplePoints(sample));
    const lines = series(await e.metrics());
    const counted = Number(lines.find((l) => l.startsWith('rtc_exporter_series'))?.split(' ')[1]);
    expect(counted).toBe(lines.length);
  });

  it('keeps two exporters apart (no global registry)', async () => {
    const a = exporter();
    const b = new PrometheusExporter({ run: 'other', scenario: 'x' });
    a.ingest(sample, samplePoints(sample));
    expect(await b.metrics()).not.toContain('callers[0]');
  });
});
