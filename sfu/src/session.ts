// One signaling session per WebSocket: decodes frames (validate.ts), runs the socket's requests
// one at a time in arrival order (so a page's produce cannot overtake its createTransport), and
// enforces the protocol's order: join first, transports before produce, ready before consumers.
// When the socket goes, the peer goes with it, even when the socket drops in the middle of a join.
// It also holds the socket to its limits (limits.ts): message rate, time without a room, unread
// replies; each refusal is an error reply, and the socket is closed after the fatal ones.
import { randomUUID } from 'node:crypto';
import { decodeFrame } from './validate.ts';
import { SignalingError, toErrorInfo } from './errors.ts';
import { verifyRoomToken } from './tokens.ts';
import { turnIceServers, type TurnOptions } from './turn.ts';
import { errorMessage, type Logger } from './logger.ts';
import { clip, type ResolvedSignalingLimits } from './limits.ts';
import { TokenBucket } from './rate.ts';
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
  /** Drops the connection at once, without a close handshake (for clients that do not read). */
  terminate(): void;
  readonly bufferedAmount: number;
}

export interface SessionContext {
  rooms: RoomRegistry;
  tokenSecret: string | undefined;
  maxTokenLifetimeSeconds: number;
  turn: Required<TurnOptions> | undefined;
  limits: ResolvedSignalingLimits;
  logger: Logger;
  /** Called once per request with its method (or 'invalid') and 'ok' or the error code. */
  onOutcome: (method: RequestMethod | 'invalid', outcome: 'ok' | ErrorInfo['code']) => void;
}

/** Requests a socket may have waiting; more means the page does not wait for responses. */
const MAX_QUEUED_REQUESTS = 64;
/** WebSocket close code for a client that broke a limit (RFC 6455 1008, policy violation). */
const POLICY_VIOLATION = 1008;

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
  readonly #rate: TokenBucket;
  #joinDeadline: NodeJS.Timeout | undefined;

  constructor(socket: SessionSocket, ctx: SessionContext, label: string) {
    this.#socket = socket;
    this.#ctx = ctx;
    this.#label = label;
    this.#rate = new TokenBucket(ctx.limits.messagesPerSecond, ctx.limits.messageBurst, Date.now());
    this.#armJoinDeadline();
  }

  /** While the socket is in no room, it has joinTimeoutMs to join one; else it is closed, so idle sockets cannot pile up. */
  #armJoinDeadline(): void {
    clearTimeout(this.#joinDeadline);
    if (this.#closed) return; // a peer closing with its socket must not start a timer
    this.#joinDeadline = setTimeout(() => {
      if (this.#closed) return;
      // A join in progress (a room being created) gets another period; if it fails, the socket is idle again.
      if (this.#state.phase === 'joining') return this.#armJoinDeadline();
      if (this.#state.phase !== 'idle') return;
      this.#fatal({ code: 'join_timeout', message: `no join within ${this.#ctx.limits.joinTimeoutMs} ms of connecting or leaving; reconnect when you are ready to join` });
    }, this.#ctx.limits.joinTimeoutMs);
    this.#joinDeadline.unref();
  }

  /** Replies with `error` (id null: it answers no particular request), then closes the socket. */
  #fatal(error: ErrorInfo): void {
    this.#reject(null, 'invalid', error);
    this.#ctx.logger.info(`${this.#label} closed: ${error.code}`);
    this.#socket.close(POLICY_VIOLATION, error.code);
    // The close handshake needs the client's answer; one that does not read must not keep its buffers.
    const socket = this.#socket;
    setTimeout(() => socket.terminate(), 1000).unref();
    this.close();
  }

  /** The peer this socket joined as, if any. */
  get peer(): Peer | undefined {
    return this.#state.phase === 'joined' ? this.#state.peer : undefined;
  }

  /** One inbound WebSocket message. */
  handleFrame(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    // Every frame counts, malformed ones too: they cost a parse and a reply.
    if (!this.#rate.take(Date.now())) {
      const { messagesPerSecond, messageBurst } = this.#ctx.limits;
      this.#fatal({ code: 'rate_limited', message: `more than ${messagesPerSecond} messages per second (burst ${messageBurst}) on this socket; closing it` });
      return;
    }
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
    const decoded = decodeFrame(data.toString('utf8'), this.#ctx.limits);
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
    clearTimeout(this.#joinDeadline);
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
    // Messages may quote the client's input (ids, field names): never send back more than the cap.
    const bounded = { code: error.code, message: clip(error.message, this.#ctx.limits.maxErrorMessageChars) };
    this.#ctx.onOutcome(method, error.code);
    this.#ctx.logger.debug(`${this.#label} rejected ${method}: ${bounded.code}: ${bounded.message}`);
    this.#send({ kind: 'response', id, ok: false, error: bounded });
  }

  #send(message: ServerMessage): void {
    if (this.#closed) return;
    if (this.#socket.bufferedAmount > this.#ctx.limits.maxBufferedBytes) {
      // terminate(), not close(): a close handshake waits on a client that does not read, and
      // keeps its buffers meanwhile.
      this.#ctx.logger.warn(`${this.#label} does not read its socket (${this.#socket.bufferedAmount} bytes queued); terminating it`);
      this.#socket.terminate();
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
        this.#armJoinDeadline();
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
    let verified = false;
    if (this.#ctx.tokenSecret !== undefined) {
      if (data.token === undefined) throw new SignalingError('forbidden', 'data.token: required, this SFU only admits joins with a room token');
      const check = verifyRoomToken(this.#ctx.tokenSecret, data.token, { roomId: data.roomId, peerId: data.peerId }, Date.now(), this.#ctx.maxTokenLifetimeSeconds);
      if (!check.ok) throw new SignalingError('forbidden', `data.token: ${check.reason}`);
      tokenPeerId = check.peerId;
      verified = true;
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
    clearTimeout(this.#joinDeadline);
    peer.once('close', (reason) => this.#peerClosed(peer, reason));
    this.#ctx.logger.info(`${this.#label} joined room ${room.id} as ${peerId}`);
    return {
      peerId,
      routerRtpCapabilities: room.router.rtpCapabilities as unknown as RtpCapabilities,
      // With a token secret, TURN credentials (a relay anyone could use) go to verified joins only;
      // without one the SFU is loopback-only or explicitly open (options.ts), and every join is equal.
      iceServers: verified || this.#ctx.tokenSecret === undefined ? turnIceServers(this.#ctx.turn, peerId) : [],
      peers: others,
    };
  }

  #peerClosed(peer: Peer, reason: PeerCloseReason): void {
    if (this.#state.phase === 'joined' && this.#state.peer === peer) {
      this.#state = { phase: 'idle' };
      this.#armJoinDeadline();
    }
    // The room closed under a live page (its worker died, or the SFU is closing): tell the page
    // by closing its socket, since its transports are gone and it must join again.
    if (reason === 'room closed' && !this.#closed) {
      this.#socket.close(1011, 'room closed by the server; join again');
      this.close();
    }
  }
}
