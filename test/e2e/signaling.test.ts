// The SFU's signaling boundary against hostile and broken clients: a real SFU (one real
// mediasoup worker) and raw WebSocket clients that send malformed, out-of-order and oversized
// frames. Every one must get an error reply with the right code, the server must keep serving,
// and once the sockets close nothing may be left behind (no peers, no transports, no rooms).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerBin } from 'mediasoup';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { createRoomToken } from '../../sfu/src/tokens.ts';
import { PROTOCOL_LIMITS, type Response } from '../../sfu/src/protocol.ts';
import { RawSignalingClient as Client } from '../support/raw-signaling-client.ts';
import { processAlive } from '../support/cli.ts';
import { waitFor } from '../support/wait.ts';

const SECRET = 'e2e-token-secret';
const error = Client.error;

/** Valid-looking RTP parameters, as a page would send them (SSRC-signalled, no header extensions). */
function audioParameters(ssrc: number, mid: string) {
  return {
    mid,
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: `cname-${ssrc}` },
  };
}

function simulcastVideoParameters(firstSsrc: number, mid: string) {
  return {
    mid,
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'transport-cc' }],
      },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
    ],
    headerExtensions: [],
    encodings: [0, 1, 2].map((i) => ({ ssrc: firstSsrc + i, rtx: { ssrc: firstSsrc + 10 + i }, scalabilityMode: 'L1T3' })),
    rtcp: { cname: `cname-${firstSsrc}` },
  };
}

const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }] };

async function metricValue(sfu: Sfu, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${sfu.url}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (!labels && l.startsWith(`${name}{`)));
  return lines.reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

describe('SFU signaling against hostile clients', () => {
  let sfu: Sfu;
  const clients: Client[] = [];
  const workerDeaths: unknown[] = [];
  const connect = async () => {
    const client = await Client.connect(sfu.wsUrl);
    clients.push(client);
    return client;
  };
  const join = (client: Client, roomId: string, extra: Record<string, unknown> = {}) =>
    client.request('join', { roomId, token: createRoomToken(SECRET, { roomId }), ...extra });

  beforeAll(async () => {
    // The worker is built by `npm run setup`; poll for it (at most 10 min) rather than fail early.
    const deadline = Date.now() + 10 * 60_000;
    while (!existsSync(workerBin)) {
      if (Date.now() > deadline) throw new Error(`no mediasoup worker at ${workerBin}; run npm run setup`);
      await new Promise((r) => setTimeout(r, 30_000));
    }
    sfu = await startSfu({ numWorkers: 1, tokenSecret: SECRET, logLevel: 'error' });
    sfu.on('workerDied', (info) => workerDeaths.push(info));
  }, 11 * 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    const pids = sfu ? [...sfu.workerPids] : [];
    await sfu?.close();
    // No orphaned worker process.
    for (const pid of pids) expect(processAlive(pid), `mediasoup-worker ${pid} still running`).toBe(false);
  });

  it('answers malformed frames with an error naming the problem, and keeps the socket usable', async () => {
    const c = await connect();
    const cases: [string, () => Promise<Response>, string, RegExp][] = [
      ['bad JSON', () => c.sendRaw('{"kind": "request", "id": 1,'), 'bad_json', /not valid JSON/],
      ['binary frame', () => c.sendRaw(Buffer.from([1, 2, 3])), 'bad_message', /binary frames/],
      ['binary frame holding valid JSON', () => c.sendRaw(Buffer.from(JSON.stringify({ kind: 'request', id: 1, method: 'leave', data: {} }))), 'bad_message', /binary/],
      ['array', () => c.sendRaw('[{"kind":"request"}]'), 'bad_message', /JSON object/],
      ['bare string', () => c.sendRaw('"join"'), 'bad_message', /JSON object/],
      ['missing id', () => c.sendRaw(JSON.stringify({ kind: 'request', method: 'join', data: {} })), 'bad_message', /^id: missing/],
      ['string id', () => c.sendRaw(JSON.stringify({ kind: 'request', id: 'abc', method: 'join', data: {} })), 'bad_message', /^id: expected a non-negative integer/],
      ['missing kind', () => c.sendRaw(JSON.stringify({ id: 1005, method: 'leave', data: {} })), 'bad_message', /^kind: expected 'request'/],
      ['unknown method', () => c.request('selfDestruct', {}), 'unknown_method', /selfDestruct/],
      ['prototype method name', () => c.request('__proto__', {}), 'unknown_method', /__proto__/],
      ['missing data', () => c.sendRaw(JSON.stringify({ kind: 'request', id: 1009, method: 'join' })), 'bad_request', /^data: expected object/],
      ['wrong field type', () => c.request('join', { roomId: 42 }), 'bad_request', /^data\.roomId: expected string/],
      ['room id too long', () => c.request('join', { roomId: 'r'.repeat(PROTOCOL_LIMITS.maxIdLength + 1) }), 'bad_request', /^data\.roomId: must be at most 128/],
      ['peer id too long', () => c.request('join', { roomId: 'r', peerId: 'p'.repeat(1000) }), 'bad_request', /^data\.peerId/],
      ['unexpected field', () => c.request('join', { roomId: 'r', admin: true }), 'bad_request', /unexpected field "admin"/],
      ['oversized frame', () => c.sendRaw(JSON.stringify({ kind: 'request', id: 1011, method: 'join', data: { roomId: 'x'.repeat(PROTOCOL_LIMITS.maxFrameBytes) } })), 'frame_too_large', /limit is 65536 bytes/],
      ['produce before join', () => c.request('produce', { transportId: 't', kind: 'audio', source: 'mic', rtpParameters: audioParameters(1, '0') }), 'not_joined', /join first/],
      ['leave before join', () => c.request('leave', {}), 'not_joined', /join first/],
      ['join without a token', () => c.request('join', { roomId: 'guarded' }), 'forbidden', /data\.token: required/],
      ['join with a forged token', () => c.request('join', { roomId: 'guarded', token: 'v2.eyJyIjoiZ3VhcmRlZCIsImUiOjk5OTk5OTk5OTl9.AAAA' }), 'forbidden', /signature/],
      ['join with a v1 token', () => c.request('join', { roomId: 'guarded', token: 'v1.9999999999..AAAA' }), 'forbidden', /v1 tokens are no longer accepted/],
      ['join with another room\'s token', () => c.request('join', { roomId: 'guarded', token: createRoomToken(SECRET, { roomId: 'other' }) }), 'forbidden', /another room/],
      ['join with an expired token', () => c.request('join', { roomId: 'guarded', token: createRoomToken(SECRET, { roomId: 'guarded', ttlSeconds: 1, nowMs: Date.now() - 10_000 }) }), 'forbidden', /expired/],
    ];
    for (const [name, send, code, message] of cases) {
      const response = await send();
      const failure = error(response, code as never);
      expect(failure.error.message, name).toMatch(message);
    }
    // Frames whose id could not be read are answered with id null.
    expect(c.responses.filter((r) => r.id === null).length).toBeGreaterThanOrEqual(7);
    // The socket still works: a proper join succeeds after all of that.
    const joined = await join(c, 'hostile-1');
    expect(joined.ok).toBe(true);
    await c.close();
  });

  it('enforces the request order after join', async () => {
    const c = await connect();
    await join(c, 'order-1', { peerId: 'alice' });
    const cases: [string, () => Promise<Response>, string, RegExp][] = [
      ['second join', () => join(c, 'order-1', { peerId: 'alice2' }), 'already_joined', /already in room 'order-1' as 'alice'/],
      ['produce before createTransport', () => c.request('produce', { transportId: 'no-such-transport', kind: 'audio', source: 'mic', rtpParameters: audioParameters(1, '0') }), 'not_found', /no-such-transport/],
      ['connectTransport of an unknown transport', () => c.request('connectTransport', { transportId: 'ghost', dtlsParameters }), 'not_found', /'ghost'/],
      ['restartIce of an unknown transport', () => c.request('restartIce', { transportId: 'ghost' }), 'not_found', /'ghost'/],
      ['resumeConsumer before ready', () => c.request('resumeConsumer', { consumerId: 'c1' }), 'not_ready', /ready/],
      ['setConsumerPreferredLayers before ready', () => c.request('setConsumerPreferredLayers', { consumerId: 'c1', spatialLayer: 0 }), 'not_ready', /ready/],
      ['ready before the recv transport', () => c.request('ready', { rtpCapabilities: { codecs: [] } }), 'not_ready', /recv transport/],
      ['createTransport with a bad direction', () => c.request('createTransport', { direction: 'both' }), 'bad_request', /^data\.direction/],
      ['closeProducer of an unknown producer', () => c.request('closeProducer', { producerId: 'ghost' }), 'not_found', /'ghost'/],
      ['pauseProducer of an unknown producer', () => c.request('pauseProducer', { producerId: 'ghost' }), 'not_found', /'ghost'/],
    ];
    for (const [name, send, code, message] of cases) {
      expect(error(await send(), code as never).error.message, name).toMatch(message);
    }

    const send = await c.ok<{ transportId: string }>('createTransport', { direction: 'send' });
    const recv = await c.ok<{ transportId: string }>('createTransport', { direction: 'recv' });
    const after: [string, () => Promise<Response>, string, RegExp][] = [
      ['a second send transport', () => c.request('createTransport', { direction: 'send' }), 'conflict', /already has a send transport/],
      ['produce with an unsupported codec', () => c.request('produce', { transportId: send.transportId, kind: 'video', source: 'camera', rtpParameters: { codecs: [{ mimeType: 'video/NOPE', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 5 }] } }), 'bad_request', /data\.rtpParameters rejected by mediasoup/],
      ['produce with a codec without mimeType', () => c.request('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: { codecs: [{ payloadType: 'x' }] } }), 'bad_request', /data\.rtpParameters rejected by mediasoup/],
      ['produce with a string SSRC', () => c.request('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: { ...audioParameters(1, '0'), encodings: [{ ssrc: 'many' }] } }), 'bad_request', /rejected by mediasoup/],
      ['produce on the recv transport', () => c.request('produce', { transportId: recv.transportId, kind: 'audio', source: 'mic', rtpParameters: audioParameters(1, '0') }), 'bad_request', /recv transport/],
      ['connectTransport with a bogus fingerprint algorithm', () => c.request('connectTransport', { transportId: send.transportId, dtlsParameters: { fingerprints: [{ algorithm: 'md5', value: 'AA' }] } }), 'bad_request', /dtlsParameters rejected by mediasoup/],
      ['ready with unusable capabilities', () => c.request('ready', { rtpCapabilities: { codecs: [{ kind: 'video' }] } }), 'bad_request', /rtpCapabilities rejected by mediasoup/],
    ];
    for (const [name, sendRequest, code, message] of after) {
      expect(error(await sendRequest(), code as never).error.message, name).toMatch(message);
    }
    const joinResponse = c.responses.find((r) => r.ok && 'routerRtpCapabilities' in (r.data as object));
    const caps = (joinResponse as { data: { routerRtpCapabilities: unknown } }).data.routerRtpCapabilities;
    await c.ok('ready', { rtpCapabilities: caps });
    expect(error(await c.request('ready', { rtpCapabilities: caps }), 'conflict').error.message).toMatch(/already sent ready/);
    expect(error(await c.request('resumeConsumer', { consumerId: 'ghost' }), 'not_found').error.message).toMatch(/'ghost'/);
    expect(error(await c.request('setConsumerPreferredLayers', { consumerId: 'ghost', spatialLayer: 1 }), 'not_found').error.message).toMatch(/'ghost'/);
    // A good produce still works after the bad ones, and the worker never died.
    const produced = await c.ok<{ producerId: string }>('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: audioParameters(1234, '0') });
    expect(produced.producerId).toMatch(/\S/);
    expect(workerDeaths).toEqual([]);
    await c.ok('leave', {});
    // leave keeps the socket: it may join again.
    expect((await join(c, 'order-2')).ok).toBe(true);
    await c.close();
  });

  it('closes the socket with 1009 on a frame beyond the hard cap, and the peer leaves', async () => {
    const c = await connect();
    await join(c, 'huge-1');
    await c.ok('createTransport', { direction: 'send' });
    expect(sfu.stats().transports).toBeGreaterThanOrEqual(1);
    c.ws.send('x'.repeat(2 * 1024 * 1024));
    await c.until(() => c.closeCode, 'the socket to close');
    expect(c.closeCode).toBe(1009);
    await waitFor(() => !sfu.stats().peers, 5000, 'the peer to leave', 50);
  });

  it('fans producers out to a ready peer: newConsumer paused, resume, layers, pause, cascade on disconnect', async () => {
    const alice = await connect();
    const bob = await connect();
    const aliceJoin = await alice.ok<{ peerId: string; peers: unknown[] }>('join', { roomId: 'fan-1', peerId: 'alice', token: createRoomToken(SECRET, { roomId: 'fan-1', peerId: 'alice' }) });
    expect(aliceJoin).toMatchObject({ peerId: 'alice', peers: [], iceServers: [] });
    const send = await alice.ok<{ transportId: string; iceCandidates: { protocol: string; port: number }[] }>('createTransport', { direction: 'send' });
    // One UDP and one TCP candidate, on the worker's single port.
    expect(send.iceCandidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
    expect(new Set(send.iceCandidates.map((c) => c.port))).toEqual(new Set([sfu.rtcPorts[0]]));
    const audio = await alice.ok<{ producerId: string }>('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: audioParameters(1111, '0') });
    const video = await alice.ok<{ producerId: string }>('produce', { transportId: send.transportId, kind: 'video', source: 'camera', rtpParameters: simulcastVideoParameters(2000, '1') });

    const bobJoin = await bob.ok<{ peers: unknown[]; routerRtpCapabilities: unknown }>('join', { roomId: 'fan-1', peerId: 'bob', displayName: 'Bob', token: createRoomToken(SECRET, { roomId: 'fan-1' }) });
    expect(bobJoin.peers).toEqual([{ peerId: 'alice', displayName: 'alice' }]);
    await alice.until(() => alice.notificationsOf('peerJoined')[0], 'peerJoined');
    expect(alice.notificationsOf('peerJoined')[0]!.data).toEqual({ peerId: 'bob', displayName: 'Bob' });
    await bob.ok('createTransport', { direction: 'recv' });
    await bob.ok('ready', { rtpCapabilities: bobJoin.routerRtpCapabilities });
    await bob.until(() => (bob.notificationsOf('newConsumer').length === 2 ? true : undefined), 'two newConsumer notifications');
    const consumers = bob.notificationsOf('newConsumer').map((n) => n.data);
    const videoConsumer = consumers.find((c) => c.kind === 'video')!;
    const audioConsumer = consumers.find((c) => c.kind === 'audio')!;
    expect(videoConsumer).toMatchObject({ producerId: video.producerId, producerPeerId: 'alice', source: 'camera', type: 'simulcast', producerPaused: false });
    expect(audioConsumer).toMatchObject({ producerId: audio.producerId, source: 'mic', type: 'simple' });

    let state = await bob.ok<{ consumers: { consumerId: string; paused: boolean; type: string }[] }>('getConsumerState', {});
    expect(state.consumers.every((c) => c.paused), 'consumers start paused').toBe(true);
    await bob.ok('resumeConsumer', { consumerId: videoConsumer.consumerId });
    await bob.ok('resumeConsumer', { consumerId: audioConsumer.consumerId });
    await bob.ok('setConsumerPreferredLayers', { consumerId: videoConsumer.consumerId, spatialLayer: 1, temporalLayer: 2 });
    expect(error(await bob.request('setConsumerPreferredLayers', { consumerId: audioConsumer.consumerId, spatialLayer: 1 }), 'bad_request').error.message).toMatch(/no layers/);
    state = await bob.ok('getConsumerState', {});
    expect(state.consumers.find((c) => c.consumerId === videoConsumer.consumerId)).toMatchObject({
      paused: false,
      preferredLayers: { spatialLayer: 1, temporalLayer: 2 },
    });

    await alice.ok('pauseProducer', { producerId: video.producerId });
    await bob.until(() => bob.notificationsOf('consumerPaused')[0], 'consumerPaused');
    expect(bob.notificationsOf('consumerPaused')[0]!.data).toEqual({ consumerId: videoConsumer.consumerId });
    await alice.ok('resumeProducer', { producerId: video.producerId });
    await bob.until(() => bob.notificationsOf('consumerResumed')[0], 'consumerResumed');

    // A producer created after ready is consumed too.
    const screen = await alice.ok<{ producerId: string }>('produce', { transportId: send.transportId, kind: 'video', source: 'screen', rtpParameters: simulcastVideoParameters(3000, '2') });
    await bob.until(() => bob.notificationsOf('newConsumer').find((n) => n.data.producerId === screen.producerId), 'the screen consumer');
    await alice.ok('closeProducer', { producerId: screen.producerId });
    await bob.until(() => (bob.notificationsOf('consumerClosed').length === 1 ? true : undefined), 'consumerClosed for the screen');

    expect(sfu.stats()).toMatchObject({ peers: 2, transports: 2, producers: 2, consumers: 2 });
    expect(await metricValue(sfu, 'rtc_sfu_consumers', 'kind="video"')).toBe(1);
    expect(await metricValue(sfu, 'rtc_sfu_producers')).toBe(2);

    // Alice's socket drops: Bob's consumers close and he is told she left.
    alice.ws.terminate();
    await bob.until(() => bob.notificationsOf('peerLeft')[0], 'peerLeft');
    await bob.until(() => (bob.notificationsOf('consumerClosed').length === 3 ? true : undefined), 'consumerClosed for both of Alice\'s producers');
    expect(bob.notificationsOf('peerLeft')[0]!.data).toEqual({ peerId: 'alice' });
    expect(sfu.stats()).toMatchObject({ peers: 1, transports: 1, producers: 0, consumers: 0 });
    await bob.close();
  });

  it('leaves no transports when a socket closes mid-session, nor a peer when it closes mid-join', async () => {
    const mid = await connect();
    await join(mid, 'mid-1');
    await mid.ok('createTransport', { direction: 'send' });
    await mid.ok('createTransport', { direction: 'recv' });
    expect(sfu.stats().transports).toBe(2);
    mid.ws.terminate();

    // Join and drop at once, many times, so some drops land while the room is being created.
    for (let i = 0; i < 10; i++) {
      const c = await connect();
      c.ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'join', data: { roomId: `drop-${i}`, token: createRoomToken(SECRET, { roomId: `drop-${i}` }) } }));
      c.ws.send(JSON.stringify({ kind: 'request', id: 2, method: 'createTransport', data: { direction: 'send' } }));
      if (i % 2 === 0) c.ws.terminate();
      else setTimeout(() => c.ws.terminate(), i);
    }
    await waitFor(() => {
      const s = sfu.stats();
      return s.peers === 0 && s.transports === 0 && s.rooms === 0 && s.connections === 0;
    }, 5000, 'every peer, transport and room to go', 50).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(sfu.stats())}`);
    });
  });

  it('is still healthy afterwards, with nothing leaked', async () => {
    await Promise.all(clients.map((c) => c.close()));
    await waitFor(async () => (await metricValue(sfu, 'rtc_sfu_ws_connections')) === 0, 5000, 'sockets to close', 50);
    const health = await fetch(`${sfu.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', workersAlive: 1, workers: 1, rooms: 0, peers: 0, nowMs: expect.any(Number) });
    expect(await metricValue(sfu, 'rtc_sfu_peers')).toBe(0);
    expect(await metricValue(sfu, 'rtc_sfu_transports')).toBe(0);
    expect(await metricValue(sfu, 'rtc_sfu_rooms')).toBe(0);
    expect(await metricValue(sfu, 'rtc_sfu_worker_deaths_total')).toBe(0);
    expect(await metricValue(sfu, 'rtc_sfu_signaling_requests_total', 'method="invalid",outcome="bad_json"')).toBeGreaterThanOrEqual(1);
    expect(processAlive(sfu.workerPids[0]!)).toBe(true);
    expect(workerDeaths).toEqual([]);
  });
});
