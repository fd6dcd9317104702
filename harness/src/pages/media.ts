// What a page can be asked to send: the media sources a participant has and the publish a page
// is asked for, every field resolved. The scenario fills these in (its plan aliases them); the
// pages only read them, so this vocabulary lives with the pages, below the scenario.

/** A media source a participant can stop, mute or unmute. */
export type MediaSource = 'mic' | 'camera' | 'screen';

/** A video codec of the bundled SFU. */
export type VideoCodec = 'vp8' | 'vp9' | 'h264';

/** The camera a page is asked to send. */
export interface VideoRequest {
  simulcast: boolean;
  width: number;
  height: number;
  fps: number;
  /** Simulcast layers lowest first, or one entry capping a single stream; null: the call page's default. */
  encodings: { maxBitrateKbps: number; scaleResolutionDownBy: number }[] | null;
  /** null: the call page's default (the first codec the browser and the SFU share). */
  codec: VideoCodec | null;
  /** null: the call page's default ('L1T3' per simulcast layer, none otherwise). */
  scalabilityMode: string | null;
  /** What the fake camera shows (the browser's, not the page's: see VideoSource). Absent: 'pattern'. */
  source?: VideoSource;
}

/**
 * What a participant's fake camera shows. 'pattern': Chromium's test pattern (flat colour and a
 * counter: cheap to encode, ~0.27 Mbps at 640x360, unlike a camera). 'clip': a generated clip
 * with texture, motion and sensor noise that keeps the encoder at its target rate, as a camera
 * does (participants/clip.ts). 'stamped': drawn in the page by the agent's getUserMedia stand-in,
 * texture and motion under a block code that receivers read on every frame (browser/stamp-code.ts),
 * with a microphone of coded tone bursts (browser/tone-code.ts). 'replay': a camera-like clip
 * encoded once in the page and put on the wire in place of the encoder's output of a tiny
 * stand-in (browser/replay.ts): the receivers' load of a camera at a fraction of the sender's.
 */
export type VideoSource = 'pattern' | 'clip' | 'stamped' | 'replay';

/** What a page is asked to send. */
export interface PublishRequest {
  audio: boolean;
  /** null: no camera. */
  video: VideoRequest | null;
}
