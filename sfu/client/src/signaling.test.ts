// Runs the page's signaling client against a real WebSocket server (the `ws` package) on
// loopback, standing in for the SFU's protocol handling.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SignalingClient, SignalingError, type SocketLike } from './signaling.ts';

type Handler = (message: { id: number; method: string; data: unknown }, reply: (frame: unknown) => void) => void;

const servers: WebSocketServer[] = [];
const clients: SignalingClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: Handler): Promise<{ url: string; server: WebSocketServer }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  server.on('connection', (socket) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      handler(message, (frame) => socket.send(JSON.stringify(frame)));
    });
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/ws`, server };
}

async function connect(url: string, requestTimeoutMs = 2000): Promise<SignalingClient> {
  const client = await SignalingClient.connect(url, {
    requestTimeoutMs,
    createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
  });
  clients.push(client);
  return client;
}

describe('SignalingClient', () => {
  it('correlates responses that arrive out of order with their requests', async () => {
    const held: { id: number; reply: (f: unknown) => void }[] = [];
    const { url } = await serve((m, reply) => {
      held.push({ id: m.id, reply });
      if (held.length === 2) {
        // Answer the second request first.
        for (const h of [...held].reverse()) h.reply({ kind: 'response', id: h.id, ok: true, data: { producerId: `p${h.id}` } });
      }
    });
    const client = await connect(url);
    const [a, b] = await Promise.all([
      client.request('resumeConsumer', { consumerId: 'c1' }),
      client.request('produce', { transportId: 't', kind: 'audio', rtpParameters: {}, source: 'mic' }),
    ]);
    expect(a).toEqual({ producerId: 'p1' });
    expect(b).toEqual({ producerId: 'p2' });
  });

  it('rejects with the SFU error code and message', async () => {
    const { url } = await serve((m, reply) =>
      reply({ kind: 'response', id: m.id, ok: false, error: { code: 'not_joined', message: 'join first' } }),
    );
    const client = await connect(url);
    const error = await client.request('ready', { rtpCapabilities: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingError);
    expect((error as SignalingError).code).toBe('not_joined');
    expect((error as Error).message).toBe('ready: join first (not_joined)');
  });

  it('dispatches notifications to typed listeners and isolates a throwing one', async () => {
    let push: ((f: unknown) => void) | undefined;
    const { url } = await serve((m, reply) => {
      push = reply;
      reply({ kind: 'response', id: m.id, ok: true, data: {} });
    });
    const errors: string[] = [];
    const client = await SignalingClient.connect(url, {
      createSocket: (u) => new WebSocket(u) as unknown as SocketLike,
      onListenerError: (_e, method) => errors.push(method),
    });
    clients.push(client);
    await client.request('leave', {});
    const seen: string[] = [];
    client.on('peerLeft', () => {
      throw new Error('bug');
    });
    const off = client.on('peerLeft', ({ peerId }) => seen.push(peerId));
    const received = new Promise<void>((r) => client.on('peerJoined', () => r()));
    push?.({ kind: 'notification', method: 'peerLeft', data: { peerId: 'x' } });
    push?.({ kind: 'notification', method: 'peerJoined', data: { peerId: 'y', displayName: 'Y' } });
    await received;
    off();
    push?.({ kind: 'notification', method: 'peerLeft', data: { peerId: 'z' } });
    push?.({ kind: 'notification', method: 'peerJoined', data: { peerId: 'y', displayName: 'Y' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['x']);
    expect(errors).toEqual(['peerLeft', 'peerLeft']);
  });

  it('fails a request that gets no answer in time, and pending requests when the socket closes', async () => {
    const { url, server } = await serve(() => {});
    const client = await connect(url, 100);
    await expect(client.request('leave', {})).rejects.toThrow('leave: no response within 100 ms (timeout)');
    const closed = new Promise<string>((r) => client.onClose(r));
    const pending = client.request('getConsumerState', {});
    for (const socket of server.clients) socket.close(4000, 'room closed');
    await expect(pending).rejects.toThrow(/getConsumerState: no response: socket closed \(code 4000: room closed\)/);
    expect(await closed).toMatch(/code 4000/);
    await expect(client.request('leave', {})).rejects.toThrow(/is closed/);
  });

  it("tells the SFU's closing notice (a limit it enforced) with the close", async () => {
    const { url, server } = await serve(() => {});
    const client = await connect(url);
    const closed = new Promise<string>((r) => client.onClose(r));
    for (const socket of server.clients) {
      socket.send(JSON.stringify({ kind: 'response', id: null, ok: false, error: { code: 'join_timeout', message: 'no join within 10000 ms' } }));
      socket.close(1008, 'join_timeout');
    }
    expect(await closed).toBe('socket closed (code 1008: join_timeout); the SFU said: join_timeout: no join within 10000 ms');
  });

  it('says where it could not connect', async () => {
    const { url, server } = await serve(() => {});
    await new Promise((r) => server.close(r));
    servers.length = 0;
    await expect(connect(url)).rejects.toThrow(`signaling: cannot connect to ${url}`);
  });
});
