import { describe, expect, it } from 'vitest';
import { frame, frameLength, FrameReader } from './framing.ts';

describe('RFC 4571 framing', () => {
  it('cuts frames split across chunks and packed in one chunk', () => {
    const a = frame(Buffer.from('hello'));
    const b = frame(Buffer.alloc(300, 7));
    const c = frame(Buffer.alloc(0));
    const stream = Buffer.concat([a, b, c]);
    const reader = new FrameReader();
    const out = [...reader.push(stream.subarray(0, 1)), ...reader.push(stream.subarray(1, 9)), ...reader.push(stream.subarray(9))];
    expect(out.map((f) => f.toString('hex'))).toEqual([a, b, c].map((f) => f.toString('hex')));
    expect(reader.bufferedBytes).toBe(0);
  });

  it('holds an incomplete frame back', () => {
    const reader = new FrameReader();
    expect(reader.push(frame(Buffer.alloc(10)).subarray(0, 6))).toEqual([]);
    expect(reader.bufferedBytes).toBe(6);
  });

  it('refuses payloads longer than the prefix can say', () => {
    expect(() => frame(Buffer.alloc(70_000))).toThrow(/at most 65535/);
  });
});

describe('TURN stream framings', () => {
  /** A STUN message: type, length of the attributes, magic cookie, transaction id, attributes. */
  const stun = (attrBytes: number) => {
    const m = Buffer.alloc(20 + attrBytes, 1);
    m.writeUInt16BE(0x0003, 0);
    m.writeUInt16BE(attrBytes, 2);
    m.writeUInt32BE(0x2112a442, 4);
    return m;
  };
  /** ChannelData over TCP: channel, length, data padded to a multiple of 4. */
  const channelData = (dataBytes: number) => {
    const m = Buffer.alloc(4 + Math.ceil(dataBytes / 4) * 4, 2);
    m.writeUInt16BE(0x4001, 0);
    m.writeUInt16BE(dataBytes, 2);
    return m;
  };
  const tlsRecord = (type: number, bytes: number) => {
    const m = Buffer.alloc(5 + bytes, 3);
    m.writeUInt8(type, 0);
    m.writeUInt16BE(0x0303, 1);
    m.writeUInt16BE(bytes, 3);
    return m;
  };
  const cut = (reader: FrameReader, stream: Buffer, step: number) => {
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += step) out.push(...reader.push(stream.subarray(i, i + step)));
    return out.map((f) => f.length);
  };

  it('cuts STUN messages and padded ChannelData (TURN over TCP)', () => {
    const stream = Buffer.concat([stun(12), channelData(5), channelData(8), stun(0)]);
    expect(cut(new FrameReader('stun'), stream, 3)).toEqual([32, 12, 12, 20]);
    // The same bytes read as RFC 4571 would wait for a length that never comes.
    expect(new FrameReader('rfc4571').push(stream).reduce((n, f) => n + f.length, 0)).toBeLessThan(stream.length);
  });

  it('cuts TLS records', () => {
    const stream = Buffer.concat([tlsRecord(22, 517), tlsRecord(20, 1), tlsRecord(23, 1400)]);
    expect(cut(new FrameReader('tls'), stream, 100)).toEqual([522, 6, 1405]);
  });

  it('passes bytes of another protocol on instead of holding them', () => {
    const garbage = Buffer.from([0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa]);
    expect(new FrameReader('stun').push(garbage).map((f) => f.length)).toEqual([6]);
    expect(new FrameReader('tls').push(garbage).map((f) => f.length)).toEqual([6]);
    expect(frameLength('stun', Buffer.from([0, 1]), 0)).toBeUndefined();
  });
});
