import { describe, expect, it } from 'vitest';
import { METRICS } from './catalogue.ts';
import { samplePoints, type Sample } from './types.ts';

const sample: Sample = {
  t: 1_700_000_000_000,
  participant: 'presenter[0]',
  group: 'presenter',
  intervalMs: 1000,
  values: { send_bitrate_kbps: 1200, rtt_ms: 12, connected: 1 },
  streams: [
    { id: 'pc0/out/video/0/h', kind: 'video', direction: 'out', rid: 'h', values: { video_send_bitrate_kbps: 900, video_send_fps: 30 } },
    { id: 'pc0/out/audio/1', kind: 'audio', direction: 'out', values: { audio_send_bitrate_kbps: 32 } },
  ],
};

describe('samplePoints', () => {
  it('tags participant values with group and participant, stream values also with the stream', () => {
    const points = samplePoints(sample);
    expect(points).toHaveLength(6);
    expect(points[0]).toEqual({
      metric: 'send_bitrate_kbps',
      value: 1200,
      t: sample.t,
      tags: { group: 'presenter', participant: 'presenter[0]' },
    });
    expect(points.find((p) => p.metric === 'video_send_fps')).toEqual({
      metric: 'video_send_fps',
      value: 30,
      t: sample.t,
      tags: { group: 'presenter', participant: 'presenter[0]', stream: 'pc0/out/video/0/h', kind: 'video', direction: 'out', rid: 'h' },
    });
    expect(points.find((p) => p.metric === 'audio_send_bitrate_kbps')?.tags).not.toHaveProperty('rid');
  });

  it("tags every point of an inbound stamped stream with its sender (from)", () => {
    const viewer: Sample = {
      t: sample.t,
      participant: 'viewers[0]',
      group: 'viewers',
      values: {},
      streams: [{ id: 'pc1/in/video/1', kind: 'video', direction: 'in', from: 'presenter[0]', values: { video_e2e_latency_ms: 80, video_recv_fps: 30 } }],
    };
    const points = samplePoints(viewer);
    expect(points.map((p) => p.tags.from)).toEqual(['presenter[0]', 'presenter[0]']);
    expect(samplePoints(sample).some((p) => 'from' in p.tags)).toBe(false);
  });

  it('skips unknown names, values at the wrong scope and non-finite values', () => {
    const odd = {
      ...sample,
      values: { rtt_ms: NaN, video_recv_fps: 30, bogus_metric: 1 },
      streams: [{ id: 's', kind: 'video', direction: 'in', values: { rtt_ms: 5, video_recv_fps: 25 } }],
    } as unknown as Sample;
    expect(samplePoints(odd).map((p) => [p.metric, p.value])).toEqual([['video_recv_fps', 25]]);
  });
});

describe('catalogue', () => {
  it('names every metric in snake_case with a unit suffix matching its unit', () => {
    const suffix: Record<string, RegExp> = {
      kbps: /_kbps$/,
      fps: /_fps$/,
      px: /_px$/,
      ms: /_ms$/,
      seconds: /_seconds(_total)?$/,
      percent: /_percent$/,
      count: /(_count(_total)?|_packets_total|^peer_connections)$/,
      layer: /_layer$/,
      per_second: /_per_second$/,
      db: /_db$/,
      bool: /^(connected|media_interrupted|ice_relay|ice_tcp|ice_tls)$/,
    };
    for (const [name, def] of Object.entries(METRICS)) {
      expect(name, name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(name, `${name} (${def.unit})`).toMatch(suffix[def.unit] ?? /$^/);
      if (def.kind === 'counter') expect(name, name).toMatch(/_total$/);
    }
  });
});
