// RFC 4571 framing (ICE-TCP, as mediasoup and Chromium speak it): each packet on the stream is
// a 2-byte big-endian length followed by that many bytes. The relay shapes whole frames, so a
// delay or a pause never splits a packet, and re-sends each frame with its prefix unchanged.
// A TURN server's TCP stream is cut differently (see TcpFraming), so a route says which it carries.

export const FRAME_HEADER_BYTES = 2;

/**
 * How a route's TCP stream is cut into packets:
 * - 'rfc4571': a 2-byte length prefix (ICE-TCP to the SFU).
 * - 'stun': TURN over TCP (RFC 5766 §11.5): STUN messages (20-byte header, length in bytes 2-3)
 *   and ChannelData (first byte 0x40-0x7F, 4-byte header, padded to a multiple of 4).
 * - 'tls': TLS records (5-byte header, length in bytes 3-4), e.g. TURN over TLS.
 */
export type TcpFraming = 'rfc4571' | 'stun' | 'tls';

export const TCP_FRAMINGS: readonly TcpFraming[] = ['rfc4571', 'stun', 'tls'];

/**
 * Length of the frame starting at `offset` (header included), undefined while its header is
 * incomplete, or -1 when the bytes are not of this framing (the rest is passed on unframed, so
 * an unexpected stream is never held back forever).
 */
export function frameLength(framing: TcpFraming, data: Buffer, offset: number): number | undefined {
  const available = data.length - offset;
  switch (framing) {
    case 'rfc4571':
      return available < FRAME_HEADER_BYTES ? undefined : FRAME_HEADER_BYTES + data.readUInt16BE(offset);
    case 'stun': {
      if (available < 4) return undefined;
      const top = (data[offset] as number) >> 6;
      const length = data.readUInt16BE(offset + 2);
      if (top === 0) return 20 + length;
      if (top === 1) return 4 + Math.ceil(length / 4) * 4;
      return -1;
    }
    case 'tls': {
      if (available < 5) return undefined;
      const type = data[offset] as number;
      // change_cipher_spec, alert, handshake, application_data, heartbeat.
      if (type < 20 || type > 24) return -1;
      return 5 + data.readUInt16BE(offset + 3);
    }
  }
}

/** Cuts a byte stream into frames; `push` returns the complete frames (header included). */
export class FrameReader {
  readonly #framing: TcpFraming;
  #pending: Buffer | null = null;

  constructor(framing: TcpFraming = 'rfc4571') {
    this.#framing = framing;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.#pending?.length ?? 0;
  }

  push(chunk: Buffer): Buffer[] {
    const data = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    const frames: Buffer[] = [];
    let offset = 0;
    while (offset < data.length) {
      const length = frameLength(this.#framing, data, offset);
      if (length === undefined) break;
      const end = length < 0 ? data.length : offset + length;
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
