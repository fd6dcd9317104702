// WHIP publishers and WHEP viewers as peers of the same rooms the WebSocket peers join: a
// publisher's producers are fanned out by its Room like any page's, and a viewer consumes
// producers of pages or of other publishers. Each session is one Peer with one transport, named
// by an unguessable resource id (the capability its DELETE needs). A session ends with its
// DELETE, with its transport (DTLS closed or failed, ICE consent lost), or when it has not
// connected within CONNECT_TIMEOUT_MS: with no signaling socket, nothing else would tell the
// SFU that the browser went away.
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Logger } from '../logger.ts';
import type { RoomRegistry } from '../rooms.ts';
import type { Room } from '../room.ts';
import type { Peer, ProducerEntry } from '../peer.ts';
import type { DtlsParameters, RtpParameters } from '../protocol.ts';
import { OfferError, writeAnswer, type AnswerMedia, type Offer, type OfferMedia } from './sdp.ts';
import { describeMedia, publishRtpParameters, routerNumbering, viewerRtpCapabilities } from './rtp.ts';

export type SessionKind = 'whip' | 'whep';

/** The room has nothing a viewer could receive (no room, no producer, none of the offered kinds). */
export class NothingToViewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToViewError';
  }
}

export interface WhipSession {
  /** The resource id in the session's URL (`/whip/{room}/{id}`). */
  readonly id: string;
  readonly kind: SessionKind;
  readonly roomId: string;
  readonly peer: Peer;
}

export interface SessionRequest {
  roomId: string;
  /** Peer id to join as (a room token bound to a peer says which); default `{kind}-{resource id}`. */
  peerId?: string | undefined;
  /** Name the other peers see; default `{kind}-` and the first 8 characters of the resource id. */
  displayName?: string | undefined;
  offer: Offer;
}

/** How long a new session may take to connect (ICE) before it is dropped, ms. */
const CONNECT_TIMEOUT_MS = 30_000;

export class WhipSessions {
  readonly #rooms: RoomRegistry;
  readonly #logger: Logger;
  readonly #sessions = new Map<string, WhipSession>();

  constructor(rooms: RoomRegistry, logger: Logger) {
    this.#rooms = rooms;
    this.#logger = logger;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The open session `id` of `kind` in `roomId`, if any. */
  get(kind: SessionKind, roomId: string, id: string): WhipSession | undefined {
    const session = this.#sessions.get(id);
    return session && session.kind === kind && session.roomId === roomId ? session : undefined;
  }

  /** Joins a publisher: one producer per sending m-line it offers; returns the session and the SDP answer. */
  async publish(request: SessionRequest): Promise<{ session: WhipSession; answer: string }> {
    const room = await this.#rooms.acquire(request.roomId);
    let plan: ({ media: OfferMedia; rtpParameters: types.RtpParameters } | { media: OfferMedia; problem: string })[];
    try {
      plan = request.offer.media.map((media) => {
        if (media.stopped) return { media, problem: `${describeMedia(media)} is stopped (port 0)` };
        if (media.direction !== 'sendonly' && media.direction !== 'sendrecv') {
          return { media, problem: `${describeMedia(media)} is ${media.direction}: a WHIP offer sends (sendonly)` };
        }
        try {
          return { media, rtpParameters: publishRtpParameters(media, room.router.rtpCapabilities) };
        } catch (error) {
          if (error instanceof OfferError) return { media, problem: error.message };
          throw error;
        }
      });
      if (!plan.some((p) => 'rtpParameters' in p)) {
        throw new OfferError(plan.map((p) => ('problem' in p ? p.problem : '')).join('; '));
      }
    } catch (error) {
      room.closeIfEmpty();
      throw error;
    }
    return this.#open('whip', room, request, 'send', async (peer, transportId) =>
      Promise.all(
        plan.map(async (p): Promise<AnswerMedia> => {
          if (!('rtpParameters' in p)) return { offer: p.media, accepted: false };
          await peer.produce({
            transportId,
            kind: p.media.type as types.MediaKind,
            rtpParameters: p.rtpParameters as unknown as RtpParameters,
            source: p.media.type === 'audio' ? 'mic' : 'camera',
          });
          return { offer: p.media, accepted: true, direction: 'recvonly', rtpParameters: p.rtpParameters };
        }),
      ),
    );
  }

  /**
   * Joins a viewer. A WHEP viewer sees one stream: its video m-line gets the room's first video
   * producer (peers in join order), its audio m-line the audio of that same peer (else the room's
   * first audio producer), so sound and picture come from one publisher. Producers that arrive
   * later are not added: the offer fixed the m-lines.
   */
  async view(request: SessionRequest): Promise<{ session: WhipSession; answer: string }> {
    const room = this.#rooms.get(request.roomId);
    const producers = room ? [...room.peers.values()].flatMap((p) => [...p.producers]).filter((e) => !e.producer.closed) : [];
    if (!room || producers.length === 0) {
      throw new NothingToViewError(`nobody publishes in room '${request.roomId}'; publish there first (WHIP or the call page), then view`);
    }
    const presenter = producers.find((e) => e.producer.kind === 'video')?.peerId ?? producers[0]!.peerId;
    const pick = (kind: string): ProducerEntry | undefined =>
      producers.find((e) => e.producer.kind === kind && e.peerId === presenter) ?? producers.find((e) => e.producer.kind === kind);
    type Planned = { media: OfferMedia; entry: ProducerEntry; rtpCapabilities: types.RtpCapabilities } | { media: OfferMedia; problem: string; badOffer: boolean };
    const plan = request.offer.media.map((media): Planned => {
      if (media.stopped || (media.direction !== 'recvonly' && media.direction !== 'sendrecv')) {
        return { media, problem: `${describeMedia(media)} does not receive`, badOffer: true };
      }
      const entry = pick(media.type);
      if (!entry) return { media, problem: `nobody publishes ${media.type} in room '${request.roomId}'`, badOffer: false };
      const rtpCapabilities = viewerRtpCapabilities(media, room.router.rtpCapabilities);
      if (!room.router.canConsume({ producerId: entry.producer.id, rtpCapabilities })) {
        const published = entry.producer.rtpParameters.codecs[0]?.mimeType ?? 'unknown';
        return {
          media,
          problem: `${describeMedia(media)} offers no codec for the ${published} published in room '${request.roomId}' with the payload type this SFU sends (${routerNumbering(room.router.rtpCapabilities, media.type)})`,
          badOffer: true,
        };
      }
      return { media, entry, rtpCapabilities };
    });
    if (!plan.some((p) => 'entry' in p)) {
      const problems = plan.flatMap((p) => ('problem' in p ? [p.problem] : []));
      if (plan.some((p) => 'badOffer' in p && p.badOffer)) throw new OfferError(problems.join('; '));
      throw new NothingToViewError(problems.join('; '));
    }
    return this.#open('whep', room, request, 'recv', async (peer) =>
      Promise.all(
        plan.map(async (p): Promise<AnswerMedia> => {
          if (!('entry' in p)) return { offer: p.media, accepted: false };
          const consumer = await peer.consumeForViewer(p.entry, p.rtpCapabilities, p.media.mid);
          return {
            offer: p.media,
            accepted: true,
            direction: 'sendonly',
            rtpParameters: consumer.rtpParameters,
            msid: { streamId: p.entry.peerId, trackId: consumer.id },
          };
        }),
      ),
    );
  }

  /** Adds the peer with one connected transport, runs `media` on it, answers; on failure the peer leaves. */
  async #open(
    kind: SessionKind,
    room: Room,
    request: SessionRequest,
    direction: 'send' | 'recv',
    media: (peer: Peer, transportId: string) => Promise<AnswerMedia[]>,
  ): Promise<{ session: WhipSession; answer: string }> {
    const id = randomUUID();
    const peerId = request.peerId ?? `${kind}-${id}`;
    let peer: Peer;
    try {
      peer = room.addPeer(peerId, request.displayName ?? `${kind}-${id.slice(0, 8)}`, () => {
        // No page to notify: the SDP said everything this peer will receive.
      }).peer;
    } catch (error) {
      room.closeIfEmpty();
      throw error;
    }
    try {
      const { transportId } = await peer.createTransport(direction);
      const transport = [...peer.transports].find((t) => t.id === transportId)!;
      await peer.connectTransport(transportId, request.offer.dtlsParameters as unknown as DtlsParameters);
      const answered = await media(peer, transportId);
      const session: WhipSession = { id, kind, roomId: room.id, peer };
      this.#track(session, transport);
      this.#logger.info(`${kind} ${id} joined room ${room.id} as ${peerId}`);
      return { session, answer: writeAnswer(request.offer, transport, answered) };
    } catch (error) {
      peer.close('leave');
      throw error;
    }
  }

  #track(session: WhipSession, transport: types.WebRtcTransport): void {
    const { peer } = session;
    this.#sessions.set(session.id, session);
    const drop = (why: string) => {
      if (peer.closed) return;
      this.#logger.info(`${session.kind} ${session.id} in room ${session.roomId}: ${why}; it leaves`);
      peer.close('disconnect');
    };
    const timer = setTimeout(() => {
      if (transport.iceState !== 'connected' && transport.iceState !== 'completed') drop(`not connected within ${CONNECT_TIMEOUT_MS / 1000} s`);
    }, CONNECT_TIMEOUT_MS);
    timer.unref();
    // mediasoup reports ICE 'disconnected' once consent checks stop (the browser is gone).
    transport.on('icestatechange', (state) => {
      if (state === 'disconnected') drop('ICE disconnected');
    });
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') drop(`DTLS ${state}`);
    });
    peer.once('close', (reason) => {
      clearTimeout(timer);
      this.#sessions.delete(session.id);
      this.#logger.debug(`${session.kind} ${session.id} closed (${reason})`);
    });
  }

  /** Ends a session as its DELETE asks: the peer leaves its room like a page that hangs up. */
  end(session: WhipSession): void {
    session.peer.close('leave');
  }
}
