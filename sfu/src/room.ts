// A room: one mediasoup Router on one worker, its peers, and an ActiveSpeakerObserver fed with
// every audio producer. The room fans producers out (every ready peer consumes every other
// peer's producers) and closes itself, router and all, when its last peer leaves.
import type { types } from 'mediasoup';
import { TypedEmitter } from './events.ts';
import { SignalingError } from './errors.ts';
import { errorMessage, type Logger } from './logger.ts';
import { MEDIA_CODECS } from './codecs.ts';
import { Peer, type Notify, type PeerCloseReason, type ProducerEntry } from './peer.ts';
import type { MediaWorker } from './workers.ts';
import type { ResolvedSignalingLimits } from './limits.ts';
import type { NotificationMap, NotificationMethod, PeerInfo } from './protocol.ts';

export interface RoomSettings {
  limits: Pick<ResolvedSignalingLimits, 'maxPeersPerRoom' | 'maxRooms'>;
  activeSpeakerIntervalMs: number;
  initialOutgoingBitrateBps: number;
  minOutgoingBitrateBps: number;
}

export type RoomEvents = {
  peerJoined: [peer: Peer];
  peerLeft: [peer: Peer, reason: PeerCloseReason];
  close: [reason: string];
};

export class Room extends TypedEmitter<RoomEvents> {
  readonly id: string;
  readonly worker: MediaWorker;
  readonly router: types.Router;
  readonly #speakerObserver: types.ActiveSpeakerObserver;
  readonly #peers = new Map<string, Peer>();
  readonly #settings: RoomSettings;
  readonly #logger: Logger;
  #dominantProducerId: string | undefined;
  #closed = false;

  private constructor(
    id: string,
    worker: MediaWorker,
    router: types.Router,
    speakerObserver: types.ActiveSpeakerObserver,
    settings: RoomSettings,
    logger: Logger,
  ) {
    super(logger);
    this.id = id;
    this.worker = worker;
    this.router = router;
    this.#speakerObserver = speakerObserver;
    this.#settings = settings;
    this.#logger = logger;
    router.on('workerclose', () => this.close('its media worker died'));
    speakerObserver.on('dominantspeaker', ({ producer }) => this.#dominantSpeaker(producer));
  }

  static async create(id: string, worker: MediaWorker, settings: RoomSettings, logger: Logger): Promise<Room> {
    const router = await worker.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId: id } });
    try {
      const observer = await router.createActiveSpeakerObserver({ interval: settings.activeSpeakerIntervalMs });
      return new Room(id, worker, router, observer, settings, logger);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get peers(): ReadonlyMap<string, Peer> {
    return this.#peers;
  }

  /** Adds a peer; throws `conflict` if the id is taken. Synchronous, so no join can interleave. */
  addPeer(peerId: string, displayName: string, notify: Notify): { peer: Peer; others: PeerInfo[] } {
    if (this.#closed) throw new SignalingError('internal', `room '${this.id}' closed while joining; join again`);
    if (this.#peers.has(peerId)) {
      throw new SignalingError('conflict', `peer id '${peerId}' is already in room '${this.id}'; pick another or omit peerId`);
    }
    const { maxPeersPerRoom } = this.#settings.limits;
    if (this.#peers.size >= maxPeersPerRoom) {
      throw new SignalingError('limit_exceeded', `room '${this.id}' is full (${maxPeersPerRoom} peers, the SFU's maxPeersPerRoom); join another room`);
    }
    const others = [...this.#peers.values()].map((p) => p.info);
    const peer = new Peer(peerId, displayName, {
      router: this.router,
      webRtcServer: this.worker.webRtcServer,
      initialOutgoingBitrateBps: this.#settings.initialOutgoingBitrateBps,
      minOutgoingBitrateBps: this.#settings.minOutgoingBitrateBps,
      logger: this.#logger,
      notify,
    });
    this.#peers.set(peerId, peer);
    peer.on('ready', () => {
      for (const other of this.#peers.values()) {
        if (other === peer) continue;
        for (const entry of other.producers) this.#consume(peer, entry);
      }
    });
    peer.on('newProducer', (entry) => {
      if (entry.producer.kind === 'audio') {
        this.#speakerObserver.addProducer({ producerId: entry.producer.id }).catch((error: unknown) => {
          if (!entry.producer.closed) this.#logger.warn(`room ${this.id}: active speaker observer refused producer: ${errorMessage(error)}`);
        });
      }
      for (const other of this.#peers.values()) if (other !== peer && other.ready) this.#consume(other, entry);
    });
    peer.once('close', (reason) => {
      this.#peers.delete(peerId);
      this.safeEmit('peerLeft', peer, reason);
      if (this.#closed) return;
      this.#broadcast('peerLeft', { peerId }, peer);
      if (this.#peers.size === 0) this.close('its last peer left');
    });
    this.#broadcast('peerJoined', peer.info, peer);
    this.safeEmit('peerJoined', peer);
    return { peer, others };
  }

  #consume(consumer: Peer, entry: ProducerEntry): void {
    consumer.consume(entry).catch((error: unknown) => {
      // Expected when the producer or the consuming peer closed meanwhile.
      const level = entry.producer.closed || consumer.closed ? 'debug' : 'warn';
      this.#logger[level](`room ${this.id}: peer ${consumer.id} could not consume ${entry.producer.id}: ${errorMessage(error)}`);
    });
  }

  #dominantSpeaker(producer: types.Producer): void {
    const peerId = typeof producer.appData.peerId === 'string' ? producer.appData.peerId : null;
    this.#dominantProducerId = producer.id;
    this.#broadcast('activeSpeaker', { peerId });
    producer.observer.once('close', () => {
      if (this.#dominantProducerId !== producer.id || this.#closed) return;
      this.#dominantProducerId = undefined;
      this.#broadcast('activeSpeaker', { peerId: null });
    });
  }

  #broadcast<M extends NotificationMethod>(method: M, data: NotificationMap[M], except?: Peer): void {
    for (const peer of this.#peers.values()) if (peer !== except) peer.notify(method, data);
  }

  /** Closes the room if nobody is in it (a join that failed after creating it). */
  closeIfEmpty(): void {
    if (this.#peers.size === 0) this.close('no peer joined');
  }

  /** Closes every peer, then the router (which closes the observer and any transport left). */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close('room closed');
    this.#peers.clear();
    if (!this.router.closed) this.router.close();
    this.safeEmit('close', reason);
    this.removeAllListeners();
  }
}
