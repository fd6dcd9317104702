import { describe, expect, it } from 'vitest';
import { activeSendLayers, deriveLayers, topSpatialLayer } from './layers.ts';
import type { RawCallState } from './raw.ts';
import type { Sample, StreamSample } from './types.ts';

const T0 = 1_700_000_000_000;

function inbound(trackIdentifier = 'track-a'): StreamSample {
  return { id: 'pc1/in/video/0', kind: 'video', direction: 'in', values: { video_recv_fps: 30 }, meta: { ssrc: 1, trackIdentifier } };
}

function call(partial: Partial<RawCallState['consumers'][number]> = {}, layerEvents: RawCallState['layerEvents'] = []): RawCallState {
  return {
    consumers: [{ id: 'c1', trackId: 'track-a', spatialLayer: 2, temporalLayer: 2, offeredSpatialLayers: 3, ...partial }],
    layerEvents,
  };
}

function previousWith(stream: StreamSample, t: number): Sample {
  return { t, participant: 'viewers[0]', group: 'viewers', values: {}, streams: [stream] };
}

describe('deriveLayers', () => {
  it('puts the consumer layers on the inbound stream of its track', () => {
    const streams = [inbound()];
    const changes = deriveLayers(call({}, [{ tMs: T0 - 500, consumerId: 'c1', spatialLayer: 2, temporalLayer: 2 }]), streams, undefined, T0);
    expect(streams[0]!.values).toMatchObject({
      video_recv_spatial_layer: 2,
      video_recv_temporal_layer: 2,
      video_recv_layer_switch_count_total: 0,
      video_recv_layer_downswitch_count_total: 0,
      video_recv_layer2_seconds_total: 0.5,
    });
    expect(streams[0]!.meta).toMatchObject({ consumerId: 'c1', offeredSpatialLayers: 3, trackIdentifier: 'track-a' });
    // The first report is not a switch, but it is a change (from nothing).
    expect(changes).toEqual([{ t: T0 - 500, consumerId: 'c1', stream: 'pc1/in/video/0', from: null, to: 2, temporal: 2 }]);
  });

  it('splits the interval between the layers, counts switches, and continues the totals', () => {
    const first = [inbound()];
    deriveLayers(call(), first, undefined, T0);
    first[0]!.values.video_recv_layer2_seconds_total = 10;
    first[0]!.values.video_recv_layer_switch_count_total = 3;
    const streams = [inbound()];
    const events = [
      { tMs: T0 + 200, consumerId: 'c1', spatialLayer: 1, temporalLayer: 2 },
      { tMs: T0 + 700, consumerId: 'c1', spatialLayer: 0, temporalLayer: 1 },
    ];
    const changes = deriveLayers(call({ spatialLayer: 0, temporalLayer: 1 }, events), streams, previousWith(first[0]!, T0), T0 + 1000);
    expect(streams[0]!.values.video_recv_layer2_seconds_total).toBeCloseTo(10.2, 9);
    expect(streams[0]!.values.video_recv_layer1_seconds_total).toBeCloseTo(0.5, 9);
    expect(streams[0]!.values.video_recv_layer0_seconds_total).toBeCloseTo(0.3, 9);
    expect(streams[0]!.values.video_recv_layer_switch_count_total).toBe(5);
    expect(streams[0]!.values.video_recv_layer_downswitch_count_total).toBe(2);
    expect(streams[0]!.values.video_recv_spatial_layer).toBe(0);
    expect(changes.map((c) => [c.from, c.to, c.temporal])).toEqual([
      [2, 1, 2],
      [1, 0, 1],
    ]);
  });

  it('reads a consumer with no layer forwarded as -1, and a temporal-only change as no change', () => {
    const first = [inbound()];
    deriveLayers(call(), first, undefined, T0);
    const streams = [inbound()];
    const changes = deriveLayers(
      call({ spatialLayer: null, temporalLayer: null }, [
        { tMs: T0 + 100, consumerId: 'c1', spatialLayer: 2, temporalLayer: 0 },
        { tMs: T0 + 300, consumerId: 'c1', spatialLayer: null, temporalLayer: null },
      ]),
      streams,
      previousWith(first[0]!, T0),
      T0 + 1000,
    );
    expect(streams[0]!.values.video_recv_spatial_layer).toBe(-1);
    expect(streams[0]!.values.video_recv_temporal_layer).toBe(-1);
    expect(streams[0]!.values.video_recv_layer2_seconds_total).toBeCloseTo(0.3, 9);
    expect(streams[0]!.values.video_recv_layer_switch_count_total).toBe(0);
    expect(streams[0]!.values.video_recv_layer_downswitch_count_total).toBe(1);
    expect(changes).toEqual([{ t: T0 + 300, consumerId: 'c1', stream: 'pc1/in/video/0', from: 2, to: null, temporal: null }]);
  });

  it('has no layer gauges before the SFU first reports a layer', () => {
    const streams = [inbound()];
    deriveLayers(call({ spatialLayer: null, temporalLayer: null }), streams, undefined, T0);
    expect(streams[0]!.values.video_recv_spatial_layer).toBeUndefined();
    expect(streams[0]!.values.video_recv_layer_switch_count_total).toBe(0);
  });

  it('records changes of a consumer whose stream has no stats yet, without values', () => {
    const streams = [inbound('other-track')];
    const changes = deriveLayers(call({}, [{ tMs: T0, consumerId: 'c1', spatialLayer: 1, temporalLayer: 2 }]), streams, undefined, T0);
    expect(changes).toEqual([{ t: T0, consumerId: 'c1', from: null, to: 1, temporal: 2 }]);
    expect(streams[0]!.values.video_recv_spatial_layer).toBeUndefined();
  });

  it('adds nothing for a page without a call surface', () => {
    const streams = [inbound()];
    expect(deriveLayers(undefined, streams, undefined, T0)).toEqual([]);
    expect(Object.keys(streams[0]!.values)).toEqual(['video_recv_fps']);
  });
});

describe('topSpatialLayer', () => {
  it('is the highest offered layer, capped by the one asked for', () => {
    expect(topSpatialLayer({ offeredSpatialLayers: 3 })).toBe(2);
    expect(topSpatialLayer({ offeredSpatialLayers: 3, preferredSpatialLayer: 0 })).toBe(0);
    expect(topSpatialLayer({ offeredSpatialLayers: 2, preferredSpatialLayer: 5 })).toBe(1);
    expect(topSpatialLayer({})).toBeUndefined();
  });
});

describe('activeSendLayers', () => {
  it('counts the outbound video streams that sent frames', () => {
    const out = (rid: string, fps: number): StreamSample => ({ id: `o/${rid}`, kind: 'video', direction: 'out', rid, values: { video_send_fps: fps } });
    expect(activeSendLayers([out('r0', 30), out('r1', 0), out('r2', 29)])).toBe(2);
    expect(activeSendLayers([inbound()])).toBeUndefined();
  });
});
