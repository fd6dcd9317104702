// One signaling session per WebSocket: decodes frames (validate.ts), runs the socket's requests
// one at a time in arrival order (so a page's produce cannot overtake its createTransport), and
// enforces the protocol's order: join first, transports before produce, ready before consumers.
// When the socket goes, the peer goes with it, even when the socket drops in the middle of a join.
import { randomUUID } from 'node:crypto';
import { decodeFrame } from './validate.ts';
import { SignalingError, toErrorInfo } from './errors.ts';
import { verifyRoomToken } from './tokens.ts';
import { turnIceServers, type TurnOptions } from './turn.ts';
import { errorMessage, type Logger } from './logger.ts';
import type { RoomRegistry } from './rooms.ts';
import type { Room } from './room.ts';
import type { Peer, PeerCloseReason } from './peer.ts';
import {
  PROTOCOL_LIMITS,
  type ErrorInfo,
  type NotificationMap,
  type NotificationMethod,
  type Request,
  type RequestData,
  type RequestMethod,
  type ResponseData,
  type RtpCapabilities,
  type ServerMessage,
} from './protocol.ts';

/** The socket as a session sees it (a `ws` WebSocket fits). */
export interface SessionSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

export interface SessionContext {
  rooms: RoomRegistry;
  tokenSecret: string | undefined;
  turn: Required<TurnOptions> | undefined;
  logger: Logger;
  /** Called once per request with its method (or 'invalid') and 'ok' or the error code. */
  onOutcome: (method: RequestMethod | 'invalid', outcome: 'ok' | ErrorInfo['code']) => void;
}

/** Requests a socket may have waiting; more means the page does not wait for responses. */
const MAX_QUEUED_REQUESTS = 64;
/** Unread outbound data after which the page is considered stuck and dropped, bytes. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

type State =
  | { phase: 'idle' }
  | { phase: 'joining'; roomId: string }
  | { phase: 'joined'; room: Room; peer: Peer };

export class Session {
  readonly #socket: SessionSocket;
  readonly #ctx: SessionContext;
  readonly #label: string;
  #state: State = { phase: 'idle' };
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #closed = false;

  constructor(socket: SessionSocket, ctx: SessionContext, label: string) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#label = label;
  }

  /** The peer this socket joined as, if any. */
  get peer(): Peer | undefined {
    return this.#state.phase === 'joined' ? this.#state.peer : undefined;
  }

  /** One inbound WebSocket message. */
  handleFrame(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    if (isBinary) {
      this.#reject(null, 'invalid', { code: 'bad_message', message: 'binary frames are not accepted; send each request as a JSON text frame' });
      return;
    }
    if (data.length > PROTOCOL_LIMITS.maxFrameBytes) {
      this.#reject(null, 'invalid', {
        code: 'frame_too_large',
        message: `frame is ${data.length} bytes; the limit is ${PROTOCOL_LIMITS.maxFrameBytes} bytes`,
      });
      return;
    }
    const decoded = decodeFrame(data.toString('utf8'));
    if (!decoded.ok) {
      this.#reject(decoded.id, decoded.method ?? 'invalid', decoded.error);
      return;
    }
    const request = decoded.request;
    if (this.#queued >= MAX_QUEUED_REQUESTS) {
      this.#reject(request.id, request.method, {
        code: 'conflict',
        message: `more than ${MAX_QUEUED_REQUESTS} requests are waiting on this socket; wait for responses before sending more`,
      });
      return;
    }
    this.#queued++;
    this.#queue = this.#queue.then(() => this.#run(request)).finally(() => this.#queued--);
  }

  /** The socket closed: the peer leaves (or, mid-join, never arrives). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#state.phase === 'joined') this.#state.peer.close('disconnect');
    this.#state = { phase: 'idle' };
  }

  async #run(request: Request): Promise<void> {
    // A closed socket's queued requests would only create resources nobody can use.
    if (this.#closed) return;
    try {
      const data = await this.#handle(request);
      this.#ctx.onOutcome(request.method, 'ok');
      this.#send({ kind: 'response', id: request.id, ok: true, data });
    } catch (error) {
      const info = toErrorInfo(error);
      if (info.code === 'internal') this.#ctx.logger.error(`${this.#label} ${request.method} failed: ${errorMessage(error)}`);
      this.#reject(request.id, request.method, info);
    }
  }

  #reject(id: number | null, method: RequestMethod | 'invalid', error: ErrorInfo): void {
    this.#ctx.onOutcome(method, error.code);
    this.#ctx.logger.debug(`${this.#label} rejected ${method}: ${error.code}: ${error.message}`);
    this.#send({ kind: 'response', id, ok: false, error });
  }

  #send(message: ServerMessage): void {
    if (this.#closed) return;
    if (this.#socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#ctx.logger.warn(`${this.#label} does not read its socket (${this.#socket.bufferedAmount} bytes queued); closing it`);
      this.#socket.close(1008, 'not reading signaling messages');
      this.close();
      return;
    }
    this.#socket.send(JSON.stringify(message));
  }

  #notify = <M extends NotificationMethod>(method: M, data: NotificationMap[M]): void => {
    this.#send({ kind: 'notification', method, data } as ServerMessage);
  };

  #joined(): { room: Room; peer: Peer } {
    if (this.#state.phase !== 'joined') {
      throw new SignalingError('not_joined', this.#state.phase === 'joining' ? 'wait for the join response first' : 'send join first');
    }
    return this.#state;
  }

  async #handle(request: Request): Promise<unknown> {
    if (request.method === 'join') return this.#join(request.data);
    const { peer } = this.#joined();
    switch (request.method) {
      case 'createTransport':
        return peer.createTransport(request.data.direction);
      case 'connectTransport':
        await peer.connectTransport(request.data.transportId, request.data.dtlsParameters);
        return {};
      case 'ready':
        peer.setReady(request.data.rtpCapabilities as RtpCapabilities);
        return {};
      case 'produce':
        return { producerId: await peer.produce(request.data) } satisfies ResponseData<'produce'>;
      case 'closeProducer':
        peer.closeProducer(request.data.producerId);
        return {};
      case 'pauseProducer':
        await peer.pauseProducer(request.data.producerId);
        return {};
      case 'resumeProducer':
        await peer.resumeProducer(request.data.producerId);
        return {};
      case 'resumeConsumer':
        await peer.resumeConsumer(request.data.consumerId);
        return {};
      case 'pauseConsumer':
        await peer.pauseConsumer(request.data.consumerId);
        return {};
      case 'setConsumerPreferredLayers':
        await peer.setConsumerPreferredLayers(request.data.consumerId, request.data.spatialLayer, request.data.temporalLayer);
        return {};
      case 'restartIce':
        return { iceParameters: await peer.restartIce(request.data.transportId) };
      case 'getConsumerState':
        return { consumers: peer.consumerStates() } satisfies ResponseData<'getConsumerState'>;
      case 'leave':
        this.#state = { phase: 'idle' };
        peer.close('leave');
        return {};
      default: {
        const unhandled: never = request;
        throw new SignalingError('unknown_method', `unhandled method ${(unhandled as Request).method}`);
      }
    }
  }

  async #join(data: RequestData<'join'>): Promise<ResponseData<'join'>> {
    const state = this.#state;
    if (state.phase === 'joined') {
      throw new SignalingError('already_joined', `this socket is already in room '${state.room.id}' as '${state.peer.id}'; send leave first`);
    }
    if (state.phase === 'joining') throw new SignalingError('already_joined', `this socket is joining room '${state.roomId}'`);
    let tokenPeerId: string | undefined;
    if (this.#ctx.tokenSecret !== undefined) {
      if (data.token === undefined) throw new SignalingError('forbidden', 'data.token: required, this SFU only admits joins with a room token');
      const check = verifyRoomToken(this.#ctx.tokenSecret, data.token, { roomId: data.roomId, peerId: data.peerId });
      if (!check.ok) throw new SignalingError('forbidden', `data.token: ${check.reason}`);
      tokenPeerId = check.peerId;
    }
    const peerId = data.peerId ?? tokenPeerId ?? randomUUID();
    this.#state = { phase: 'joining', roomId: data.roomId };
    let room: Room;
    try {
      room = await this.#ctx.rooms.acquire(data.roomId);
    } catch (error) {
      this.#state = { phase: 'idle' };
      if (error instanceof SignalingError) throw error;
      throw new SignalingError('internal', `could not open room '${data.roomId}': ${errorMessage(error)}`);
    }
    if (this.#closed) {
      // The socket dropped while the room was being created: nobody to add.
      room.closeIfEmpty();
      throw new SignalingError('not_joined', 'the socket closed during join');
    }
    let added: ReturnType<Room['addPeer']>;
    try {
      added = room.addPeer(peerId, data.displayName ?? peerId, this.#notify);
    } catch (error) {
      this.#state = { phase: 'idle' };
      room.closeIfEmpty();
      throw error;
    }
    const { peer, others } = added;
    this.#state = { phase: 'joined', room, peer };
    peer.once('close', (reason) => this.#peerClosed(peer, reason));
    this.#ctx.logger.info(`${this.#label} joined room ${room.id} as ${peerId}`);
    return {
      peerId,
      routerRtpCapabilities: room.router.rtpCapabilities as unknown as RtpCapabilities,
      iceServers: turnIceServers(this.#ctx.turn, peerId),
      peers: others,
    };
  }

  #peerClosed(peer: Peer, reason: PeerCloseReason): void {
    if (this.#state.phase === 'joined' && this.#state.peer === peer) this.#state = { phase: 'idle' };
    // The room closed under a live page (its worker died, or the SFU is closing): tell the page
    // by closing its socket, since its transports are gone and it must join again.
    if (reason === 'room closed' && !this.#closed) {
      this.#socket.close(1011, 'room closed by the server; join again');
      this.close();
    }
  }
}
