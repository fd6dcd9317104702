// The camera a participant publishes: the user's `video` settings resolved into the PlannedVideo
// the runner hands to the call page, and the checks between its fields (simulcast layers, SVC,
// codec) that the schema alone cannot express. Pure.
import { formatValue } from './errors.ts';
import { DEFAULTS, type PlannedVideo } from './plan.ts';
import type { VideoCodec, VideoPublishSpec } from './types.ts';
import { parseBitrateKbps } from './units.ts';

export const VIDEO_CODECS = ['vp8', 'vp9', 'h264'] as const satisfies readonly VideoCodec[];

/** 'L<spatial>T<temporal>' with an optional webrtc-svc suffix, 1 to 3 layers of each. */
export const SCALABILITY_MODE = /^L([1-3])T([1-3])(h|_KEY|_KEY_SHIFT)?$/;
export const SCALABILITY_MODE_ALLOWED = "a scalability mode like 'L1T3' (simulcast layers) or 'L3T3_KEY' (VP9 SVC)";

/** `video` of a publish, resolved; null: no camera. */
export function resolveVideoSpec(video: boolean | VideoPublishSpec | undefined): PlannedVideo | null {
  if (!video) return null;
  if (video === true) return { ...DEFAULTS.video };
  // One side given: keep 16:9 (even numbers, as encoders prefer).
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  const width = video.width ?? (video.height !== undefined ? even((video.height * 16) / 9) : DEFAULTS.video.width);
  const height = video.height ?? (video.width !== undefined ? even((video.width * 9) / 16) : DEFAULTS.video.height);
  const layers = video.encodings;
  return {
    simulcast: video.simulcast ?? DEFAULTS.video.simulcast,
    width,
    height,
    fps: video.fps ?? DEFAULTS.video.fps,
    encodings: layers
      ? layers.map((e, i) => ({
          maxBitrateKbps: parseBitrateKbps(e.maxBitrate),
          // The last layer at full size, each one before it half the size of the next.
          scaleResolutionDownBy: e.scaleResolutionDownBy ?? 2 ** (layers.length - 1 - i),
        }))
      : null,
    codec: video.codec ?? null,
    scalabilityMode: video.scalabilityMode ?? null,
    // Absent for the default, so plans and page requests of pattern cameras stay as they were.
    ...(video.source && video.source !== 'pattern' ? { source: video.source } : {}),
  };
}

/** Problems between the fields of a well-formed `video` at `path`, one line each. */
export function checkVideoSpec(video: VideoPublishSpec, path: string): string[] {
  const problems: string[] = [];
  const simulcast = video.simulcast ?? false;
  const count = video.encodings?.length ?? 0;
  if (!simulcast && count > 1) {
    problems.push(
      `${path}.encodings has ${count} layers, which needs simulcast: true (without simulcast, give one entry to cap the single stream)`,
    );
  }
  const mode = video.scalabilityMode === undefined ? null : SCALABILITY_MODE.exec(video.scalabilityMode);
  const spatial = mode ? Number(mode[1]) : 1;
  if (simulcast && spatial > 1) {
    problems.push(
      `${path}.scalabilityMode with simulcast sets each layer's temporal layers ('L1T1', 'L1T2' or 'L1T3'), ` +
        `got ${formatValue(video.scalabilityMode)}; spatial layers in one stream are SVC: drop simulcast and use codec 'vp9'`,
    );
  } else if (spatial > 1 && video.codec !== 'vp9') {
    problems.push(
      `${path}.scalabilityMode ${formatValue(video.scalabilityMode)} has ${spatial} spatial layers (SVC), which needs codec: 'vp9', ` +
        `got ${video.codec === undefined ? "none (the default is 'vp8')" : formatValue(video.codec)}`,
    );
  }
  if (video.source === 'replay') {
    // The clip is one VP8 stream (browser/replay-clip.ts).
    if (simulcast) problems.push(`${path}.source 'replay' sends one pre-encoded stream: drop simulcast, or use source 'clip'`);
    if (video.codec !== undefined && video.codec !== 'vp8') problems.push(`${path}.source 'replay' replays a VP8 clip: drop codec or use 'vp8', got ${formatValue(video.codec)}`);
    if (video.scalabilityMode !== undefined) problems.push(`${path}.source 'replay' sends one pre-encoded layer: drop scalabilityMode`);
  }
  return problems;
}
