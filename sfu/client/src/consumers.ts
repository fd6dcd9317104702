// The receiving half of a joined call: consumes what the SFU announces, attaches each track to
// an element so it is decoded, resumes it on the SFU, and keeps the SFU's reports (layers,
// score, pause) for state(). One Subscriber per join, closed on leave.
import type { Consumer, Transport } from 'mediasoup-client/types';
import type { NotificationMap } from '../../src/protocol.ts';
import type { ConsumerSnapshot, LayersSnapshot, PeerInfo, PreferredLayersOptions } from './api.ts';
import { parseScalabilityMode } from './encodings.ts';
import type { EventLog } from './event-log.ts';
import type { SignalingClient } from './signaling.ts';
import type { TileGrid } from './ui.ts';

type NewConsumer = NotificationMap['newConsumer'];

interface Entry {
  info: NewConsumer;
  consumer: Consumer;
  paused: boolean;
  layers: LayersSnapshot | null;
  score: number | null;
  firstFrameAtMs: number | null;
  preferredLayers: LayersSnapshot | null;
}

export interface SubscriberDeps {
  signaling: SignalingClient;
  transport: Transport;
  log: EventLog;
  ui: TileGrid;
  peers: ReadonlyMap<string, PeerInfo>;
  /** Records an error for state().lastError and the event log. */
  reportError(message: string): void;
}

export class Subscriber {
  private readonly entries = new Map<string, Entry>();
  /** Consumers still being set up; a consumerClosed for one of them is applied when it is ready. */
  private readonly pending = new Set<string>();
  private readonly closedWhilePending = new Set<string>();
  private closed = false;

  constructor(private readonly deps: SubscriberDeps) {}

  async onNewConsumer(info: NewConsumer): Promise<void> {
    if (this.closed) return;
    const { signaling, transport, log, ui } = this.deps;
    this.pending.add(info.consumerId);
    try {
      const consumer = await transport.consume({
        id: info.consumerId,
        producerId: info.producerId,
        kind: info.kind,
        rtpParameters: info.rtpParameters as never,
        // One stream per peer and source: Chromium then syncs a peer's audio with its video.
        streamId: `${info.producerPeerId}:${info.source === 'screen' ? 'screen' : 'av'}`,
      });
      if (this.closed || this.closedWhilePending.has(info.consumerId)) {
        consumer.close();
        return;
      }
      const entry: Entry = {
        info,
        consumer,
        paused: info.producerPaused,
        layers: null,
        score: null,
        firstFrameAtMs: null,
        preferredLayers: null,
      };
      this.entries.set(info.consumerId, entry);
      consumer.on('transportclose', () => this.remove(info.consumerId, 'transport closed'));
      const displayName = this.deps.peers.get(info.producerPeerId)?.displayName ?? info.producerPeerId;
      const element = ui.attach({
        consumerId: info.consumerId,
        peerId: info.producerPeerId,
        displayName,
        kind: info.kind,
        source: info.source,
        track: consumer.track,
      });
      // No element, no render timing: the agent's stats time the first frame instead.
      if (element) this.watchFirstFrame(entry, element);
      log.push({
        type: 'consumerAdded',
        consumerId: info.consumerId,
        producerPeerId: info.producerPeerId,
        source: info.source,
        kind: info.kind,
      });
      // Only now that the track is attached: the key frame the SFU sends on resume gets decoded.
      await signaling.request('resumeConsumer', { consumerId: info.consumerId });
    } catch (err) {
      this.deps.reportError(`consume ${info.kind} of peer ${info.producerPeerId} (consumer ${info.consumerId}): ${message(err)}`);
    } finally {
      this.pending.delete(info.consumerId);
      this.closedWhilePending.delete(info.consumerId);
    }
  }

  onConsumerClosed(consumerId: string): void {
    if (this.pending.has(consumerId)) this.closedWhilePending.add(consumerId);
    this.remove(consumerId, 'closed by the SFU');
  }

  onPeerLeft(peerId: string): void {
    for (const [id, entry] of this.entries) {
      if (entry.info.producerPeerId === peerId) this.remove(id, 'peer left');
    }
  }

  onPaused(consumerId: string, paused: boolean): void {
    const entry = this.entries.get(consumerId);
    if (!entry || entry.paused === paused) return;
    entry.paused = paused;
    this.deps.log.push({ type: paused ? 'consumerPaused' : 'consumerResumed', consumerId });
  }

  onLayersChanged(data: NotificationMap['consumerLayersChanged']): void {
    const entry = this.entries.get(data.consumerId);
    if (entry) entry.layers = { spatialLayer: data.spatialLayer, temporalLayer: data.temporalLayer };
    this.deps.log.push({ type: 'layersChanged', ...data });
  }

  onScore(data: NotificationMap['consumerScore']): void {
    const entry = this.entries.get(data.consumerId);
    if (entry) entry.score = data.score;
  }

  async setPreferredLayers(options: PreferredLayersOptions): Promise<{ consumers: number }> {
    const where = `setPreferredLayers(${JSON.stringify(options)})`;
    if (!Number.isInteger(options.spatialLayer) || options.spatialLayer < 0) {
      throw new Error(`${where}: spatialLayer must be a whole number >= 0`);
    }
    if (options.temporalLayer !== undefined && (!Number.isInteger(options.temporalLayer) || options.temporalLayer < 0)) {
      throw new Error(`${where}: temporalLayer must be a whole number >= 0 when given`);
    }
    // Only simulcast and SVC consumers have layers; a single-encoding screen share has none.
    const targets = [...this.entries.values()].filter(
      (e) =>
        e.info.kind === 'video' &&
        (e.info.type === 'simulcast' || e.info.type === 'svc') &&
        (options.producerPeerId === undefined || e.info.producerPeerId === options.producerPeerId),
    );
    if (targets.length === 0) {
      const of = options.producerPeerId === undefined ? '' : ` of peer ${options.producerPeerId}`;
      throw new Error(`${where}: no simulcast or SVC video consumer${of} (wait for a consumerAdded event of a simulcast publisher)`);
    }
    await Promise.all(
      targets.map(async (e) => {
        await this.deps.signaling.request('setConsumerPreferredLayers', {
          consumerId: e.info.consumerId,
          spatialLayer: options.spatialLayer,
          ...(options.temporalLayer === undefined ? {} : { temporalLayer: options.temporalLayer }),
        });
        e.preferredLayers = { spatialLayer: options.spatialLayer, temporalLayer: options.temporalLayer ?? null };
      }),
    );
    return { consumers: targets.length };
  }

  snapshot(): ConsumerSnapshot[] {
    return [...this.entries.values()].map((e) => ({
      id: e.info.consumerId,
      producerId: e.info.producerId,
      producerPeerId: e.info.producerPeerId,
      source: e.info.source,
      kind: e.info.kind,
      type: e.info.type,
      paused: e.paused,
      layers: e.layers,
      trackId: e.consumer.track.id,
      offeredLayers: offeredLayers(e.info.rtpParameters),
      preferredLayers: e.preferredLayers,
      score: e.score,
      firstFrameAtMs: e.firstFrameAtMs,
    }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.entries.keys()]) this.remove(id, 'left the room');
  }

  private remove(consumerId: string, reason: string): void {
    const entry = this.entries.get(consumerId);
    if (!entry) return;
    this.entries.delete(consumerId);
    if (!entry.consumer.closed) entry.consumer.close();
    this.deps.ui.detach(consumerId);
    this.deps.log.push({ type: 'consumerRemoved', consumerId, producerPeerId: entry.info.producerPeerId, reason });
  }

  /** Logs the first frame: for video the first one presented, for audio the start of playout. */
  private watchFirstFrame(entry: Entry, element: HTMLMediaElement): void {
    const done = (): void => {
      if (entry.firstFrameAtMs !== null || !this.entries.has(entry.info.consumerId)) return;
      entry.firstFrameAtMs = Date.now();
      const video = element instanceof HTMLVideoElement ? element : null;
      this.deps.log.push({
        type: 'firstFrame',
        consumerId: entry.info.consumerId,
        producerPeerId: entry.info.producerPeerId,
        kind: entry.info.kind,
        ...(video ? { width: video.videoWidth, height: video.videoHeight } : {}),
      });
    };
    if (element instanceof HTMLVideoElement) {
      // Both: requestVideoFrameCallback may never fire for a tile that is not composited, and
      // loadeddata fires once the first frame is decoded.
      element.requestVideoFrameCallback?.(() => done());
      element.addEventListener('loadeddata', done, { once: true });
      // A size change after the first frame is the sender's new camera or resolution arriving.
      let size = '';
      element.addEventListener('resize', () => {
        const { videoWidth: width, videoHeight: height } = element;
        const next = `${width}x${height}`;
        // The first size seen (before or after the first frame) is the stream's own, not a change.
        const first = size === '' || entry.firstFrameAtMs === null;
        const changed = next !== size;
        size = next;
        if (first || !changed || !this.entries.has(entry.info.consumerId)) return;
        this.deps.log.push({ type: 'videoResized', consumerId: entry.info.consumerId, producerPeerId: entry.info.producerPeerId, width, height });
      });
    } else {
      element.addEventListener('playing', done, { once: true });
    }
  }
}

/**
 * The layers a consumer can be given: mediasoup writes them as the scalability mode of the
 * consumer's one encoding ('L3T3' for three simulcast encodings of L1T3 each).
 */
function offeredLayers(rtpParameters: NewConsumer['rtpParameters']): { spatial: number; temporal: number } {
  const encodings = rtpParameters.encodings;
  const first = Array.isArray(encodings) ? encodings[0] : undefined;
  const mode = first && typeof first === 'object' && !Array.isArray(first) ? first.scalabilityMode : undefined;
  return (typeof mode === 'string' ? parseScalabilityMode(mode) : null) ?? { spatial: 1, temporal: 1 };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
