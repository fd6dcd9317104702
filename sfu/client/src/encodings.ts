// Resolves the camera's publish options (all optional) into capture settings and the encodings
// mediasoup-client sends. Pure, so the defaults and the validation are unit-tested.
import type { EncodingOptions, VideoCodecName, VideoPublishOptions } from './api.ts';

/** Three layers, lowest first: mediasoup-client names them r0, r1, r2 in this order. */
export const DEFAULT_SIMULCAST_LAYERS: readonly EncodingOptions[] = [
  { scaleResolutionDownBy: 4, maxBitrateKbps: 150 },
  { scaleResolutionDownBy: 2, maxBitrateKbps: 500 },
  { scaleResolutionDownBy: 1, maxBitrateKbps: 1500 },
];

/** Three temporal layers per encoding, so that viewers can also drop frame rate. */
export const SIMULCAST_SCALABILITY_MODE = 'L1T3';

export const VIDEO_CODECS: readonly VideoCodecName[] = ['vp8', 'vp9', 'h264'];

/** What a publisher may ask for: 'L<1-3>T<1-3>' with an optional webrtc-svc suffix ('_KEY', 'h'...). */
const PUBLISHABLE_MODE = /^L[1-3]T[1-3](h|_KEY|_KEY_SHIFT)?$/;

/**
 * Spatial and temporal layer counts of a scalability mode, read as mediasoup does (it writes a
 * simulcast consumer's as 'L<encodings>T<temporal>', so 'L4T3' is possible); null when it is none.
 */
export function parseScalabilityMode(mode: string): { spatial: number; temporal: number } | null {
  const m = /^[LS]([1-9]\d?)T([1-9]\d?)/.exec(mode);
  return m ? { spatial: Number(m[1]), temporal: Number(m[2]) } : null;
}

/** An encoding as produce() takes it; TypeScript's DOM types lack scalabilityMode. */
export type SendEncoding = RTCRtpEncodingParameters & { scalabilityMode?: string };

export interface ResolvedVideo {
  simulcast: boolean;
  width: number;
  height: number;
  fps: number;
  /** What mediasoup-client's produce() takes as `encodings`; undefined sends one uncapped encoding. */
  encodings: SendEncoding[] | undefined;
  /** The codec asked for; undefined leaves the choice to mediasoup-client (the first shared one). */
  codec: VideoCodecName | undefined;
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
  const codec = o.codec;
  if (codec !== undefined && !VIDEO_CODECS.includes(codec)) {
    throw new Error(`${where}: video.codec must be one of ${VIDEO_CODECS.join(', ')}, got ${JSON.stringify(codec)}`);
  }
  const mode = o.scalabilityMode;
  if (mode !== undefined) {
    const parsed = typeof mode === 'string' && PUBLISHABLE_MODE.test(mode) ? parseScalabilityMode(mode) : null;
    if (!parsed) {
      throw new Error(`${where}: video.scalabilityMode must be like 'L1T3' or 'L3T3_KEY' (L1-3, T1-3), got ${JSON.stringify(mode)}`);
    }
    if (simulcast && parsed.spatial !== 1) {
      throw new Error(`${where}: video.scalabilityMode with simulcast sets each layer's temporal layers: 'L1T1', 'L1T2' or 'L1T3', got '${mode}' (spatial layers in one stream are SVC: drop simulcast)`);
    }
    // VP8 and H.264 have no spatial scalability in libwebrtc; AV1 is not among the SFU's codecs.
    if (!simulcast && parsed.spatial > 1 && codec !== 'vp9') {
      throw new Error(`${where}: video.scalabilityMode '${mode}' has ${parsed.spatial} spatial layers, which needs codec: 'vp9' (got ${codec === undefined ? 'the default, VP8' : `'${codec}'`})`);
    }
  }
  let encodings: SendEncoding[] | undefined;
  if (simulcast && layers) {
    encodings = layers.map((layer) => ({
      scaleResolutionDownBy: layer.scaleResolutionDownBy,
      maxBitrate: Math.round(layer.maxBitrateKbps * 1000),
      scalabilityMode: mode ?? SIMULCAST_SCALABILITY_MODE,
    }));
  } else if (layers?.[0] || mode !== undefined) {
    encodings = [
      {
        ...(layers?.[0] ? { maxBitrate: Math.round(layers[0].maxBitrateKbps * 1000) } : {}),
        ...(mode === undefined ? {} : { scalabilityMode: mode }),
      },
    ];
  }
  return { simulcast, width, height, fps, encodings, codec };
}

/**
 * The encodings as `handlerName`'s browser must be given them. Firefox (ESR 153, measured through
 * this SFU) behaves as if each simulcast encoding had the maxBitrate of the one at the mirrored
 * position: with the default layers its lowest one rose to 1.2 Mbps at 320x180 and its top one
 * never sent a frame (as with a cap too low for 1280x720). Given the caps in reverse order, it
 * sends all three layers. Other browsers, and a single encoding, get the encodings as they are.
 */
export function encodingsForHandler(encodings: SendEncoding[] | undefined, handlerName: string): SendEncoding[] | undefined {
  if (!encodings || encodings.length < 2 || !/^Firefox/.test(handlerName)) return encodings;
  const caps = encodings.map((e) => e.maxBitrate).reverse();
  return encodings.map((e, i) => {
    const { maxBitrate: _, ...rest } = e;
    return caps[i] === undefined ? rest : { ...rest, maxBitrate: caps[i] };
  });
}

function whole(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
