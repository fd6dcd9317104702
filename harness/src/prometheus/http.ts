// The harness's /metrics endpoint: one small HTTP server per run, closed with it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from './exporter.ts';

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly metricsUrl: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 picks a free port); GET /metrics answers with the exporter's text. */
export async function startMetricsServer(exporter: PrometheusExporter, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      exporter.metrics().then(
        (body) => res.writeHead(200, { 'content-type': exporter.contentType }).end(body),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`collecting metrics failed: ${err.message}\n`),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('rtc-harness: metrics are at /metrics\n');
    }
  });
  // Prometheus keeps its connection open between scrapes; close() must not wait for it.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`--metrics-port ${port} is in use on ${host}: choose another, or 0 for a free one`) : err),
    );
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    metricsUrl: `http://${urlHost}:${actual}/metrics`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
