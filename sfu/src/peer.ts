// One participant in a room: its two WebRtcTransports, its producers and the consumers it receives.
// The peer owns these and closes them with itself; it reports upward (to its Room) only through
// events, and talks to its page through the `notify` function its signaling session gave it.
import { validateRtpCapabilities } from 'mediasoup/node/lib/ortc.js';
import type { types } from 'mediasoup';
import { TypedEmitter } from './events.ts';
import { SignalingError, clientInput } from './errors.ts';
import { errorMessage, type Logger } from './logger.ts';
import type {
  ConsumerState,
  DtlsParameters,
  MediaKind,
  NotificationMap,
  NotificationMethod,
  PeerInfo,
  ProducerSource,
  RtpCapabilities,
  RtpParameters,
  TransportDirection,
  TransportInfo,
} from './protocol.ts';

export type Notify = <M extends NotificationMethod>(method: M, data: NotificationMap[M]) => void;

/** A producer with what the room needs to fan it out. */
export interface ProducerEntry {
  readonly producer: types.Producer;
  readonly source: ProducerSource;
  readonly peerId: string;
}

interface ConsumerEntry {
  readonly consumer: types.Consumer;
  readonly producerPeerId: string;
  readonly source: ProducerSource;
}

interface TransportEntry {
  readonly transport: types.WebRtcTransport;
  readonly direction: TransportDirection;
}

export interface PeerContext {
  router: types.Router;
  webRtcServer: types.WebRtcServer;
  initialOutgoingBitrateBps: number;
  /** Floor of a receive transport's bandwidth estimate, bps; 0: none (see SfuOptions). */
  minOutgoingBitrateBps: number;
  logger: Logger;
  notify: Notify;
}

/** Why a peer closed: its page left, its socket dropped, or its room closed under it. */
export type PeerCloseReason = 'leave' | 'disconnect' | 'room closed';

export type PeerEvents = {
  /** The page sent `ready`: the room should consume every existing producer for it. */
  ready: [];
  newProducer: [entry: ProducerEntry];
  close: [reason: PeerCloseReason];
};

/** A bound on producers per peer, so one hostile page cannot exhaust a worker. */
const MAX_PRODUCERS_PER_PEER = 16;

export class Peer extends TypedEmitter<PeerEvents> {
  readonly id: string;
  readonly displayName: string;
  readonly #ctx: PeerContext;
  readonly #transports = new Map<string, TransportEntry>();
  readonly #producers = new Map<string, ProducerEntry>();
  readonly #consumers = new Map<string, ConsumerEntry>();
  #rtpCapabilities: types.RtpCapabilities | undefined;
  #closed = false;

  constructor(id: string, displayName: string, ctx: PeerContext) {
    super(ctx.logger);
    this.id = id;
    this.displayName = displayName;
    this.#ctx = ctx;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get ready(): boolean {
    return this.#rtpCapabilities !== undefined;
  }

  get info(): PeerInfo {
    return { peerId: this.id, displayName: this.displayName };
  }

  /** Sends a notification to this peer's page; dropped once the peer closed. */
  notify<M extends NotificationMethod>(method: M, data: NotificationMap[M]): void {
    if (!this.#closed) this.#ctx.notify(method, data);
  }

  get transports(): Iterable<types.WebRtcTransport> {
    return [...this.#transports.values()].map((t) => t.transport);
  }

  get producers(): Iterable<ProducerEntry> {
    return this.#producers.values();
  }

  get consumers(): Iterable<types.Consumer> {
    return [...this.#consumers.values()].map((c) => c.consumer);
  }

  async createTransport(direction: TransportDirection): Promise<TransportInfo> {
    for (const entry of this.#transports.values()) {
      if (entry.direction === direction) {
        throw new SignalingError('conflict', `this peer already has a ${direction} transport (${entry.transport.id}); use restartIce to recover it`);
      }
    }
    const transport = await this.#ctx.router.createWebRtcTransport({
      webRtcServer: this.#ctx.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: this.#ctx.initialOutgoingBitrateBps,
      appData: { peerId: this.id, direction },
    });
    if (this.#closed) {
      // The socket dropped while the worker was creating it.
      transport.close();
      throw new SignalingError('not_joined', 'the peer left while its transport was being created');
    }
    if (direction === 'recv' && this.#ctx.minOutgoingBitrateBps > 0) {
      await transport.setMinOutgoingBitrate(this.#ctx.minOutgoingBitrateBps);
    }
    this.#transports.set(transport.id, { transport, direction });
    transport.observer.once('close', () => this.#transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.#ctx.logger.info(`peer ${this.id} ${direction} transport DTLS ${state}`);
    });
    transport.on('icestatechange', (state) => this.#ctx.logger.debug(`peer ${this.id} ${direction} transport ICE ${state}`));
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    } as unknown as TransportInfo;
  }

  #transport(transportId: string): TransportEntry {
    const entry = this.#transports.get(transportId);
    if (!entry) throw new SignalingError('not_found', `no transport '${transportId}' on this peer; create it with createTransport first`);
    return entry;
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const { transport } = this.#transport(transportId);
    await clientInput('data.dtlsParameters', () =>
      transport.connect({ dtlsParameters: dtlsParameters as unknown as types.DtlsParameters }),
    );
  }

  async restartIce(transportId: string): Promise<types.IceParameters> {
    const { transport } = this.#transport(transportId);
    return transport.restartIce();
  }

  /** Stores the page's capabilities; the room then consumes every existing producer for it. */
  setReady(rtpCapabilities: RtpCapabilities): void {
    if (this.ready) throw new SignalingError('conflict', 'this peer already sent ready');
    if (![...this.#transports.values()].some((t) => t.direction === 'recv')) {
      throw new SignalingError('not_ready', 'create the recv transport (createTransport direction recv) before ready');
    }
    const caps = structuredClone(rtpCapabilities) as unknown as types.RtpCapabilities;
    try {
      validateRtpCapabilities(caps);
    } catch (error) {
      throw new SignalingError('bad_request', `data.rtpCapabilities rejected by mediasoup: ${errorMessage(error)}`);
    }
    this.#rtpCapabilities = caps;
    this.safeEmit('ready');
  }

  async produce(request: {
    transportId: string;
    kind: MediaKind;
    rtpParameters: RtpParameters;
    source: ProducerSource;
    paused?: boolean | undefined;
  }): Promise<string> {
    const { transport, direction } = this.#transport(request.transportId);
    if (direction !== 'send') {
      throw new SignalingError('bad_request', `data.transportId: transport '${request.transportId}' is the recv transport; produce on the send transport`);
    }
    if (this.#producers.size >= MAX_PRODUCERS_PER_PEER) {
      throw new SignalingError('conflict', `a peer may have at most ${MAX_PRODUCERS_PER_PEER} producers; close one first`);
    }
    const producer = await clientInput('data.rtpParameters', () =>
      transport.produce({
        kind: request.kind,
        rtpParameters: request.rtpParameters as unknown as types.RtpParameters,
        paused: request.paused ?? false,
        appData: { peerId: this.id, source: request.source },
      }),
    );
    if (producer.closed || this.#closed) {
      producer.close();
      throw new SignalingError('not_joined', 'the peer left while its producer was being created');
    }
    const entry: ProducerEntry = { producer, source: request.source, peerId: this.id };
    this.#producers.set(producer.id, entry);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    this.safeEmit('newProducer', entry);
    return producer.id;
  }

  #producer(producerId: string): types.Producer {
    const entry = this.#producers.get(producerId);
    if (!entry) throw new SignalingError('not_found', `no producer '${producerId}' on this peer`);
    return entry.producer;
  }

  closeProducer(producerId: string): void {
    this.#producer(producerId).close();
  }

  async pauseProducer(producerId: string): Promise<void> {
    await this.#producer(producerId).pause();
  }

  async resumeProducer(producerId: string): Promise<void> {
    await this.#producer(producerId).resume();
  }

  #consumer(consumerId: string): ConsumerEntry {
    if (!this.ready) throw new SignalingError('not_ready', 'send ready (with the device\'s rtpCapabilities) before handling consumers');
    const entry = this.#consumers.get(consumerId);
    if (!entry) throw new SignalingError('not_found', `no consumer '${consumerId}' on this peer (closed already, or never announced)`);
    return entry;
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.#consumer(consumerId).consumer.resume();
  }

  async pauseConsumer(consumerId: string): Promise<void> {
    await this.#consumer(consumerId).consumer.pause();
  }

  async setConsumerPreferredLayers(consumerId: string, spatialLayer: number, temporalLayer: number | undefined): Promise<void> {
    const { consumer } = this.#consumer(consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') {
      throw new SignalingError('bad_request', `consumer '${consumerId}' is ${consumer.type}, not simulcast or SVC: it has no layers to prefer`);
    }
    await clientInput('data', () =>
      consumer.setPreferredLayers(temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer }),
    );
  }

  consumerStates(): ConsumerState[] {
    return [...this.#consumers.values()].map(({ consumer, producerPeerId, source }) => ({
      consumerId: consumer.id,
      producerId: consumer.producerId,
      producerPeerId,
      kind: consumer.kind,
      source,
      paused: consumer.paused,
      producerPaused: consumer.producerPaused,
      type: consumer.type,
      currentLayers: consumer.currentLayers ?? null,
      preferredLayers: consumer.preferredLayers ?? null,
      score: consumer.score.score,
    }));
  }

  /**
   * Creates a paused consumer of `entry` on the recv transport and announces it with newConsumer.
   * Called by the room without awaiting, so one slow consumer never delays others; a producer or
   * peer that closes meanwhile simply ends it.
   */
  async consume(entry: ProducerEntry): Promise<void> {
    const caps = this.#rtpCapabilities;
    const recv = [...this.#transports.values()].find((t) => t.direction === 'recv');
    if (this.#closed || !caps || !recv || entry.producer.closed) return;
    if (!this.#ctx.router.canConsume({ producerId: entry.producer.id, rtpCapabilities: caps })) {
      this.#ctx.logger.info(`peer ${this.id} cannot receive ${entry.producer.kind} producer ${entry.producer.id} (no common codec)`);
      return;
    }
    const consumer = await recv.transport.consume({
      producerId: entry.producer.id,
      rtpCapabilities: caps,
      paused: true,
      appData: { peerId: this.id, producerPeerId: entry.peerId, source: entry.source },
    });
    // The producer or this peer may have closed while the worker created the consumer.
    if (consumer.closed || this.#closed) {
      consumer.close();
      return;
    }
    const id = consumer.id;
    this.#consumers.set(id, { consumer, producerPeerId: entry.peerId, source: entry.source });
    const notify: Notify = (method, data) => this.notify(method, data);
    consumer.observer.once('close', () => this.#consumers.delete(id));
    consumer.on('producerclose', () => notify('consumerClosed', { consumerId: id }));
    consumer.on('producerpause', () => notify('consumerPaused', { consumerId: id }));
    consumer.on('producerresume', () => notify('consumerResumed', { consumerId: id }));
    consumer.on('score', ({ score, producerScore }) => notify('consumerScore', { consumerId: id, score, producerScore }));
    consumer.on('layerschange', (layers) =>
      notify('consumerLayersChanged', {
        consumerId: id,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      }),
    );
    // transportclose: this peer's own recv transport closed, i.e. the peer is closing; nobody to tell.
    notify('newConsumer', {
      consumerId: id,
      producerId: entry.producer.id,
      producerPeerId: entry.peerId,
      kind: consumer.kind,
      source: entry.source,
      rtpParameters: consumer.rtpParameters as unknown as RtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
    });
  }

  /**
   * Creates a running consumer of `entry` on the recv transport for a viewer with no page (WHEP):
   * its capabilities and MID come from its SDP offer, nobody is notified, and nothing waits for
   * an ack (the consumer asks the producer for a key frame once the transport connects).
   */
  async consumeForViewer(entry: ProducerEntry, rtpCapabilities: types.RtpCapabilities, mid: string): Promise<types.Consumer> {
    const recv = [...this.#transports.values()].find((t) => t.direction === 'recv');
    if (!recv) throw new Error('consumeForViewer: create the recv transport first');
    const consumer = await recv.transport.consume({
      producerId: entry.producer.id,
      rtpCapabilities,
      paused: false,
      mid,
      appData: { peerId: this.id, producerPeerId: entry.peerId, source: entry.source },
    });
    if (consumer.closed || this.#closed) {
      consumer.close();
      throw new SignalingError('not_joined', 'the viewer left while its consumer was being created');
    }
    this.#consumers.set(consumer.id, { consumer, producerPeerId: entry.peerId, source: entry.source });
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    return consumer;
  }

  /** Closes the transports (and with them every producer and consumer), then tells the room. */
  close(reason: PeerCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { transport } of [...this.#transports.values()]) transport.close();
    this.#transports.clear();
    this.#producers.clear();
    this.#consumers.clear();
    this.safeEmit('close', reason);
    this.removeAllListeners();
  }
}
