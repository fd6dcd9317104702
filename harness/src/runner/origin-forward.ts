// A call page served over plain http from another host (an SFU on the LAN, `npm run sfu` on its
// own machine) is not a secure context, so Chromium gives it no camera: getUserMedia is missing,
// and the reference page's join fails with 'device not supported'. The full browser honours
// --unsafely-treat-insecure-origin-as-secure; the headless shell the participants run ignores it
// (Chromium 156, measured). So the pages load the call from a loopback address instead, which is
// secure: every connection to it is forwarded byte for byte (HTTP and the signaling WebSocket
// alike) to the real host. Media does not cross the forward: the SFU's candidates name its own
// address, which the browser reaches directly.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { RunContext } from './context.ts';
import type { Task } from './tasks.ts';

/** The origin a page at `pageUrl` needs forwarded to become secure, or null when it is secure already. */
export function insecureRemoteOrigin(pageUrl: string): URL | null {
  let url: URL;
  try {
    url = new URL(pageUrl.replaceAll('{room}', 'r').replaceAll('{name}', 'n'));
  } catch {
    return null;
  }
  if (url.protocol !== 'http:') return null;
  const host = url.hostname;
  if (host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '[::1]') return null;
  return url;
}

export interface TcpForward {
  /** The loopback port that leads to the remote host. */
  port: number;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<any free port> to host:port, one upstream connection per accepted one. */
export async function forwardTcp(host: string, port: number): Promise<TcpForward> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((local) => {
    const remote = connect({ host, port });
    for (const s of [local, remote]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A reset on one side ends the other; the page sees a dropped connection, as it would.
      s.on('error', () => {
        local.destroy();
        remote.destroy();
      });
    }
    local.pipe(remote).pipe(local);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the forward has no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** For a target page over http on another host: pages load it through a loopback forward. */
export function originForwardTask(run: RunContext): Task {
  let forward: TcpForward | null = null;
  return {
    name: 'page origin forward',
    async start() {
      const target = run.plan.target;
      if (target.kind !== 'url' || !run.pages) return;
      const origin = insecureRemoteOrigin(target.url);
      if (!origin) return;
      forward = await forwardTcp(origin.hostname, Number(origin.port || 80));
      const local = `http://127.0.0.1:${forward.port}`;
      const remotePageUrl = run.pages.pageUrl;
      run.pages = { ...run.pages, pageUrl: (p) => remotePageUrl(p).replace(origin.origin, local) };
      run.log('info', `pages load ${origin.origin} through ${local}: a page over http from another host is not a secure context and would get no camera`);
    },
    async stop() {
      await forward?.close();
    },
  };
}
