// The SFU as a server process tree: HTTP endpoints (health, metrics, the call page with content
// types and no path traversal), typed events, a mediasoup worker dying under live rooms, and a
// close() that leaves no worker process behind. Real mediasoup workers throughout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerBin } from 'mediasoup';
import WebSocket from 'ws';
import { startSfu, type Sfu, type SfuEvents } from '../../sfu/src/server.ts';
import { RawSignalingClient as Client } from '../support/raw-signaling-client.ts';
import { processAlive } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

/** A raw GET, so that `..` and encoded paths reach the server unnormalised (fetch would resolve them). */
function rawGet(url: string, path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** mediasoup-worker processes started by this test process. */
function childWorkerPids(): number[] {
  try {
    const out = execFileSync('pgrep', ['-P', String(process.pid), '-f', 'mediasoup-worker'], { encoding: 'utf8' });
    return out.split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches.
  }
}

/** The worker binary is built by `npm run setup`, possibly still running. */
const waitForWorkerBinary = () => waitFor(() => existsSync(workerBin), 10 * 60_000, `the mediasoup worker at ${workerBin} (run npm run setup)`, 30_000);

describe('SFU HTTP endpoints and call page', () => {
  let sfu: Sfu;
  let root: string;
  let clientDir: string;

  beforeAll(async () => {
    await waitForWorkerBinary();
    root = mkdtempSync(join(tmpdir(), 'rtc-sfu-http-'));
    clientDir = join(root, 'dist');
    mkdirSync(clientDir);
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>call</title>');
    writeFileSync(join(clientDir, 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'secret.txt'), 'do not serve');
    symlinkSync(join(root, 'secret.txt'), join(clientDir, 'link.txt'));
    sfu = await startSfu({ numWorkers: 1, clientDir, logLevel: 'error' });
  }, 11 * 60_000);

  afterAll(async () => {
    await sfu?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('serves the call page with content types', async () => {
    const index = await fetch(`${sfu.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>call</title>');
    const app = await fetch(`${sfu.url}/app.js`);
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${sfu.url}/missing.js`)).status).toBe(404);
    expect((await fetch(`${sfu.url}/`, { method: 'POST' })).status).toBe(405);
  });

  it.each(['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/link.txt', '/..%5csecret.txt', '/app.js%00'])(
    'does not serve %s from outside the directory',
    async (path) => {
      const res = await rawGet(sfu.url, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('do not serve');
    },
  );

  it('answers /healthz and /metrics with the documented series', async () => {
    const before = Date.now();
    const health = await fetch(`${sfu.url}/healthz`);
    expect(health.headers.get('content-type')).toBe('application/json');
    const body = await health.json();
    expect(body).toEqual({ status: 'ok', workersAlive: 1, workers: 1, rooms: 0, peers: 0, nowMs: expect.any(Number) });
    // Same machine, same clock: the server's time falls within the request.
    expect(body.nowMs).toBeGreaterThanOrEqual(before);
    expect(body.nowMs).toBeLessThanOrEqual(Date.now());
    const metrics = await (await fetch(`${sfu.url}/metrics`)).text();
    for (const name of [
      'rtc_sfu_workers_alive 1',
      'rtc_sfu_worker_deaths_total 0',
      'rtc_sfu_worker_cpu_seconds_total{worker="0"}',
      'rtc_sfu_worker_max_rss_bytes{worker="0"}',
      'rtc_sfu_rooms{worker="0"} 0',
      'rtc_sfu_peers 0',
      'rtc_sfu_ws_connections 0',
      'rtc_sfu_transports{direction="send"} 0',
      'rtc_sfu_producers{kind="video"} 0',
      'rtc_sfu_consumers{kind="audio"} 0',
      'rtc_sfu_transport_bitrate_bps{direction="in"} 0',
    ]) {
      expect(metrics).toContain(name);
    }
    expect(metrics).not.toMatch(/^(?!#)(?!rtc_sfu_)\w+/m); // only the SFU's own registry, no process_* defaults
  });

  it('refuses WebSocket upgrades outside /ws', async () => {
    const ws = new WebSocket(sfu.wsUrl.replace(/\/ws$/, '/other'));
    const failure = await new Promise<string>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', (e) => resolve(e.message));
    });
    expect(failure).toMatch(/404/);
  });
});

describe('SFU under a dying worker, and close()', () => {
  let sfu: Sfu;
  const events: { name: keyof SfuEvents; args: unknown[] }[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    await waitForWorkerBinary();
    sfu = await startSfu({ numWorkers: 2, logLevel: 'silent' });
    for (const name of ['roomCreated', 'roomClosed', 'peerJoined', 'peerLeft', 'workerDied', 'workerReplaced', 'workerNotReplaced', 'close'] as const) {
      sfu.on(name, (...args: unknown[]) => events.push({ name, args }));
    }
    // A listener that throws is logged, not fatal.
    sfu.on('peerJoined', () => {
      throw new Error('listener bug');
    });
  }, 11 * 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sfu?.close();
  });

  it('closes the rooms of a dead worker, tells their pages, keeps serving, and replaces it on the same port', async () => {
    expect(sfu.rtcPorts).toHaveLength(2);
    expect(new Set(sfu.rtcPorts).size).toBe(2);
    const portsBefore = [...sfu.rtcPorts];
    const a = await Client.connect(sfu.wsUrl);
    const b = await Client.connect(sfu.wsUrl);
    clients.push(a, b);
    await a.ok('join', { roomId: 'on-worker-0', peerId: 'a' });
    await b.ok('join', { roomId: 'on-worker-1', peerId: 'b' });
    await a.ok('createTransport', { direction: 'send' });
    const created = events.filter((e) => e.name === 'roomCreated').map((e) => e.args[0]);
    // Least-loaded placement: the second room goes to the other worker.
    expect(created).toEqual([
      { roomId: 'on-worker-0', workerIndex: 0 },
      { roomId: 'on-worker-1', workerIndex: 1 },
    ]);

    const victim = sfu.workerPids[0]!;
    process.kill(victim, 'SIGKILL');
    await a.until(() => a.closeCode, "the dead worker's page to be disconnected");
    expect(a.closeCode).toBe(1011);
    expect(events.find((e) => e.name === 'workerDied')?.args[0]).toMatchObject({ workerIndex: 0, pid: victim });
    expect(events.find((e) => e.name === 'roomClosed')?.args[0]).toEqual({ roomId: 'on-worker-0', reason: 'its media worker died' });
    expect(events.find((e) => e.name === 'peerLeft')?.args[0]).toEqual({ roomId: 'on-worker-0', peerId: 'a', reason: 'room closed' });
    // The other worker's room is untouched.
    expect((await b.request('getConsumerState', {})).ok).toBe(true);

    // A new worker takes the dead one's place, on its media port.
    const replaced = await waitFor(() => events.find((e) => e.name === 'workerReplaced')?.args[0] as { workerIndex: number; pid: number; previousPid: number } | undefined, 5000, 'the replacement worker', 20);
    expect(replaced).toMatchObject({ workerIndex: 0, previousPid: victim });
    expect(replaced.pid).not.toBe(victim);
    expect(processAlive(replaced.pid)).toBe(true);
    expect(sfu.workerPids[0]).toBe(replaced.pid);
    expect(sfu.rtcPorts).toEqual(portsBefore);
    // The next room goes to it (it has none), and its transports offer the same port.
    const c = await Client.connect(sfu.wsUrl);
    clients.push(c);
    await c.ok('join', { roomId: 'after-death' });
    expect(events.filter((e) => e.name === 'roomCreated').at(-1)?.args[0]).toEqual({ roomId: 'after-death', workerIndex: 0 });
    const transport = await c.ok<{ iceCandidates: { port: number; protocol: string }[] }>('createTransport', { direction: 'recv' });
    expect(new Set(transport.iceCandidates.map((x) => x.port))).toEqual(new Set([portsBefore[0]]));
    const health = await (await fetch(`${sfu.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', workersAlive: 2, workers: 2, rooms: 2, peers: 2 });
    const metrics = await sfu.metricsText();
    expect(metrics).toContain('rtc_sfu_worker_deaths_total 1');
    expect(metrics).toContain('rtc_sfu_workers_alive 2');
    expect(metrics).toMatch(/rtc_sfu_rooms\{worker="0"\} 1/);
  });

  it('stops replacing a worker that keeps dying, and carries on with the others', async () => {
    // The slot of worker 1 dies four times within the minute: three replacements, then none.
    for (let death = 1; death <= 4; death++) {
      const pid = sfu.workerPids[1]!;
      process.kill(pid, 'SIGKILL');
      const outcome = death <= 3 ? 'workerReplaced' : 'workerNotReplaced';
      await waitFor(
        () => events.filter((e) => e.name === outcome && (e.args[0] as { workerIndex: number }).workerIndex === 1).length === (death <= 3 ? death : 1),
        5000,
        `death ${death} of worker 1 to end in ${outcome}`,
        20,
      );
    }
    expect(events.find((e) => e.name === 'workerNotReplaced')?.args[0]).toEqual({ workerIndex: 1, reason: 'it died 4 times within 60 s' });
    expect(await (await fetch(`${sfu.url}/healthz`)).json()).toMatchObject({ workersAlive: 1, workers: 2 });
    expect(await sfu.metricsText()).toContain('rtc_sfu_worker_deaths_total 5');
    // New rooms go to the live worker.
    const d = await Client.connect(sfu.wsUrl);
    clients.push(d);
    await d.ok('join', { roomId: 'after-the-loop' });
    expect(events.filter((e) => e.name === 'roomCreated').at(-1)?.args[0]).toEqual({ roomId: 'after-the-loop', workerIndex: 0 });
  });

  it('closes idempotently, cascading to sockets and worker processes', async () => {
    const pids = [...sfu.workerPids];
    const live = clients.filter((c) => c.closeCode === undefined);
    expect(live.length).toBeGreaterThan(0);
    const first = sfu.close();
    const second = sfu.close();
    await Promise.all([first, second]);
    expect(sfu.closed).toBe(true);
    for (const c of live) await c.until(() => c.closeCode, 'the socket to close');
    expect(live.map((c) => c.closeCode)).toEqual(live.map(() => 1001));
    for (const pid of pids) expect(processAlive(pid), `worker ${pid}`).toBe(false);
    expect(events.filter((e) => e.name === 'close')).toHaveLength(1);
    await expect(fetch(`${sfu.url}/healthz`)).rejects.toThrow();
  });
});

describe('startSfu failures', () => {
  it('names the field of a bad option', async () => {
    await expect(startSfu({ numWorkers: 0 })).rejects.toThrow(/numWorkers must be an integer from 1/);
  });

  it('reports a taken media port and leaves no worker behind', async () => {
    await waitForWorkerBinary();
    const holder = await startSfu({ numWorkers: 1, logLevel: 'silent' });
    try {
      await expect(startSfu({ numWorkers: 1, rtcPort: holder.rtcPorts[0]!, logLevel: 'silent' })).rejects.toThrow(
        /cannot listen on 127\.0\.0\.1:\d+ \(UDP\+TCP\).*pass another rtcPort/,
      );
      // The failed start's worker is gone: only the holder's worker is a child of this process.
      expect(childWorkerPids()).toEqual([...holder.workerPids]);
    } finally {
      await holder.close();
    }
  });
});
