// RFC 4571 framing (ICE-TCP, as mediasoup and Chromium speak it): each packet on the stream is
// a 2-byte big-endian length followed by that many bytes. The relay shapes whole frames, so a
// delay or a pause never splits a packet, and re-sends each frame with its prefix unchanged.

export const FRAME_HEADER_BYTES = 2;

/** Cuts a byte stream into frames; `push` returns the complete frames (header included). */
export class FrameReader {
  #pending: Buffer | null = null;

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.#pending?.length ?? 0;
  }

  push(chunk: Buffer): Buffer[] {
    const data = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    const frames: Buffer[] = [];
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_BYTES) {
      const end = offset + FRAME_HEADER_BYTES + data.readUInt16BE(offset);
      if (end > data.length) break;
      frames.push(data.subarray(offset, end));
      offset = end;
    }
    this.#pending = offset < data.length ? data.subarray(offset) : null;
    return frames;
  }
}

/** Prefixes a payload with its RFC 4571 length. */
export function frame(payload: Buffer): Buffer {
  if (payload.length > 0xffff) throw new RangeError(`an RFC 4571 frame holds at most 65535 bytes (got ${payload.length})`);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt16BE(payload.length, 0);
  payload.copy(out, FRAME_HEADER_BYTES);
  return out;
}
