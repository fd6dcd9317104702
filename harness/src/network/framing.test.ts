import { describe, expect, it } from 'vitest';
import { frame, FrameReader } from './framing.ts';

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
