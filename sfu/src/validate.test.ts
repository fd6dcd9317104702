import { describe, expect, it } from 'vitest';
import { decodeFrame, REQUEST_METHODS } from './validate.ts';
import type { ErrorCode, RequestMethod } from './protocol.ts';

const frame = (method: unknown, data: unknown, id: unknown = 7) => JSON.stringify({ kind: 'request', id, method, data });

const rtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 1111 }],
};
const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };

/** One valid request per method: every method must decode. */
const VALID: Record<RequestMethod, unknown> = {
  join: { roomId: 'room-1', peerId: 'alice', displayName: 'Alice Ö', token: 'v1.1.2.3' },
  createTransport: { direction: 'send' },
  connectTransport: { transportId: 't1', dtlsParameters },
  ready: { rtpCapabilities: { codecs: [], headerExtensions: [] } },
  produce: { transportId: 't1', kind: 'video', rtpParameters, source: 'camera', paused: true },
  closeProducer: { producerId: 'p1' },
  pauseProducer: { producerId: 'p1' },
  resumeProducer: { producerId: 'p1' },
  resumeConsumer: { consumerId: 'c1' },
  pauseConsumer: { consumerId: 'c1' },
  setConsumerPreferredLayers: { consumerId: 'c1', spatialLayer: 2, temporalLayer: 1 },
  restartIce: { transportId: 't1' },
  getConsumerState: {},
  leave: {},
};

describe('decodeFrame', () => {
  it.each(REQUEST_METHODS)('accepts a valid %s', (method) => {
    const result = decodeFrame(frame(method, VALID[method]));
    expect(result).toEqual({ ok: true, request: { kind: 'request', id: 7, method, data: VALID[method] } });
  });

  it('knows exactly the protocol methods', () => {
    expect([...REQUEST_METHODS].sort()).toEqual(Object.keys(VALID).sort());
  });

  const rejections: [name: string, text: string, code: ErrorCode, id: number | null, message: RegExp][] = [
    ['bad JSON', '{"kind":', 'bad_json', null, /not valid JSON/],
    ['an array', '[1,2]', 'bad_message', null, /JSON object.*got an array/],
    ['a number', '42', 'bad_message', null, /got number/],
    ['null', 'null', 'bad_message', null, /got null/],
    ['a missing id', JSON.stringify({ kind: 'request', method: 'leave', data: {} }), 'bad_message', null, /^id: missing/],
    ['a string id', frame('leave', {}, '7'), 'bad_message', null, /^id: expected a non-negative integer, got string/],
    ['a fractional id', frame('leave', {}, 1.5), 'bad_message', null, /^id: .*1\.5/],
    ['a negative id', frame('leave', {}, -1), 'bad_message', null, /^id: /],
    ['a wrong kind', JSON.stringify({ kind: 'response', id: 3, method: 'leave', data: {} }), 'bad_message', 3, /^kind: expected 'request'/],
    ['a missing method', JSON.stringify({ kind: 'request', id: 3, data: {} }), 'bad_message', 3, /^method: expected a string/],
    ['an extra envelope field', JSON.stringify({ kind: 'request', id: 3, method: 'leave', data: {}, x: 1 }), 'bad_message', 3, /unexpected field.*"x"/],
    ['an unknown method', frame('explode', {}), 'unknown_method', 7, /unknown method "explode".*join/],
    ['an inherited property as method', frame('toString', {}), 'unknown_method', 7, /toString/],
    ['missing data', JSON.stringify({ kind: 'request', id: 7, method: 'createTransport' }), 'bad_request', 7, /^data: expected object/],
    ['a bad direction', frame('createTransport', { direction: 'sideways' }), 'bad_request', 7, /^data\.direction: .*"send"\|"recv"/],
    ['a wrong field type', frame('resumeConsumer', { consumerId: 12 }), 'bad_request', 7, /^data\.consumerId: expected string, received number/],
    ['a too-long roomId', frame('join', { roomId: 'r'.repeat(129) }), 'bad_request', 7, /^data\.roomId: must be at most 128/],
    ['a roomId with spaces', frame('join', { roomId: 'my room' }), 'bad_request', 7, /^data\.roomId: must not contain whitespace/],
    ['a too-long consumer id', frame('resumeConsumer', { consumerId: 'c'.repeat(500) }), 'bad_request', 7, /^data\.consumerId: must be at most 128/],
    ['an unknown data field', frame('leave', { now: true }), 'bad_request', 7, /^data: unexpected field "now"/],
    ['a source that contradicts kind', frame('produce', { ...(VALID.produce as object), kind: 'audio' }), 'bad_request', 7, /^data\.source: must match kind/],
    ['codecs that are not an array', frame('produce', { ...(VALID.produce as object), rtpParameters: { codecs: 'vp8' } }), 'bad_request', 7, /^data\.rtpParameters\.codecs: expected array/],
    ['a codec that is not an object', frame('produce', { ...(VALID.produce as object), rtpParameters: { codecs: [1] } }), 'bad_request', 7, /^data\.rtpParameters\.codecs\[0\]: expected record/],
    ['no fingerprints', frame('connectTransport', { transportId: 't', dtlsParameters: { fingerprints: [] } }), 'bad_request', 7, /^data\.dtlsParameters\.fingerprints: must list at least one/],
    ['a fractional layer', frame('setConsumerPreferredLayers', { consumerId: 'c', spatialLayer: 0.5 }), 'bad_request', 7, /^data\.spatialLayer: expected int/],
    ['nesting past maxJsonDepth', frame('ready', { rtpCapabilities: { codecs: [JSON.parse('['.repeat(40) + ']'.repeat(40))] } }), 'bad_message', 7, /nested deeper than 16 levels/],
    // The probe that once overflowed the stack after validation: 10,000 levels inside `ready`.
    ['10,000 levels inside ready', `{"kind":"request","id":7,"method":"ready","data":{"rtpCapabilities":{"codecs":[${'['.repeat(10_000)}${']'.repeat(10_000)}]}}}`, 'bad_message', 7, /nested deeper than 16 levels/],
    ['a __proto__ key deep inside', `{"kind":"request","id":7,"method":"ready","data":{"rtpCapabilities":{"codecs":[{"__proto__":{"polluted":1}}]}}}`, 'bad_message', 7, /"__proto__" is not accepted/],
    ['a constructor key', frame('leave', { constructor: { prototype: {} } }), 'bad_message', 7, /"constructor" is not accepted/],
    ['more items than maxJsonNodes', frame('ready', { rtpCapabilities: { codecs: Array.from({ length: 2100 }, () => 0) } }), 'bad_message', 7, /more than 2000 fields/],
    ['a negative layer', frame('setConsumerPreferredLayers', { consumerId: 'c', spatialLayer: -1 }), 'bad_request', 7, /^data\.spatialLayer: /],
  ];

  it.each(rejections)('rejects %s', (_name, text, code, id, message) => {
    const result = decodeFrame(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.id).toBe(id);
    expect(result.error.message).toMatch(message);
  });

  it('quotes at most a few short pieces of unknown keys, never a client\'s input in full', () => {
    const keys = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${i}${'k'.repeat(3000)}`, 1]));
    const result = decodeFrame(frame('leave', keys));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/^data: unexpected fields "0k+…", "1k+…", "2k+…" \(and 17 more\)$/);
    expect(result.error.message.length).toBeLessThan(250);
    const method = decodeFrame(frame('x'.repeat(60_000), {}));
    expect(!method.ok && method.error.message.length).toBeLessThan(400);
  });

  it('takes stricter depth limits as given', () => {
    const result = decodeFrame(frame('leave', { a: { b: { c: {} } } }), { maxJsonDepth: 2, maxJsonNodes: 100 });
    expect(!result.ok && result.error.message).toMatch(/^data\.a\.b: nested deeper than 2 levels/);
  });

  it('lists at most three problems and says how many more', () => {
    const result = decodeFrame(frame('produce', { transportId: 1, kind: 2, rtpParameters: 3, source: 4, paused: 5 }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/; .*; .*\(and 2 more\)$/);
  });
});
