// Real sockets on loopback: a server that answers, one that accepts and never answers, a closed port.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { whyUnreachable } from './reachable.ts';

const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('whyUnreachable', () => {
  it('is null for a server that answers, whatever the status', async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(404).end('no such page')));
    expect(await whyUnreachable(`http://127.0.0.1:${port}/?room=r`)).toBeNull();
    expect(await whyUnreachable(`http://127.0.0.1:${port}/whip`, 2000, 'OPTIONS')).toBeNull();
  });

  it('says "connection refused" for a closed port', async () => {
    const port = await listen(createTcpServer());
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await whyUnreachable(`http://127.0.0.1:${port}/`)).toMatch(/^connection refused/);
  });

  it('gives up on a server that accepts and never answers, within its timeout', async () => {
    const held: import('node:net').Socket[] = [];
    const port = await listen(createTcpServer((socket) => void held.push(socket)));
    const started = Date.now();
    expect(await whyUnreachable(`http://127.0.0.1:${port}/`, 500)).toBe('no answer within 0.5 s');
    expect(Date.now() - started).toBeLessThan(3000);
    held.forEach((s) => s.destroy());
  });

  it('does not judge what is not http(s)', async () => {
    expect(await whyUnreachable('file:///tmp/blank.html')).toBeNull();
  });
});
