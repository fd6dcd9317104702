// WHIP (RFC 9725) and WHEP over HTTP: the routes, the request checks (token, content type, body
// size, room id) and the status codes. The sessions themselves are sessions.ts's.
//
//   POST   /whip/{room}[?name=N]   application/sdp offer (sendonly)  -> 201, Location, the answer
//   POST   /whep/{room}[?name=N]   application/sdp offer (recvonly)  -> 201, Location, the answer;
//                                  409 while nobody publishes in the room
//   DELETE /whip/{room}/{id}, /whep/{room}/{id}                      -> 200, the peer leaves
//   PATCH  /whip/{room}/{id}, /whep/{room}/{id}                      -> 405: mediasoup is ICE-lite
//          and the answer carries all its candidates, so trickle ICE has nothing to add (and an
//          ICE restart is not offered: a client that loses its connection POSTs again)
//   OPTIONS any of these                                             -> 204, Accept-Post: application/sdp
//
// With a token secret, POST and DELETE need `Authorization: Bearer <room token>` (tokens.ts, the
// same tokens the WebSocket join takes; a token bound to a peer id makes that the peer's id).
// Errors are 400 (bad offer or name), 401, 404, 405, 409, 413, 415 or 503, each with a one-line
// text body saying what was wrong. Every response allows any origin (CORS), so a page served
// elsewhere can publish or view.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignalingError } from '../errors.ts';
import { errorMessage, type Logger } from '../logger.ts';
import { verifyRoomToken } from '../tokens.ts';
import { turnIceServers, type TurnOptions } from '../turn.ts';
import { displayNameProblem, idProblem } from '../validate.ts';
import { OfferError, parseOffer } from './sdp.ts';
import { NothingToViewError, type SessionKind, type WhipSessions } from './sessions.ts';

/** Largest SDP offer read, bytes: Chromium's audio + video offer is ~6 KB. */
export const MAX_OFFER_BYTES = 64 * 1024;

export type WhipRoute =
  | { ok: true; kind: SessionKind; roomId: string; resourceId: string | undefined }
  | { ok: false; status: 400 | 404; message: string };

/** Reads `/whip/{room}` or `/whip/{room}/{id}` (and /whep); undefined for paths that are not WHIP's or WHEP's. */
export function matchWhipRoute(pathname: string): WhipRoute | undefined {
  const match = /^\/(whip|whep)(?:\/(.*))?$/.exec(pathname);
  if (!match) return undefined;
  const kind = match[1] as SessionKind;
  const segments = (match[2] ?? '').split('/');
  if (segments.length > 2 || segments[0] === '' || segments[1] === '') {
    return { ok: false, status: 404, message: `${kind.toUpperCase()} URLs are /${kind}/{room} (POST) and /${kind}/{room}/{id} (DELETE)` };
  }
  let roomId: string;
  let resourceId: string | undefined;
  try {
    roomId = decodeURIComponent(segments[0]!);
    resourceId = segments[1] === undefined ? undefined : decodeURIComponent(segments[1]);
  } catch {
    return { ok: false, status: 400, message: 'the URL is not valid percent-encoding' };
  }
  const problem = idProblem(roomId);
  if (problem) return { ok: false, status: 400, message: `room id ${problem}` };
  return { ok: true, kind, roomId, resourceId };
}

/** An answer to the client that is not a success; thrown by the checks, written by handle(). */
class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, DELETE, PATCH, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-Match',
  'Access-Control-Expose-Headers': 'Location, Link, Accept-Post',
};

export interface WhipEndpointsContext {
  sessions: WhipSessions;
  tokenSecret: string | undefined;
  /** Longest lifetime a bearer token may claim, seconds. */
  maxTokenLifetimeSeconds: number;
  turn: Required<TurnOptions> | undefined;
  logger: Logger;
}

export class WhipEndpoints {
  readonly #ctx: WhipEndpointsContext;

  constructor(ctx: WhipEndpointsContext) {
    this.#ctx = ctx;
  }

  /** Answers one request whose path matchWhipRoute() recognised. Never throws. */
  async handle(req: IncomingMessage, res: ServerResponse, route: WhipRoute, query: URLSearchParams): Promise<void> {
    try {
      if (!route.ok) throw new HttpError(route.status, route.message);
      await this.#route(req, res, route, query);
    } catch (error) {
      const known = toHttpError(error);
      if (known.status >= 500) this.#ctx.logger.warn(`${req.method} ${req.url} failed: ${errorMessage(error)}`);
      else this.#ctx.logger.debug(`${req.method} ${req.url}: ${known.status} ${known.message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The body may be unread (too large, wrong type): close rather than read it to reuse the socket.
      res.writeHead(known.status, { ...CORS_HEADERS, ...known.headers, 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end(`${known.message}\n`);
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse, route: Extract<WhipRoute, { ok: true }>, query: URLSearchParams): Promise<void> {
    const { kind, roomId, resourceId } = route;
    const allow = resourceId === undefined ? 'POST, OPTIONS' : 'DELETE, OPTIONS';
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS_HEADERS, Allow: allow, ...(resourceId === undefined ? { 'Accept-Post': 'application/sdp' } : {}) });
      res.end();
      return;
    }
    if (resourceId === undefined) {
      if (req.method !== 'POST') throw new HttpError(405, `${req.method} is not allowed on /${kind}/{room}; POST an SDP offer`, { Allow: allow });
      await this.#post(req, res, kind, roomId, query);
      return;
    }
    if (req.method === 'PATCH') {
      throw new HttpError(405, 'trickle ICE and ICE restarts are not supported: the SFU is ICE-lite and its answer lists all its candidates; POST a new offer to reconnect', { Allow: allow });
    }
    if (req.method !== 'DELETE') throw new HttpError(405, `${req.method} is not allowed on a ${kind.toUpperCase()} session; DELETE ends it`, { Allow: allow });
    this.#authorize(req, roomId);
    const session = this.#ctx.sessions.get(kind, roomId, resourceId);
    if (!session) throw new HttpError(404, `no ${kind.toUpperCase()} session '${resourceId}' in room '${roomId}' (ended already, or never created)`);
    this.#ctx.sessions.end(session);
    res.writeHead(200, { ...CORS_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${kind.toUpperCase()} session ${resourceId} ended; its peer left room '${roomId}'\n`);
  }

  async #post(req: IncomingMessage, res: ServerResponse, kind: SessionKind, roomId: string, query: URLSearchParams): Promise<void> {
    const tokenPeerId = this.#authorize(req, roomId);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/sdp') {
      throw new HttpError(415, `Content-Type must be application/sdp, got '${contentType || 'none'}'`, { 'Accept-Post': 'application/sdp' });
    }
    const name = query.get('name') ?? undefined;
    const nameProblem = name === undefined ? undefined : displayNameProblem(name);
    if (nameProblem) throw new HttpError(400, `name ${nameProblem}`);
    const offer = parseOffer(await readBody(req, MAX_OFFER_BYTES));
    const request = { roomId, peerId: tokenPeerId, displayName: name, offer };
    const { session, answer } = kind === 'whip' ? await this.#ctx.sessions.publish(request) : await this.#ctx.sessions.view(request);
    const location = `/${kind}/${encodeURIComponent(roomId)}/${encodeURIComponent(session.id)}`;
    const headers: Record<string, string | string[]> = { ...CORS_HEADERS, Location: location, 'Content-Type': 'application/sdp' };
    // RFC 9725 section 4.6: the TURN servers a client may use, with this peer's credentials.
    const links = turnIceServers(this.#ctx.turn, session.peer.id).flatMap((server) =>
      server.urls.map((url) => `<${url}>; rel="ice-server"; username="${server.username}"; credential="${server.credential}"; credential-type="password"`),
    );
    if (links.length > 0) headers.Link = links;
    res.writeHead(201, headers);
    res.end(answer);
  }

  /** Checks the bearer token when the SFU has a token secret; returns the peer id it binds, if any. */
  #authorize(req: IncomingMessage, roomId: string): string | undefined {
    const secret = this.#ctx.tokenSecret;
    if (secret === undefined) return undefined;
    const challenge = { 'WWW-Authenticate': 'Bearer' };
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new HttpError(401, 'this SFU needs Authorization: Bearer <room token> (minted with its token secret)', challenge);
    const check = verifyRoomToken(secret, match[1]!, { roomId }, Date.now(), this.#ctx.maxTokenLifetimeSeconds);
    if (!check.ok) throw new HttpError(401, `bearer token: ${check.reason}`, challenge);
    return check.peerId;
  }
}

/** The request body as text, at most `maxBytes` (413 past that, without reading the rest). */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = () => new HttpError(413, `the offer is larger than ${maxBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof OfferError) return new HttpError(400, error.message);
  if (error instanceof NothingToViewError) return new HttpError(409, error.message);
  if (error instanceof SignalingError) {
    // Raised by the peer while joining or producing: mediasoup refused the offer's parameters,
    // the peer id is taken, or the room closed under the request.
    if (error.code === 'bad_request') return new HttpError(400, error.message);
    if (error.code === 'conflict') return new HttpError(409, error.message);
    return new HttpError(503, error.message);
  }
  if (errorMessage(error) === 'the SFU is closing') return new HttpError(503, 'the SFU is closing');
  return new HttpError(500, `internal error: ${errorMessage(error)}`);
}
