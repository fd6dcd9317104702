// The relay on real loopback sockets: a UDP echo server and an RFC 4571 TCP echo server stand
// in for the SFU (the real SFU is exercised end to end elsewhere; here only the relay matters).
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { frame, FrameReader } from './framing.ts';
import { createAccessLink, type AccessLink } from './link.ts';
import { NetworkConfigError, resolveLinkProfile, resolveLinkUpdate, validateLinkUpdate } from './settings.ts';

let udpEcho: dgram.Socket;
let tcpEcho: net.Server;
let echoPort = 0;
/** Source ports the UDP echo server has heard from. */
const udpSources = new Set<number>();
const links: AccessLink[] = [];
const sockets: Array<dgram.Socket | net.Socket> = [];

beforeAll(async () => {
  tcpEcho = net.createServer((socket) => {
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      for (const f of reader.push(chunk)) socket.write(f);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => tcpEcho.listen(0, '127.0.0.1', resolve));
  echoPort = (tcpEcho.address() as net.AddressInfo).port;
  udpEcho = dgram.createSocket('udp4');
  udpEcho.on('message', (msg, rinfo) => {
    udpSources.add(rinfo.port);
    udpEcho.send(msg, rinfo.port, rinfo.address);
  });
  // The same port number as the TCP server, as an SFU's WebRtcServer listens.
  await new Promise<void>((resolve) => udpEcho.bind(echoPort, '127.0.0.1', resolve));
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) 'destroy' in socket ? socket.destroy() : socket.close();
  await Promise.all(links.splice(0).map((link) => link.close()));
});

afterAll(async () => {
  udpEcho?.close();
  await new Promise((resolve) => tcpEcho?.close(resolve));
});

async function open(profile = {}): Promise<AccessLink> {
  const link = await createAccessLink({
    id: 'test',
    target: { host: '127.0.0.1', port: echoPort },
    profile: resolveLinkProfile({ up: profile, down: profile }),
  });
  links.push(link);
  return link;
}

async function udpClient(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** Sends one datagram through the link; resolves with the RTT in ms, or null after timeoutMs. */
function ping(socket: dgram.Socket, port: number, payload: string, timeoutMs = 1_000): Promise<number | null> {
  return new Promise((resolve) => {
    const start = performance.now();
    const onMessage = (msg: Buffer) => {
      if (msg.toString() !== payload) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(performance.now() - start);
    };
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      resolve(null);
    }, timeoutMs);
    socket.on('message', onMessage);
    socket.send(payload, port, '127.0.0.1');
  });
}

describe('UDP relay', () => {
  it('adds 50 ms each way: RTT ≈ 100 ms', async () => {
    const link = await open({ delayMs: 50 });
    const client = await udpClient();
    const rtts: number[] = [];
    for (let i = 0; i < 5; i++) rtts.push((await ping(client, link.port, `p${i}`)) ?? Infinity);
    rtts.sort((a, b) => a - b);
    expect(rtts[2]).toBeGreaterThanOrEqual(98);
    expect(rtts[2]).toBeLessThan(130);
  });

  it('gives each browser socket its own upstream port and answers the right one', async () => {
    const link = await open();
    const opened: number[] = [];
    link.on('session', (info) => opened.push(info.upstreamPort));
    const [a, b] = [await udpClient(), await udpClient()];
    udpSources.clear();
    const [ra, rb] = await Promise.all([ping(a, link.port, 'from-a'), ping(b, link.port, 'from-b')]);
    expect(ra).not.toBeNull();
    expect(rb).not.toBeNull();
    expect(udpSources.size).toBe(2);
    expect(new Set(opened)).toEqual(udpSources);
    expect(link.sessions().map((s) => s.client).sort()).toEqual([`127.0.0.1:${a.address().port}`, `127.0.0.1:${b.address().port}`].sort());
    // A second packet from a reuses its session.
    await ping(a, link.port, 'again');
    expect(link.counters().udpSessions).toBe(2);
  });

  it('counts, blocks UDP on request, and keeps the counter invariant', async () => {
    const link = await open();
    const client = await udpClient();
    expect(await ping(client, link.port, 'open')).not.toBeNull();
    link.set({ blockUdp: true });
    expect(await ping(client, link.port, 'blocked', 200)).toBeNull();
    const { up, down } = link.counters();
    expect(up.packetsIn).toBe(2);
    expect(up.droppedBlocked).toBe(1);
    expect(down.packetsForwarded).toBe(1);
    for (const c of [up, down]) {
      const out = c.packetsForwarded + c.droppedLoss + c.droppedQueue + c.droppedBlocked + c.droppedOutage + c.droppedSendError + c.inFlight;
      expect(c.packetsIn + c.duplicated).toBe(out);
    }
  });

  it('drops everything during an outage', async () => {
    const link = await open();
    const client = await udpClient();
    link.set({ outageMs: 300 });
    expect(await ping(client, link.port, 'down', 150)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await ping(client, link.port, 'up-again')).not.toBeNull();
    expect(link.counters().up.droppedOutage).toBe(1);
  });
});

describe('TCP relay', () => {
  function connect(port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(socket));
      socket.once('error', reject);
      sockets.push(socket);
    });
  }

  it('echoes RFC 4571 frames through the link with its delay', async () => {
    const link = await open({ delayMs: 20 });
    const socket = await connect(link.port);
    const reader = new FrameReader();
    const start = performance.now();
    const frames = new Promise<Buffer[]>((resolve) => {
      const got: Buffer[] = [];
      socket.on('data', (chunk) => {
        got.push(...reader.push(chunk));
        if (got.length === 2) resolve(got);
      });
    });
    // Two frames in one write, the second split by the stream: both come back whole.
    socket.write(Buffer.concat([frame(Buffer.from('one')), frame(Buffer.alloc(1_000, 1))]));
    const [first, second] = await frames;
    expect(performance.now() - start).toBeGreaterThanOrEqual(39);
    expect(first?.subarray(2).toString()).toBe('one');
    expect(second?.length).toBe(1_002);
    expect(link.counters().tcpConnections).toBe(1);
    expect(link.counters().up.packetsForwarded).toBe(2);
  });

  it('holds frames through an outage instead of dropping them', async () => {
    const link = await open();
    const socket = await connect(link.port);
    const reader = new FrameReader();
    link.outage(200);
    const start = performance.now();
    const echoed = new Promise<Buffer>((resolve) => socket.on('data', (chunk) => reader.push(chunk).forEach(resolve)));
    socket.write(frame(Buffer.from('during outage')));
    expect((await echoed).subarray(2).toString()).toBe('during outage');
    expect(performance.now() - start).toBeGreaterThanOrEqual(195);
    expect(link.counters().up.droppedOutage).toBe(0);
    expect(link.counters().up.tcpRetransmits).toBe(1);
  });

  it('resets connections to a port outside allowPorts', async () => {
    const link = await open();
    const refused = new Promise((resolve) => link.on('connectionclose', (info) => resolve(info.reason)));
    link.set({ allowPorts: [3478] });
    const socket = net.connect({ port: link.port, host: '127.0.0.1' });
    sockets.push(socket);
    const ended = await new Promise<string>((resolve) => {
      socket.once('data', () => resolve('data'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(ended).toBe('ECONNRESET');
    expect(await refused).toBe('blocked');
    expect(link.counters().tcpConnections).toBe(0);
  });
});

describe('lifecycle', () => {
  it('takes changes validated and resolved at the boundary', async () => {
    const link = await open();
    // The link trusts what it is given: validation is the boundary's, once.
    expect(() => validateLinkUpdate({ lossPct: 101 }, 'network[test]')).toThrow(NetworkConfigError);
    expect(() => validateLinkUpdate({ lossPct: 101 }, 'network[test]')).toThrow('network[test].lossPct must be a number in 0..100 (got 101)');
    link.set(resolveLinkUpdate(validateLinkUpdate({ lossPct: 10, down: { queuePackets: 20 } })));
    expect(link.profile()).toMatchObject({ name: 'custom', up: { lossPct: 10 }, down: { lossPct: 10, queue: { unit: 'packets', packets: 20 } } });
  });

  it('closes idempotently and frees its port', async () => {
    const link = await open();
    const port = link.port;
    let closes = 0;
    link.on('close', () => closes++);
    await Promise.all([link.close(), link.close()]);
    await link.close();
    expect(closes).toBe(1);
    expect(link.closed).toBe(true);
    const reuse = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      reuse.once('error', reject);
      reuse.bind(port, '127.0.0.1', resolve);
    });
    reuse.close();
  });

  it('refuses bad options', async () => {
    await expect(createAccessLink({ id: 'x', target: { host: '127.0.0.1', port: 0 } })).rejects.toThrow('network[x].target.port must be a port 1..65535');
  });
});
