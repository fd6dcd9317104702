// The SFU's HTTP endpoints, on the same port as the signaling WebSocket (/ws):
//   GET /healthz   200 JSON {status, workersAlive, workers, rooms, peers}; 503 when no worker lives
//   GET /metrics   Prometheus exposition of the SFU's own registry (metrics.ts)
//   GET /...       the call page from clientDir (static.ts); `/` is index.html
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveStatic } from './static.ts';
import { errorMessage, type Logger } from './logger.ts';

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
  logger: Logger;
}

export function createRequestHandler(ctx: HttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('only GET and HEAD\n');
      return;
    }
    // Only the path matters; the host is never used to build anything.
    const pathname = new URL(req.url ?? '/', 'http://sfu.invalid').pathname;
    if (pathname === '/healthz') {
      const health = ctx.health();
      const status = health.workersAlive > 0 ? 'ok' : 'no_workers';
      res.writeHead(health.workersAlive > 0 ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
      res.end(JSON.stringify({ status, ...health }));
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
      ctx.logger.warn(`HTTP ${req.method} ${req.url} failed: ${errorMessage(error)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      } else {
        res.destroy();
      }
    });
  };
}
