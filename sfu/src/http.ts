// The SFU's HTTP endpoints, on the same port as the signaling WebSocket (/ws):
//   GET /healthz   200 JSON {status, workersAlive, workers, rooms, peers, nowMs}; 503 when no worker lives;
//                  nowMs (the server's clock, unix ms) lets load generators on other machines estimate their offset
//   GET /metrics   Prometheus exposition of the SFU's own registry (metrics.ts)
//   GET /...       the call page from clientDir (static.ts); `/` is index.html
//   WHIP (RFC 9725) and WHEP, peers of the same rooms as the WebSocket's (whip/endpoints.ts):
//   POST   /whip/{room}[?name=N]   SDP offer (sendonly) -> 201 Created, Location: /whip/{room}/{id}, SDP answer
//   POST   /whep/{room}[?name=N]   SDP offer (recvonly) -> 201 Created, Location: /whep/{room}/{id}, SDP answer;
//                                  409 while nobody publishes in the room
//   DELETE /whip/{room}/{id}, /whep/{room}/{id}   200; the peer leaves its room
//   PATCH  (trickle ICE)           405: the SFU is ICE-lite and its answer lists all its candidates
//   OPTIONS                        204, Accept-Post: application/sdp
//   With a token secret, POST and DELETE need `Authorization: Bearer <room token>` (401 otherwise).
// Every request must name the SFU in `Host` (a loopback name, its own address or allowedHosts):
// 421 otherwise, so that a web page cannot reach a loopback or LAN SFU through DNS rebinding.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveStatic } from './static.ts';
import { matchWhipRoute, type WhipEndpoints } from './whip/endpoints.ts';
import { errorMessage, type Logger } from './logger.ts';
import { hostAllowed, type HostPolicy } from './hosts.ts';

export interface Health {
  workersAlive: number;
  workers: number;
  rooms: number;
  peers: number;
}

export interface HttpContext {
  clientDir: string;
  health: () => Health;
  metrics: () => Promise<{ contentType: string; body: string }>;
  whip: WhipEndpoints;
  hostPolicy: HostPolicy;
  logger: Logger;
}

export function createRequestHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(ctx.hostPolicy, req.headers.host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end("this SFU does not answer to that Host name; add it to the SFU's allowedHosts (SFU_ALLOWED_HOSTS)\n");
      return;
    }
    // Only the path and query matter; the host is never used to build anything.
    const url = new URL(req.url ?? '/', 'http://sfu.invalid');
    const whip = matchWhipRoute(url.pathname);
    if (whip) {
      await ctx.whip.handle(req, res, whip, url.searchParams);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('only GET and HEAD\n');
      return;
    }
    const pathname = url.pathname;
    if (pathname === '/healthz') {
      const health = ctx.health();
      const status = health.workersAlive > 0 ? 'ok' : 'no_workers';
      res.writeHead(health.workersAlive > 0 ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
      res.end(JSON.stringify({ status, ...health, nowMs: Date.now() }));
      return;
    }
    if (pathname === '/metrics') {
      const { contentType, body } = await ctx.metrics();
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    await serveStatic(ctx.clientDir, pathname, req, res);
  };
  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      // The path alone: a query may carry a join token, and logs outlive it.
      ctx.logger.warn(`HTTP ${req.method} ${new URL(req.url ?? '/', 'http://sfu.invalid').pathname} failed: ${errorMessage(error)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      } else {
        res.destroy();
      }
    });
  };
}
