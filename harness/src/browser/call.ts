// Reads the call page's control surface (`window.rtcHarness`, see sfu/client/src/api.ts) once per
// collect: which layers the SFU forwards to each video consumer, and the layer changes since the
// last collect. Runs in the page. A page without that surface, or one whose answers have another
// shape (a user's own page), simply gives no call state: only the layer metrics are then missing.
import type { RawCallEvent, RawCallEventType, RawCallState, RawConsumer, RawLayerEvent } from '../stats/raw.ts';

/** The part of window.rtcHarness read here; every method may be missing on a user's page. */
interface CallSurface {
  state?: () => Promise<unknown>;
  drainEvents?: () => Promise<unknown>;
}

/** Most layer events kept per collect: a page that changes layers faster than this is broken anyway. */
const MAX_LAYER_EVENTS = 500;
/** Most call events kept per collect (the page's own log holds 1000 between drains). */
const MAX_CALL_EVENTS = 500;

/** The call events the harness times actions with (analysis/effects.ts); the others stay in the page. */
const CALL_EVENT_TYPES: ReadonlySet<string> = new Set<RawCallEventType>([
  'joined',
  'left',
  'peerJoined',
  'peerLeft',
  'consumerAdded',
  'consumerRemoved',
  'consumerPaused',
  'consumerResumed',
  'firstFrame',
  'videoResized',
  'produced',
  'producerClosed',
  'trackReplaced',
]);

/**
 * Drains the page's event log and reads its state. Draining is what the log is for (the harness
 * is its reader); events other than layer changes and the call events in CALL_EVENT_TYPES are
 * dropped here.
 */
export async function readCallState(win: Window): Promise<RawCallState | undefined> {
  const api = (win as unknown as { rtcHarness?: CallSurface }).rtcHarness;
  if (!api || typeof api.state !== 'function' || typeof api.drainEvents !== 'function') return undefined;
  try {
    const [events, state] = await Promise.all([api.drainEvents(), api.state()]);
    return reduceCallState(state, events);
  } catch {
    return undefined; // Not joined yet, or a page whose surface throws: no layer figures this time.
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const layer = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** Keeps the video consumers that have layers (simulcast or SVC) and the layer-change events. Pure. */
export function reduceCallState(state: unknown, events: unknown): RawCallState | undefined {
  if (!isObject(state) || !Array.isArray(state.consumers)) return undefined;
  const consumers: RawConsumer[] = [];
  for (const c of state.consumers) {
    if (!isObject(c) || typeof c.id !== 'string' || c.kind !== 'video') continue;
    if (c.type !== 'simulcast' && c.type !== 'svc') continue;
    const layers = isObject(c.layers) ? c.layers : null;
    const consumer: RawConsumer = {
      id: c.id,
      spatialLayer: layer(layers?.spatialLayer),
      temporalLayer: layer(layers?.temporalLayer),
    };
    if (typeof c.trackId === 'string') consumer.trackId = c.trackId;
    if (typeof c.producerPeerId === 'string') consumer.producerPeerId = c.producerPeerId;
    const offered = isObject(c.offeredLayers) ? layer(c.offeredLayers.spatial) : null;
    if (offered !== null && offered > 0) consumer.offeredSpatialLayers = offered;
    const preferred = isObject(c.preferredLayers) ? layer(c.preferredLayers.spatialLayer) : null;
    if (preferred !== null) consumer.preferredSpatialLayer = preferred;
    consumers.push(consumer);
  }
  const layerEvents: RawLayerEvent[] = [];
  for (const e of Array.isArray(events) ? events : []) {
    if (!isObject(e) || e.type !== 'layersChanged' || typeof e.consumerId !== 'string' || typeof e.atMs !== 'number') continue;
    layerEvents.push({ tMs: e.atMs, consumerId: e.consumerId, spatialLayer: layer(e.spatialLayer), temporalLayer: layer(e.temporalLayer) });
  }
  const callEvents = reduceCallEvents(events);
  return { consumers, layerEvents: layerEvents.slice(-MAX_LAYER_EVENTS), ...(callEvents.length > 0 ? { events: callEvents } : {}) };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const size = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** The call events the harness uses, with only the fields of the right type. Pure. */
function reduceCallEvents(events: unknown): RawCallEvent[] {
  const out: RawCallEvent[] = [];
  for (const e of Array.isArray(events) ? events : []) {
    if (!isObject(e) || typeof e.type !== 'string' || !CALL_EVENT_TYPES.has(e.type) || typeof e.atMs !== 'number') continue;
    const event: RawCallEvent = { tMs: e.atMs, type: e.type as RawCallEventType };
    const fields = {
      peerId: text(e.peerId),
      consumerId: text(e.consumerId),
      producerPeerId: text(e.producerPeerId),
      producerId: text(e.producerId),
      source: text(e.source),
      kind: e.kind === 'audio' || e.kind === 'video' ? e.kind : undefined,
      width: size(e.width),
      height: size(e.height),
    } as const;
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) (event as unknown as Record<string, unknown>)[key] = value;
    out.push(event);
  }
  return out.slice(-MAX_CALL_EVENTS);
}
