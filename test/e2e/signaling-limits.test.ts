// The SFU's caps (sfu/src/limits.ts) against a real server with one mediasoup worker and small
// limits: each refusal is a protocol error naming the cap, then (where fatal) a close, and the
// server keeps serving. Also the Host and Origin checks and v2 tokens on the real join.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { workerBin } from 'mediasoup';
import type { ClientOptions } from 'ws';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { createRoomToken } from '../../sfu/src/tokens.ts';
import { RawSignalingClient as Client } from '../support/raw-signaling-client.ts';
import { waitFor } from '../support/wait.ts';

const SECRET = 'limits-token-secret';

describe('SFU limits against a real server', () => {
  let sfu: Sfu;
  const clients: Client[] = [];
  const connect = async (options: ClientOptions = {}) => {
    const client = await Client.connect(sfu.wsUrl, options);
    clients.push(client);
    return client;
  };
  const join = (c: Client, roomId: string, extra: Record<string, unknown> = {}) => c.request('join', { roomId, token: createRoomToken(SECRET, { roomId }), ...extra });
  const closeAll = async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await waitFor(() => sfu.stats().connections === 0 && sfu.stats().rooms === 0, 5000, 'every socket and room to go', 20);
  };

  beforeAll(async () => {
    if (!existsSync(workerBin)) throw new Error(`no mediasoup worker at ${workerBin}; run npm run setup`);
    sfu = await startSfu({
      numWorkers: 1,
      logLevel: 'silent',
      tokenSecret: SECRET,
      maxTokenLifetimeSeconds: 3600,
      allowedOrigins: ['https://app.example.com'],
      turn: { urls: ['turn:127.0.0.1:3478'], secret: 'turn-secret' },
      limits: { maxConnections: 5, maxConnectionsPerAddress: 3, maxRooms: 2, maxPeersPerRoom: 2, joinTimeoutMs: 800, messagesPerSecond: 20, messageBurst: 20 },
    });
  });
  afterEach(closeAll);
  afterAll(async () => {
    await sfu?.close();
  });

  it('caps connections per address, then in all, with a limit_exceeded reply and close 1013', async () => {
    for (let i = 0; i < 3; i++) await connect();
    const fourth = await connect();
    const refusal = Client.error(await fourth.until(() => fourth.responses[0], 'the refusal'), 'limit_exceeded');
    expect(refusal.error.message).toMatch(/3 signaling connections are open from your address \(the SFU's maxConnectionsPerAddress\)/);
    expect(await fourth.closed()).toBe(1013);
    // Another source address has its own count, until the total is reached.
    for (let i = 0; i < 2; i++) await connect({ localAddress: '127.0.0.2' });
    const sixth = await connect({ localAddress: '127.0.0.2' });
    expect(Client.error(await sixth.until(() => sixth.responses[0], 'the refusal'), 'limit_exceeded').error.message).toMatch(/5 signaling connections open \(its maxConnections\)/);
    expect(await sixth.closed()).toBe(1013);
    expect(sfu.stats().connections).toBe(5);
  });

  it('caps rooms and peers per room', async () => {
    const [a, b, c, d] = [await connect(), await connect(), await connect({ localAddress: '127.0.0.2' }), await connect({ localAddress: '127.0.0.2' })];
    expect((await join(a!, 'room-a')).ok).toBe(true);
    expect((await join(b!, 'room-b')).ok).toBe(true);
    expect(Client.error(await join(c!, 'room-c'), 'limit_exceeded').error.message).toMatch(/2 rooms open \(its maxRooms\)/);
    expect((await join(c!, 'room-a')).ok).toBe(true);
    expect(Client.error(await join(d!, 'room-a'), 'limit_exceeded').error.message).toMatch(/room 'room-a' is full \(2 peers/);
    expect(sfu.stats()).toMatchObject({ rooms: 2, peers: 3 });
  });

  it('closes a socket that does not join in time (after connecting, and after leaving)', async () => {
    const idle = await connect();
    const started = Date.now();
    expect(await idle.closed()).toBe(1008);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(Client.error(idle.responses[0]!, 'join_timeout').id).toBeNull();
    const leaver = await connect();
    expect((await join(leaver, 'room-l')).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 1000)); // joined: no deadline
    expect(leaver.closeCode).toBeUndefined();
    expect((await leaver.request('leave', {})).ok).toBe(true);
    expect(await leaver.closed()).toBe(1008);
  });

  it('closes a socket that floods messages, with rate_limited', async () => {
    const flood = await connect();
    for (let i = 0; i < 40; i++) flood.ws.send(JSON.stringify({ kind: 'request', id: i, method: 'leave', data: {} }));
    expect(await flood.closed()).toBe(1008);
    expect(flood.responses.map((r) => (r.ok ? 'ok' : r.error.code))).toContain('rate_limited');
    expect(flood.responses.length).toBeLessThanOrEqual(21);
  });

  it('refuses bad Host and foreign Origin headers, and lets no-Origin, same-origin and allowed origins in', async () => {
    const port = sfu.httpPort;
    const status = async (headers: Record<string, string>) => {
      try {
        const c = await Client.connect(sfu.wsUrl, { headers });
        await c.close();
        return 101;
      } catch (error) {
        return Number(/Unexpected server response: (\d+)/.exec(String(error))?.[1]);
      }
    };
    expect(await status({ Origin: 'https://evil.example' })).toBe(403);
    expect(await status({ Origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await status({ Origin: `http://127.0.0.1:${port}` })).toBe(101);
    expect(await status({ Origin: 'https://app.example.com' })).toBe(101);
    expect(await status({})).toBe(101);
    expect(await status({ Host: `rebound.attacker.example:${port}`, Origin: `http://rebound.attacker.example:${port}` })).toBe(421);
    // fetch() will not send another Host; node:http will.
    const rebound = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/healthz', headers: { Host: 'rebound.attacker.example' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toMatch(/allowedHosts/);
    expect((await fetch(`${sfu.url}/healthz`)).status).toBe(200);
  });

  it('refuses the v1 forgeries and over-long tokens on a real join; TURN credentials come with verified joins', async () => {
    const c = await connect();
    const roomAPeerBC = createRoomToken(SECRET, { roomId: 'a', peerId: 'b:c' });
    expect(Client.error(await c.request('join', { roomId: 'a:b', peerId: 'c', token: roomAPeerBC }), 'forbidden').error.message).toMatch(/another room/);
    const forXY = createRoomToken(SECRET, { roomId: 'x:y' });
    expect(Client.error(await c.request('join', { roomId: 'x', token: forXY }), 'forbidden').error.message).toMatch(/another room/);
    const tooLong = createRoomToken(SECRET, { roomId: 'x', ttlSeconds: 7200 });
    expect(Client.error(await c.request('join', { roomId: 'x', token: tooLong }), 'forbidden').error.message).toMatch(/longer than the allowed 3600 s/);
    const joined = await c.ok<{ iceServers: { username?: string }[] }>('join', { roomId: 'x', token: createRoomToken(SECRET, { roomId: 'x' }) });
    expect(joined.iceServers).toHaveLength(1);
    expect(joined.iceServers[0]!.username).toMatch(/^\d+:/);
  });

  it('is still healthy afterwards', async () => {
    expect((await fetch(`${sfu.url}/healthz`)).status).toBe(200);
    const c = await connect();
    expect((await join(c, 'after')).ok).toBe(true);
  });
});
