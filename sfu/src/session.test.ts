// A Session against a fake socket: the limits it enforces by itself (rate, join deadline, unread
// replies, echoed text), without a worker. Joins and rooms are covered end to end in test/e2e.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Session, type SessionContext, type SessionSocket } from './session.ts';
import { DEFAULT_SIGNALING_LIMITS } from './limits.ts';
import type { RoomRegistry } from './rooms.ts';
import type { Response } from './protocol.ts';

class FakeSocket implements SessionSocket {
  readonly sent: Response[] = [];
  bufferedAmount = 0;
  closed: { code: number; reason: string } | undefined;
  terminated = false;
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Response);
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
  terminate(): void {
    this.terminated = true;
  }
  errors(): { code: string; message: string }[] {
    return this.sent.flatMap((r) => (r.ok ? [] : [r.error]));
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function session(limits: Partial<typeof DEFAULT_SIGNALING_LIMITS> = {}) {
  const socket = new FakeSocket();
  const ctx: SessionContext = {
    rooms: {} as RoomRegistry,
    tokenSecret: undefined,
    maxTokenLifetimeSeconds: 3600,
    turn: undefined,
    limits: { ...DEFAULT_SIGNALING_LIMITS, ...limits },
    logger: silent,
    onOutcome: () => {},
  };
  return { socket, session: new Session(socket, ctx, 'test') };
}

const frame = (text: string) => Buffer.from(text, 'utf8');
const leave = (id: number) => frame(JSON.stringify({ kind: 'request', id, method: 'leave', data: {} }));

describe('Session limits', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('takes a burst, then refuses the first message over the rate with rate_limited and closes (1008)', async () => {
    const { socket, session: s } = session({ messagesPerSecond: 10, messageBurst: 5 });
    for (let i = 1; i <= 7; i++) s.handleFrame(leave(i), false);
    await vi.advanceTimersByTimeAsync(0);
    const codes = socket.errors().map((e) => e.code);
    // The 6th frame is refused at once; the 5 queued before it are dropped with the socket.
    expect(codes).toEqual(['rate_limited']);
    expect(socket.errors()[0]!.message).toMatch(/more than 10 messages per second \(burst 5\)/);
    expect(socket.closed).toEqual({ code: 1008, reason: 'rate_limited' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.terminated).toBe(true);
  });

  it('closes a socket that has not joined within joinTimeoutMs, after saying so', async () => {
    const { socket } = session({ joinTimeoutMs: 500 });
    await vi.advanceTimersByTimeAsync(499);
    expect(socket.closed).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sent).toEqual([{ kind: 'response', id: null, ok: false, error: { code: 'join_timeout', message: expect.stringMatching(/no join within 500 ms/) } }]);
    expect(socket.closed).toEqual({ code: 1008, reason: 'join_timeout' });
  });

  it('terminates (not closes) a socket whose client leaves replies unread past maxBufferedBytes', () => {
    const { socket, session: s } = session({ maxBufferedBytes: 64 * 1024 });
    socket.bufferedAmount = 64 * 1024 + 1;
    s.handleFrame(frame('not json'), false);
    expect(socket.terminated).toBe(true);
    expect(socket.closed).toBeUndefined();
    expect(socket.sent).toEqual([]);
    s.handleFrame(frame('not json'), false); // a closed session ignores the rest
    expect(socket.sent).toEqual([]);
  });

  it('never echoes more than maxErrorMessageChars of a client\'s input', () => {
    const { socket, session: s } = session({ maxErrorMessageChars: 120 });
    const keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}-${'x'.repeat(1000)}`, i]));
    s.handleFrame(frame(JSON.stringify({ kind: 'request', id: 1, method: 'join', data: { roomId: 'r', ...keys } })), false);
    s.handleFrame(frame(JSON.stringify({ kind: 'request', id: 2, method: 'y'.repeat(60_000), data: {} })), false);
    for (const error of socket.errors()) expect(error.message.length).toBeLessThanOrEqual(120);
    expect(socket.errors().map((e) => e.code)).toEqual(['bad_request', 'unknown_method']);
  });
});
