// Resolves the camera's publish options (all optional) into capture settings and the encodings
// mediasoup-client sends. Pure, so the defaults and the validation are unit-tested.
import type { EncodingOptions, VideoPublishOptions } from './api.ts';

/** Three layers, lowest first: mediasoup-client names them r0, r1, r2 in this order. */
export const DEFAULT_SIMULCAST_LAYERS: readonly EncodingOptions[] = [
  { scaleResolutionDownBy: 4, maxBitrateKbps: 150 },
  { scaleResolutionDownBy: 2, maxBitrateKbps: 500 },
  { scaleResolutionDownBy: 1, maxBitrateKbps: 1500 },
];

/** Three temporal layers per encoding, so that viewers can also drop frame rate. */
export const SIMULCAST_SCALABILITY_MODE = 'L1T3';

export interface ResolvedVideo {
  simulcast: boolean;
  width: number;
  height: number;
  fps: number;
  /** What mediasoup-client's produce() takes as `encodings`; undefined sends one uncapped encoding. */
  encodings: RTCRtpEncodingParameters[] | undefined;
}

/** Throws an Error naming the field (prefixed with `where`) when an option is out of range. */
export function resolveVideo(options: true | VideoPublishOptions, where = 'publish'): ResolvedVideo {
  const o: VideoPublishOptions = options === true ? {} : options;
  const simulcast = o.simulcast ?? false;
  const width = whole(o.width ?? 640, 16, 7680, `${where}: video.width`);
  const height = whole(o.height ?? 360, 16, 4320, `${where}: video.height`);
  const fps = whole(o.fps ?? 30, 1, 120, `${where}: video.fps`);
  const layers = o.encodings ?? (simulcast ? DEFAULT_SIMULCAST_LAYERS : undefined);
  if (layers !== undefined) {
    if (layers.length < 1 || layers.length > 4) {
      throw new Error(`${where}: video.encodings must have 1 to 4 entries, got ${layers.length}`);
    }
    layers.forEach((layer, i) => {
      const at = `${where}: video.encodings[${i}]`;
      if (!(Number.isFinite(layer.maxBitrateKbps) && layer.maxBitrateKbps > 0)) {
        throw new Error(`${at}.maxBitrateKbps must be a positive number, got ${String(layer.maxBitrateKbps)}`);
      }
      if (!(Number.isFinite(layer.scaleResolutionDownBy) && layer.scaleResolutionDownBy >= 1)) {
        throw new Error(`${at}.scaleResolutionDownBy must be >= 1, got ${String(layer.scaleResolutionDownBy)}`);
      }
    });
  }
  let encodings: RTCRtpEncodingParameters[] | undefined;
  if (simulcast && layers) {
    encodings = layers.map((layer) => ({
      scaleResolutionDownBy: layer.scaleResolutionDownBy,
      maxBitrate: Math.round(layer.maxBitrateKbps * 1000),
      scalabilityMode: SIMULCAST_SCALABILITY_MODE,
    }));
  } else if (layers?.[0]) {
    encodings = [{ maxBitrate: Math.round(layers[0].maxBitrateKbps * 1000) }];
  }
  return { simulcast, width, height, fps, encodings };
}

function whole(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
