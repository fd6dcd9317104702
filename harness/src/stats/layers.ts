// Simulcast/SVC layer figures of one sample, from what the call page said (RawCallState): which
// spatial and temporal layer the SFU forwards to each video consumer, how often it switched, and
// how long each spatial layer lasted. Each consumer's figures go onto the inbound stream it feeds,
// matched by track id (the consumer's track is the stream's trackIdentifier), so they carry the
// same tags as its fps and resolution. Totals continue from the previous sample. Pure.
import type { RawCallState, RawLayerEvent } from './raw.ts';
import type { LayerChange, MetricValues, Sample, StreamSample } from './types.ts';

/** Spatial layers with their own time counter (video_recv_layer<N>_seconds_total). */
const TIMED_LAYERS = [
  ['video_recv_layer0_seconds_total', 0],
  ['video_recv_layer1_seconds_total', 1],
  ['video_recv_layer2_seconds_total', 2],
] as const;

/** -1 stands for "no layer" in the gauges, so that a stream with nothing forwarded reads lowest. */
const NONE = -1;

/**
 * Adds the layer values to the inbound video streams of `streams` (in place) and returns the
 * spatial layer changes since `previous`, oldest first. Without `call` nothing is added.
 */
export function deriveLayers(call: RawCallState | undefined, streams: StreamSample[], previous: Sample | undefined, tMs: number): LayerChange[] {
  if (!call) return [];
  const prevByConsumer = new Map<string, MetricValues>();
  for (const s of previous?.streams ?? []) if (s.meta?.consumerId) prevByConsumer.set(s.meta.consumerId, s.values);
  const byTrack = new Map<string, StreamSample>();
  for (const s of streams) {
    if (s.direction === 'in' && s.kind === 'video' && s.meta?.trackIdentifier) byTrack.set(s.meta.trackIdentifier, s);
  }
  const eventsOf = new Map<string, RawLayerEvent[]>();
  for (const e of call.layerEvents) eventsOf.set(e.consumerId, [...(eventsOf.get(e.consumerId) ?? []), e]);

  const changes: LayerChange[] = [];
  for (const c of call.consumers) {
    const stream = c.trackId === undefined ? undefined : byTrack.get(c.trackId);
    const prev = prevByConsumer.get(c.id);
    const prevSpatial = prev?.video_recv_spatial_layer;
    const events = (eventsOf.get(c.id) ?? []).sort((a, b) => a.tMs - b.tMs);

    // The layer sequence over the interval: where the previous sample left it, then each event.
    let layer: number | null | undefined = prevSpatial === undefined ? undefined : fromGauge(prevSpatial);
    let since: number | undefined = prevSpatial === undefined ? undefined : previous?.t;
    const seconds = [0, 0, 0];
    let switches = 0;
    let downs = 0;
    const hold = (until: number) => {
      if (since !== undefined && layer !== undefined && layer !== null && layer < seconds.length) {
        seconds[layer]! += Math.max(0, until - since) / 1000;
      }
    };
    for (const e of events) {
      if (e.spatialLayer !== (layer ?? null)) {
        const from = layer ?? null;
        changes.push({
          t: e.tMs,
          consumerId: c.id,
          ...(stream ? { stream: stream.id } : {}),
          from,
          to: e.spatialLayer,
          temporal: e.temporalLayer,
        });
        if (from !== null && e.spatialLayer !== null) switches++;
        if (from !== null && (e.spatialLayer === null || e.spatialLayer < from)) downs++;
      }
      hold(Math.min(e.tMs, tMs));
      layer = e.spatialLayer;
      since = Math.max(since ?? e.tMs, Math.min(e.tMs, tMs));
    }
    hold(tMs);

    if (!stream) continue;
    const v = stream.values;
    // "None" once it had a layer; before the SFU's first report there is nothing to tell yet.
    const reported = prevSpatial !== undefined || c.spatialLayer !== null || events.some((e) => e.spatialLayer !== null);
    if (reported) {
      v.video_recv_spatial_layer = c.spatialLayer ?? NONE;
      v.video_recv_temporal_layer = c.temporalLayer ?? NONE;
    }
    v.video_recv_layer_switch_count_total = (prev?.video_recv_layer_switch_count_total ?? 0) + switches;
    v.video_recv_layer_downswitch_count_total = (prev?.video_recv_layer_downswitch_count_total ?? 0) + downs;
    for (const [metric, i] of TIMED_LAYERS) v[metric] = (prev?.[metric] ?? 0) + seconds[i]!;
    stream.meta = {
      ...(stream.meta ?? { ssrc: 0 }),
      consumerId: c.id,
      ...(c.offeredSpatialLayers === undefined ? {} : { offeredSpatialLayers: c.offeredSpatialLayers }),
      ...(c.preferredSpatialLayer === undefined ? {} : { preferredSpatialLayer: c.preferredSpatialLayer }),
    };
  }
  return changes;
}

/** The highest spatial layer a consumer can get: what is offered, capped by what the viewer asked for. */
export function topSpatialLayer(c: { offeredSpatialLayers?: number | undefined; preferredSpatialLayer?: number | undefined }): number | undefined {
  const offered = c.offeredSpatialLayers === undefined ? undefined : c.offeredSpatialLayers - 1;
  if (c.preferredSpatialLayer === undefined) return offered;
  return offered === undefined ? c.preferredSpatialLayer : Math.min(offered, c.preferredSpatialLayer);
}

/** Outbound video streams that sent frames in the interval (a publisher's active simulcast layers). */
export function activeSendLayers(streams: readonly StreamSample[]): number | undefined {
  const video = streams.filter((s) => s.direction === 'out' && s.kind === 'video');
  if (video.length === 0) return undefined;
  return video.filter((s) => (s.values.video_send_fps ?? 0) > 0).length;
}

function fromGauge(value: number): number | null {
  return value < 0 ? null : value;
}
