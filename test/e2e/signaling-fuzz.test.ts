// Property-based fuzzing of the signaling protocol (fast-check) against a real SFU: 5,000 frames
// per run, each a valid request mutated (wrong types, huge strings, deep nesting, prototype keys,
// unicode and lone surrogates, unknown fields and methods, broken envelopes) or raw garbage, text
// or binary. Properties: every frame gets exactly one reply, well-formed per the protocol (an
// error's code is a known one and its message within maxErrorMessageChars; the id echoed when it
// was readable); the server keeps serving; Object.prototype stays clean; and, once the sockets
// close, nothing is left open and the heap is back near where it started.
//
// The per-socket rate and join deadline are raised here so that 5,000 frames fit in about 30 s
// on one socket; those two caps have their own tests (signaling-limits.test.ts).
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerBin } from 'mediasoup';
import WebSocket from 'ws';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { DEFAULT_SIGNALING_LIMITS } from '../../sfu/src/limits.ts';
import { PROTOCOL_LIMITS, type ErrorCode, type Response } from '../../sfu/src/protocol.ts';
import { waitFor } from '../support/wait.ts';
import fc from 'fast-check';

type Fc = typeof fc;

const RUNS = Number(process.env.SIGNALING_FUZZ_RUNS ?? 5000);
const SEED = process.env.SIGNALING_FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.SIGNALING_FUZZ_SEED);
const MAX_ERROR_CHARS = DEFAULT_SIGNALING_LIMITS.maxErrorMessageChars;
const ERROR_CODES = new Set<ErrorCode>([
  'bad_json', 'frame_too_large', 'bad_message', 'unknown_method', 'bad_request', 'not_joined', 'already_joined',
  'not_ready', 'not_found', 'forbidden', 'conflict', 'limit_exceeded', 'rate_limited', 'join_timeout', 'internal',
]);

type Frame = { text: string } | { binary: Uint8Array };

/** A full GC, for heap figures that are not just garbage waiting (the test worker has no --expose-gc of its own). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }] };
const rtpParameters = {
  mid: '0',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc: 1111 }],
  rtcp: { cname: 'fuzz' },
};

/** Valid requests, one per method, that mutations start from. */
const VALID: Record<string, unknown>[] = [
  { method: 'join', data: { roomId: 'fuzz-room', peerId: 'fuzz-peer', displayName: 'Fuzz' } },
  { method: 'createTransport', data: { direction: 'send' } },
  { method: 'connectTransport', data: { transportId: 'tid', dtlsParameters } },
  { method: 'ready', data: { rtpCapabilities: { codecs: [{ mimeType: 'audio/opus', kind: 'audio', clockRate: 48000, channels: 2 }] } } },
  { method: 'produce', data: { transportId: 'tid', kind: 'audio', source: 'mic', rtpParameters } },
  { method: 'closeProducer', data: { producerId: 'pid' } },
  { method: 'pauseConsumer', data: { consumerId: 'cid' } },
  { method: 'setConsumerPreferredLayers', data: { consumerId: 'cid', spatialLayer: 1, temporalLayer: 0 } },
  { method: 'restartIce', data: { transportId: 'tid' } },
  { method: 'getConsumerState', data: {} },
  { method: 'leave', data: {} },
];

/** Paths of a request that a mutation may hit: its own structure, not the depths an earlier mutation put in. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || prefix.length >= 5) return [prefix];
  const own = Object.keys(value).flatMap((k) => paths((value as Record<string, unknown>)[k], [...prefix, k]));
  return [prefix, ...own];
}

function setAt(root: Record<string, unknown>, path: string[], value: unknown, remove: boolean): void {
  if (path.length === 0) return;
  let node = root as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return;
    node = next as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (remove) delete node[last];
  // defineProperty, so that a key named __proto__ becomes an own field as JSON.parse would make it;
  // a copy, because generated values may be shared constants that a later mutation would edit.
  else Object.defineProperty(node, last, { value: structuredClone(value), enumerable: true, writable: true, configurable: true });
}

function arbitraries(fc: Fc) {
  const unicode = fc.string({ maxLength: 64, unit: 'grapheme' });
  const anyCodePoints = fc.string({ maxLength: 64, unit: 'binary' }); // lone surrogates included
  const huge = fc.tuple(fc.constantFrom('x', 'é', '\u0000', '"', '\\', '😀'), fc.integer({ min: 1000, max: 70_000 })).map(([c, n]: [string, number]) => c.repeat(Math.ceil(n / c.length)));
  const deep = fc.tuple(fc.integer({ min: 10, max: 500 }), fc.boolean()).map(([depth, arrays]: [number, boolean]) => {
    let v: unknown = 0;
    for (let i = 0; i < depth; i++) v = arrays ? [v] : { k: v };
    return v;
  });
  const prototypeKeys = fc.constantFrom(
    JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown,
    JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}') as unknown,
    JSON.parse('{"prototype":{"polluted":"yes"}}') as unknown,
  );
  const wrongType = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(-1, 2 ** 53, 1e308, -0),
    fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    fc.jsonValue({ maxDepth: 4 }),
  );
  const value = fc.oneof(wrongType, unicode, anyCodePoints, huge, deep, prototypeKeys);
  const mutation = fc.record({
    pick: fc.nat(),
    kind: fc.constantFrom('set', 'remove', 'addField'),
    key: fc.oneof(fc.string({ maxLength: 16 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'), huge),
    value,
  });
  const mutated = fc
    .tuple(fc.constantFrom(...VALID), fc.integer({ min: 0, max: 2 ** 31 }), fc.array(mutation, { minLength: 0, maxLength: 3 }))
    .map(([base, id, mutations]: [Record<string, unknown>, number, { pick: number; kind: string; key: string; value: unknown }[]]): Frame => {
      const request: Record<string, unknown> = { kind: 'request', id, ...structuredClone(base) };
      for (const m of mutations) {
        const all = paths(request);
        const path = all[m.pick % all.length]!;
        if (m.kind === 'addField') setAt(request, [...path, m.key], m.value, false);
        else setAt(request, path, m.value, m.kind === 'remove');
      }
      return { text: JSON.stringify(request) };
    });
  const garbageText = fc.oneof(
    fc.string({ maxLength: 200, unit: 'binary' }),
    fc.jsonValue({ maxDepth: 5 }).map((v: unknown) => JSON.stringify(v)),
    fc.constantFrom('{', '[', '"', '{"kind":"request","id":1,', 'null', '1e999', '{"id":1e999}', '{"kind":"request","id":1,"method":"join","data":{"roomId":"a"}}}'),
    fc.tuple(fc.constantFrom(...VALID), fc.nat()).map(([base, cut]: [Record<string, unknown>, number]) => {
      const text = JSON.stringify({ kind: 'request', id: 5, ...base });
      return text.slice(0, cut % text.length); // truncated
    }),
  ).map((text: string): Frame => ({ text }));
  const binary = fc.oneof(
    fc.uint8Array({ maxLength: 512 }),
    fc.constantFrom(...VALID).map((base: Record<string, unknown>) => new TextEncoder().encode(JSON.stringify({ kind: 'request', id: 9, ...base }))),
  ).map((bytes: Uint8Array): Frame => ({ binary: bytes }));
  return fc.oneof({ arbitrary: mutated, weight: 6 }, { arbitrary: garbageText, weight: 2 }, { arbitrary: binary, weight: 1 });
}

/** One socket, one frame at a time: send, then wait for the next response (notifications skipped). */
class FuzzSocket {
  #ws!: WebSocket;
  #replies: Response[] = [];
  #wake: (() => void) | undefined;
  closeCode: number | undefined;
  reconnects = 0;

  constructor(private readonly url: string) {}

  async open(): Promise<void> {
    this.#ws = new WebSocket(this.url);
    this.#replies = [];
    this.closeCode = undefined;
    this.#ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as Response | { kind: 'notification' };
      if (message.kind === 'response') this.#replies.push(message);
      this.#wake?.();
    });
    this.#ws.on('close', (code) => {
      this.closeCode = code;
      this.#wake?.();
    });
    this.#ws.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      this.#ws.once('open', () => resolve());
      this.#ws.once('error', reject);
    });
  }

  /** Sends `frame`; resolves with its reply, or with undefined if the server closed the socket instead. */
  async exchange(frame: Frame, timeoutMs = 10_000): Promise<Response | undefined> {
    if (this.#ws.readyState !== WebSocket.OPEN) {
      this.reconnects++;
      await this.open();
    }
    if ('text' in frame) this.#ws.send(frame.text);
    else this.#ws.send(frame.binary, { binary: true });
    const deadline = Date.now() + timeoutMs;
    while (this.#replies.length === 0 && this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error(`no reply in ${timeoutMs} ms to ${describeFrame(frame)}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.#replies.shift();
  }

  async close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.#ws.once('close', () => resolve()));
    this.#ws.close();
    await closed;
  }
}

function describeFrame(frame: Frame): string {
  return 'text' in frame ? `text frame ${JSON.stringify(frame.text.slice(0, 200))} (${frame.text.length} chars)` : `binary frame of ${frame.binary.length} bytes`;
}

/** The id the server can read from a frame, so its reply must carry it; null when it cannot (binary, oversized, no valid id). */
function readableId(frame: Frame): number | null {
  if (!('text' in frame) || Buffer.byteLength(frame.text, 'utf8') > PROTOCOL_LIMITS.maxFrameBytes) return null;
  try {
    // What the server parses: the UTF-8 the socket carried (a lone surrogate became U+FFFD on the way).
    const value = JSON.parse(Buffer.from(frame.text, 'utf8').toString('utf8')) as { id?: unknown };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    return typeof value.id === 'number' && Number.isSafeInteger(value.id) && value.id >= 0 ? value.id : null;
  } catch {
    return null;
  }
}

describe('signaling fuzz (fast-check)', () => {
  let sfu: Sfu;
  beforeAll(async () => {
    if (!existsSync(workerBin)) throw new Error(`no mediasoup worker at ${workerBin}; run npm run setup`);
    sfu = await startSfu({ numWorkers: 1, logLevel: 'silent', limits: { messagesPerSecond: 100_000, messageBurst: 100_000, joinTimeoutMs: 3_600_000 } });
  });
  afterAll(async () => {
    await sfu?.close();
  });

  it(`answers ${RUNS} mutated and garbage frames per the protocol, stays up, and its memory stays bounded`, async () => {
    const socket = new FuzzSocket(sfu.wsUrl);
    await socket.open();
    collectGarbage();
    const before = process.memoryUsage();
    const started = Date.now();
    let frames = 0;
    let closes = 0;
    const codes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(arbitraries(fc), async (frame: Frame) => {
        frames++;
        const reply = await socket.exchange(frame);
        if (reply === undefined) {
          // The only frames a server may close on instead of answering: beyond ws's hard cap (1009).
          closes++;
          expect(socket.closeCode, describeFrame(frame)).toBe(1009);
          return;
        }
        expect(reply.kind).toBe('response');
        expect(reply.id, describeFrame(frame)).toBe(readableId(frame));
        if (reply.ok) {
          codes.set('ok', (codes.get('ok') ?? 0) + 1);
          return;
        }
        codes.set(reply.error.code, (codes.get(reply.error.code) ?? 0) + 1);
        expect(ERROR_CODES.has(reply.error.code), `unknown code ${reply.error.code}`).toBe(true);
        expect(reply.error.code, `${describeFrame(frame)}: ${reply.error.message}`).not.toBe('internal');
        expect(typeof reply.error.message).toBe('string');
        expect(reply.error.message.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
        expect(Object.keys(reply.error).sort()).toEqual(['code', 'message']);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const seconds = (Date.now() - started) / 1000;
    // Nothing polluted, and the server still serves.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${sfu.url}/healthz`)).status).toBe(200);
    await socket.close();
    await waitFor(() => {
      const s = sfu.stats();
      return s.rooms === 0 && s.peers === 0 && s.transports === 0 && s.connections === 0;
    }, 5000, 'every room, peer, transport and socket to go', 50);
    collectGarbage();
    const after = process.memoryUsage();
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    process.stdout.write(
      `signaling fuzz: seed ${SEED}, ${frames} frames in ${seconds.toFixed(1)} s, ${closes} closes (1009), ${socket.reconnects} reconnects; ` +
        `replies ${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}; heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} MiB, RSS ${mib(before.rss)} → ${mib(after.rss)} MiB\n`,
    );
    expect(frames).toBeGreaterThanOrEqual(RUNS);
    // SFU and test share the process: after GC, 5,000 frames (hundreds of MB parsed) may leave a few MiB, not tens.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(32 * 2 ** 20);
    expect(after.rss - before.rss).toBeLessThan(256 * 2 ** 20);
  }, 120_000);
});
