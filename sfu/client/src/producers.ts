// The sending half of a joined call: one producer per source (mic, camera, screen), each with its
// capture, paused and resumed on the page and the SFU together. One Publisher per join.
import type { Producer, RtpCodecCapability, Transport } from 'mediasoup-client/types';
import type { CameraOptions, ProducerSnapshot, ProducerSource, PublishOptions, ScreenShareOptions, VideoCodecName } from './api.ts';
import { encodingsForHandler, resolveVideo, type ResolvedVideo } from './encodings.ts';
import type { EventLog } from './event-log.ts';
import { captureUserMedia, startSyntheticScreen, type SyntheticScreen } from './media.ts';
import type { SignalingClient } from './signaling.ts';
import type { TileGrid } from './ui.ts';

/** Read by the send transport's 'produce' listener to fill the protocol's produce request. */
export interface ProducerAppData {
  [key: string]: unknown;
  source: ProducerSource;
}

interface Entry {
  producer: Producer<ProducerAppData>;
  source: ProducerSource;
  /** Stops what feeds the track beyond the track itself (the screen's drawing timer). */
  stopCapture(): void;
}

export interface PublisherDeps {
  signaling: SignalingClient;
  transport: Transport;
  log: EventLog;
  ui: TileGrid;
  /** Show the local camera in the local tile. */
  preview: boolean;
  /** Video codecs the browser can send to the SFU (the device's send capabilities). */
  sendCodecs: readonly RtpCodecCapability[];
  /** mediasoup-client's handler ('Chrome111', 'Firefox120'): some browsers take encodings their own way. */
  handlerName: string;
}

export class Publisher {
  private readonly entries = new Map<ProducerSource, Entry>();
  /** Sources whose producer is being created, so that two publish calls cannot race. */
  private readonly starting = new Set<ProducerSource>();
  private closed = false;

  constructor(private readonly deps: PublisherDeps) {}

  async publish(options: PublishOptions): Promise<ProducerSnapshot[]> {
    const where = 'publish';
    const video: ResolvedVideo | null = options.video ? resolveVideo(options.video, where) : null;
    const codec = video?.codec === undefined ? undefined : this.sendCodec(video.codec, where);
    const audio = options.audio ?? false;
    if (!audio && !video) throw new Error(`${where}: nothing to publish: pass audio: true and/or video`);
    const sources: ProducerSource[] = [...(audio ? ['mic' as const] : []), ...(video ? ['camera' as const] : [])];
    for (const source of sources) this.claim(source, where);
    try {
      const captured = await captureUserMedia(
        { audio, video: video && { width: video.width, height: video.height, fps: video.fps } },
        where,
      );
      // All or nothing: a failure undoes what this call already produced and captured.
      const created: ProducerSnapshot[] = [];
      try {
        if (captured.audio) {
          created.push(await this.produce('mic', captured.audio, () => {}, { opusDtx: false }));
        }
        if (captured.video && video) {
          const codecOptions = { videoGoogleStartBitrate: 1000 };
          const encodings = encodingsForHandler(video.encodings, this.deps.handlerName);
          created.push(await this.produce('camera', captured.video, () => {}, codecOptions, encodings, codec));
          if (this.deps.preview) this.deps.ui.setLocalPreview(captured.video);
        }
      } catch (err) {
        for (const snapshot of created) await this.unpublish(snapshot.source).catch(() => {});
        captured.audio?.stop();
        captured.video?.stop();
        throw err;
      }
      return created;
    } finally {
      for (const source of sources) this.starting.delete(source);
    }
  }

  async startScreenShare(options: ScreenShareOptions = {}): Promise<ProducerSnapshot> {
    this.claim('screen', 'startScreenShare');
    let screen: SyntheticScreen | undefined;
    try {
      screen = startSyntheticScreen(options);
      const stop = screen.stop;
      return await this.produce('screen', screen.track, stop, {});
    } catch (err) {
      screen?.stop();
      throw err;
    } finally {
      this.starting.delete('screen');
    }
  }

  /**
   * A new camera capture in place of the current one (producer.replaceTrack): the producer, its
   * id and its encodings stay, so the viewers see the new picture without a renegotiation.
   */
  async switchCamera(options: CameraOptions = {}): Promise<ProducerSnapshot> {
    const where = 'switchCamera';
    const entry = this.require('camera', where);
    const current = entry.producer.track?.getSettings() ?? {};
    const size = (key: keyof CameraOptions, fallback: number, max: number): number => {
      const value = options[key] ?? fallback;
      if (!Number.isInteger(value) || value < 1 || value > max) {
        throw new Error(`${where}: ${key} must be a whole number from 1 to ${max}, got ${String(value)}`);
      }
      return value;
    };
    const video = {
      width: size('width', current.width ?? 640, 7680),
      height: size('height', current.height ?? 360, 4320),
      fps: size('fps', Math.round(current.frameRate ?? 30), 120),
    };
    // The current camera is released first, as a phone switching cameras does: a device still
    // open at one size would be handed out again at that size (Chromium's fake camera is).
    // stop() fires no 'ended', so the producer stays.
    entry.producer.track?.stop();
    const captured = await captureUserMedia({ audio: false, video }, where);
    const track = captured.video;
    if (!track) throw new Error(`${where}: getUserMedia gave no video track`);
    // The camera may have been unpublished while the capture started.
    if (this.entries.get('camera') !== entry || entry.producer.closed) {
      track.stop();
      throw new Error(`${where}: the camera was unpublished meanwhile`);
    }
    try {
      // mediasoup-client stops the previous track itself.
      await entry.producer.replaceTrack({ track });
    } catch (err) {
      track.stop();
      throw new Error(`${where}: ${message(err)}`);
    }
    if (this.deps.preview) this.deps.ui.setLocalPreview(track);
    const settings = track.getSettings();
    this.deps.log.push({
      type: 'trackReplaced',
      producerId: entry.producer.id,
      source: 'camera',
      ...(settings.width === undefined ? {} : { width: settings.width }),
      ...(settings.height === undefined ? {} : { height: settings.height }),
    });
    return snapshotOf(entry.producer, 'camera');
  }

  async unpublish(source: ProducerSource, where = `unpublish('${source}')`): Promise<void> {
    const entry = this.require(source, where);
    this.remove(entry, 'unpublished');
    await this.deps.signaling.request('closeProducer', { producerId: entry.producer.id });
  }

  async setPaused(source: ProducerSource, paused: boolean): Promise<void> {
    const where = `${paused ? 'mute' : 'unmute'}('${source}')`;
    const { producer } = this.require(source, where);
    if (producer.paused === paused) return;
    // The page first, so no more media leaves it; then the SFU, which tells the viewers.
    if (paused) producer.pause();
    else producer.resume();
    try {
      await this.deps.signaling.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
    } catch (err) {
      if (paused) producer.resume();
      else producer.pause();
      throw new Error(`${where}: ${message(err)}`);
    }
    this.deps.log.push({ type: paused ? 'producerPaused' : 'producerResumed', producerId: producer.id, source });
  }

  snapshot(): ProducerSnapshot[] {
    return [...this.entries.values()].map((e) => snapshotOf(e.producer, e.source));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of [...this.entries.values()]) this.remove(entry, 'left the room');
  }

  /** The device's capability for `name` (VP9: its first profile, 0), or an error naming what is available. */
  private sendCodec(name: VideoCodecName, where: string): RtpCodecCapability {
    const video = this.deps.sendCodecs.filter((c) => c.kind === 'video' && !/\/(rtx|red|ulpfec|flexfec)/i.test(c.mimeType));
    const found = video.find((c) => c.mimeType.toLowerCase() === `video/${name}`);
    if (!found) {
      const available = [...new Set(video.map((c) => c.mimeType.replace(/^video\//i, '').toLowerCase()))].join(', ');
      throw new Error(`${where}: video.codec '${name}' is not one the browser and the SFU share (available: ${available || 'none'})`);
    }
    return found;
  }

  private claim(source: ProducerSource, where: string): void {
    if (this.closed) throw new Error(`${where}: not joined (call join first)`);
    if (this.entries.has(source) || this.starting.has(source)) {
      const undo = source === 'screen' ? 'stopScreenShare()' : `unpublish('${source}')`;
      throw new Error(`${where}: ${source} already published (${undo} first)`);
    }
    this.starting.add(source);
  }

  private require(source: ProducerSource, where: string): Entry {
    const entry = this.entries.get(source);
    if (!entry) throw new Error(`${where}: no ${source} producer`);
    return entry;
  }

  private async produce(
    source: ProducerSource,
    track: MediaStreamTrack,
    stopCapture: () => void,
    codecOptions: Record<string, number | boolean>,
    encodings?: RTCRtpEncodingParameters[],
    codec?: RtpCodecCapability,
  ): Promise<ProducerSnapshot> {
    let producer: Producer<ProducerAppData>;
    try {
      producer = await this.deps.transport.produce<ProducerAppData>({
        track,
        ...(encodings ? { encodings } : {}),
        ...(codec ? { codec } : {}),
        codecOptions,
        // Muting stops RTP instead of sending black frames, so viewers' stats show the pause.
        disableTrackOnPause: true,
        zeroRtpOnPause: true,
        appData: { source },
      });
    } catch (err) {
      throw new Error(`produce ${source}: ${message(err)}`);
    }
    if (this.closed) {
      producer.close();
      stopCapture();
      throw new Error(`produce ${source}: left the room meanwhile`);
    }
    const entry: Entry = { producer, source, stopCapture };
    this.entries.set(source, entry);
    producer.on('transportclose', () => this.remove(entry, 'transport closed'));
    producer.on('trackended', () => {
      this.deps.log.push({ type: 'error', message: `${source} capture ended` });
      void this.unpublish(source, `${source} capture ended`).catch(() => {});
    });
    this.deps.log.push({ type: 'produced', producerId: producer.id, source, kind: producer.kind });
    return snapshotOf(producer, source);
  }

  private remove(entry: Entry, reason: string): void {
    if (this.entries.get(entry.source) !== entry) return;
    this.entries.delete(entry.source);
    if (!entry.producer.closed) entry.producer.close();
    entry.producer.track?.stop();
    entry.stopCapture();
    if (entry.source === 'camera') this.deps.ui.setLocalPreview(null);
    this.deps.log.push({ type: 'producerClosed', producerId: entry.producer.id, source: entry.source, reason });
  }
}

function snapshotOf(producer: Producer, source: ProducerSource): ProducerSnapshot {
  const settings = producer.kind === 'video' ? producer.track?.getSettings() : undefined;
  return {
    id: producer.id,
    source,
    kind: producer.kind,
    paused: producer.paused,
    encodings: (producer.rtpParameters.encodings ?? []).map((e) => ({
      ...(e.rid === undefined ? {} : { rid: e.rid }),
      ...(e.maxBitrate === undefined ? {} : { maxBitrate: e.maxBitrate }),
      ...(e.scaleResolutionDownBy === undefined ? {} : { scaleResolutionDownBy: e.scaleResolutionDownBy }),
      ...(e.scalabilityMode === undefined ? {} : { scalabilityMode: e.scalabilityMode }),
    })),
    track: settings
      ? {
          ...(settings.width === undefined ? {} : { width: settings.width }),
          ...(settings.height === undefined ? {} : { height: settings.height }),
          ...(settings.frameRate === undefined ? {} : { frameRate: settings.frameRate }),
        }
      : null,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
