// One joined room: the mediasoup-client Device, the send and recv transports, the peers, and the
// Publisher and Subscriber that own the producers and consumers. Created by join, closed by leave
// (or by the socket closing); closing cascades to everything it owns.
import { Device } from 'mediasoup-client';
import type { BuiltinHandlerName, Transport } from 'mediasoup-client/types';
import type { TransportDirection } from '../../src/protocol.ts';
import type { CallState, ConnectionState, JoinOptions, StatsEntry } from './api.ts';
import { Subscriber } from './consumers.ts';
import type { EventLog } from './event-log.ts';
import { IceRecovery } from './ice-recovery.ts';
import { Publisher, type ProducerAppData } from './producers.ts';
import { Roster } from './roster.ts';
import { errorMessage, type SignalingClient } from './signaling.ts';
import type { TileGrid } from './ui.ts';

export interface SessionDeps {
  signaling: SignalingClient;
  log: EventLog;
  ui: TileGrid;
  /** mediasoup-client handler to use; undefined detects it from the browser. */
  handlerName: string | undefined;
  /** Show the local camera in the local tile. */
  preview: boolean;
  /** Restart ICE by itself when a transport goes 'disconnected' or 'failed' (see ice-recovery.ts). */
  autoRestartIce: boolean;
  reportError(message: string): void;
}

export class Session {
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;
  private readonly iceRecovery: IceRecovery | undefined;

  private constructor(
    private readonly deps: SessionDeps,
    readonly peerId: string,
    readonly room: string,
    readonly displayName: string,
    readonly roster: Roster,
    readonly device: Device,
    readonly sendTransport: Transport,
    readonly recvTransport: Transport,
  ) {
    const { signaling, log, ui } = deps;
    this.publisher = new Publisher({
      signaling,
      transport: sendTransport,
      log,
      ui,
      preview: deps.preview,
      sendCodecs: device.sendRtpCapabilities.codecs ?? [],
      handlerName: device.handlerName,
    });
    const s = new Subscriber({
      signaling,
      transport: recvTransport,
      log,
      ui,
      peers: roster.peers,
      reportError: deps.reportError,
    });
    this.subscriber = s;
    roster.onPeerLeft = (peerId) => s.onPeerLeft(peerId);
    if (deps.autoRestartIce) {
      this.iceRecovery = new IceRecovery([sendTransport, recvTransport], {
        restart: () => this.restartIce(),
        report: (message) => deps.reportError(message),
      });
    }
    this.unsubscribe.push(
      signaling.on('newConsumer', (data) => void s.onNewConsumer(data)),
      signaling.on('consumerClosed', ({ consumerId }) => s.onConsumerClosed(consumerId)),
      signaling.on('consumerPaused', ({ consumerId }) => s.onPaused(consumerId, true)),
      signaling.on('consumerResumed', ({ consumerId }) => s.onPaused(consumerId, false)),
      signaling.on('consumerLayersChanged', (data) => s.onLayersChanged(data)),
      signaling.on('consumerScore', (data) => s.onScore(data)),
    );
  }

  /** join -> load the device -> create both transports -> ready (the SFU then sends consumers). */
  static async join(deps: SessionDeps, options: JoinOptions): Promise<Session> {
    const { signaling, log, ui } = deps;
    const startedMs = performance.now();
    const roster = new Roster(signaling, log, ui);
    const transports: Transport[] = [];
    let session: Session | undefined;
    let joinedSfu = false;
    try {
      const joined = await signaling.request('join', {
        roomId: options.room,
        ...(options.peerId === undefined ? {} : { peerId: options.peerId }),
        ...(options.name === undefined ? {} : { displayName: options.name }),
        ...(options.token === undefined ? {} : { token: options.token }),
      });
      joinedSfu = true;
      // Before any await: notifications after the join response are applied on top of this list.
      roster.seed(joined.peerId, joined.peers);
      const displayName = options.name ?? joined.peerId;
      ui.showLocal(joined.peerId, displayName);
      const device = deps.handlerName
        ? new Device({ handlerName: deps.handlerName as BuiltinHandlerName })
        : await Device.factory();
      await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as never });
      const iceServers = joined.iceServers.map((s) => ({ ...s })) as RTCIceServer[];
      const send = await createTransport(deps, device, 'send', iceServers);
      transports.push(send);
      const recv = await createTransport(deps, device, 'recv', iceServers);
      transports.push(recv);
      session = new Session(deps, joined.peerId, options.room, displayName, roster, device, send, recv);
      // Listeners are in place: consumers announced from here on are handled.
      await signaling.request('ready', { rtpCapabilities: device.recvRtpCapabilities as never });
      log.push({
        type: 'joined',
        peerId: joined.peerId,
        room: options.room,
        joinMs: Math.round(performance.now() - startedMs),
      });
      return session;
    } catch (err) {
      if (session) session.teardown();
      roster.close();
      for (const t of transports) t.close();
      ui.clear();
      // The SFU holds the peer until told otherwise: leave so that a retry can join again.
      if (joinedSfu) await signaling.request('leave', {}).catch(() => {});
      throw err;
    }
  }

  snapshot(): Omit<CallState, 'lastError' | 'droppedEvents' | 'handlerName'> {
    return {
      joined: !this.closed,
      peerId: this.peerId,
      room: this.room,
      displayName: this.displayName,
      producers: this.publisher.snapshot(),
      consumers: this.subscriber.snapshot(),
      transports: {
        send: this.sendTransport.connectionState as ConnectionState,
        recv: this.recvTransport.connectionState as ConnectionState,
      },
      peers: [...this.roster.peers.values()],
      activeSpeakerPeerId: this.roster.activeSpeakerPeerId,
    };
  }

  async restartIce(): Promise<void> {
    for (const transport of [this.sendTransport, this.recvTransport]) {
      const where = `restartIce: ${transport.direction} transport`;
      try {
        const { iceParameters } = await this.deps.signaling.request('restartIce', { transportId: transport.id });
        await transport.restartIce({ iceParameters: iceParameters as never });
      } catch (err) {
        throw new Error(`${where}: ${errorMessage(err)}`);
      }
    }
  }

  async getStats(): Promise<{ send: StatsEntry[]; recv: StatsEntry[] }> {
    const [send, recv] = await Promise.all([this.sendTransport.getStats(), this.recvTransport.getStats()]);
    return { send: plainStats(send), recv: plainStats(recv) };
  }

  /** Closes everything this join created. Idempotent; `tellSfu` is false when the socket is gone. */
  async close(reason: string, tellSfu: boolean): Promise<void> {
    if (this.closed) return;
    this.teardown();
    this.deps.log.push({ type: 'left', reason });
    if (tellSfu) await this.deps.signaling.request('leave', {});
  }

  /** Closes what this join owns on the page, without telling anyone. Idempotent. */
  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribe) off();
    this.iceRecovery?.close();
    this.roster.close();
    this.publisher.close();
    this.subscriber.close();
    this.sendTransport.close();
    this.recvTransport.close();
    this.deps.ui.clear();
  }
}

async function createTransport(
  deps: SessionDeps,
  device: Device,
  direction: TransportDirection,
  iceServers: RTCIceServer[],
): Promise<Transport> {
  const { signaling, log } = deps;
  const info = await signaling.request('createTransport', { direction });
  const options = {
    id: info.transportId,
    iceParameters: info.iceParameters as never,
    iceCandidates: info.iceCandidates as never,
    dtlsParameters: info.dtlsParameters as never,
    iceServers,
  };
  const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signaling
      .request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
      .then(() => callback(), errback);
  });
  transport.on('connectionstatechange', (state) => {
    log.push({ type: 'connectionStateChanged', direction, state });
    if (state === 'failed') deps.reportError(`${direction} transport failed (ICE/DTLS); restartIce() may recover it`);
  });
  if (direction === 'send') {
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const { source } = appData as ProducerAppData;
      signaling
        .request('produce', { transportId: transport.id, kind, rtpParameters: rtpParameters as never, source })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
  }
  return transport;
}

/** RTCStatsReport entries as plain objects, which survive page.evaluate. */
function plainStats(report: RTCStatsReport): StatsEntry[] {
  const out: StatsEntry[] = [];
  report.forEach((entry: StatsEntry) => out.push({ ...entry }));
  return out;
}
