import { describe, expect, it } from 'vitest';
import { describeCounts, expectedCounts, leaveAndCount, parseSfuCounts, type CallMember } from './sfu-check.ts';

const metrics = (c: { rooms: number; peers: number; send: number; recv: number; audio: number; video: number; ca: number; cv: number }) =>
  [
    '# HELP rtc_sfu_rooms open rooms, by worker',
    '# TYPE rtc_sfu_rooms gauge',
    `rtc_sfu_rooms{worker="0"} ${c.rooms}`,
    'rtc_sfu_rooms{worker="1"} 0',
    `rtc_sfu_peers ${c.peers}`,
    'rtc_sfu_ws_connections 9',
    `rtc_sfu_transports{direction="send"} ${c.send}`,
    `rtc_sfu_transports{direction="recv"} ${c.recv}`,
    `rtc_sfu_producers{kind="audio"} ${c.audio}`,
    `rtc_sfu_producers{kind="video"} ${c.video}`,
    `rtc_sfu_consumers{kind="audio"} ${c.ca}`,
    `rtc_sfu_consumers{kind="video"} ${c.cv}`,
    'rtc_sfu_consumer_score_mean{kind="audio"} 10',
    'rtc_sfu_transport_bitrate_bps{direction="in"} 12345',
  ].join('\n');

describe('the SFU leak check', () => {
  it("reads the SFU's counts from its metrics, summed over labels", () => {
    expect(parseSfuCounts(metrics({ rooms: 1, peers: 3, send: 3, recv: 3, audio: 3, video: 2, ca: 6, cv: 4 }))).toEqual({
      rooms: 1,
      peers: 3,
      transports: 6,
      producers: 5,
      consumers: 10,
    });
  });

  it('expects every peer to consume every other producer of its room', () => {
    expect(
      expectedCounts([
        { room: 'a', producers: 2 },
        { room: 'a', producers: 2 },
        { room: 'a', producers: 0 },
        { room: 'b', producers: 1 },
      ]),
    ).toEqual({ rooms: 2, peers: 4, transports: 8, producers: 5, consumers: 2 + 2 + 4 + 0 });
  });

  it('checks the counts with everyone in, makes everyone leave, and waits for the SFU to empty', async () => {
    const left: string[] = [];
    const page = (id: string, producers: number) =>
      ({
        id,
        invoke: async (method: string) => (method === 'state' ? { producers: Array.from({ length: producers }) } : undefined),
        leave: async () => void left.push(id),
      }) as unknown as CallMember;
    // The SFU still has a consumer being created at the first read, and takes two reads to empty.
    const reads = [
      metrics({ rooms: 1, peers: 2, send: 2, recv: 2, audio: 2, video: 1, ca: 2, cv: 0 }),
      metrics({ rooms: 1, peers: 2, send: 2, recv: 2, audio: 2, video: 1, ca: 2, cv: 1 }),
      metrics({ rooms: 1, peers: 1, send: 1, recv: 1, audio: 1, video: 1, ca: 0, cv: 0 }),
      metrics({ rooms: 0, peers: 0, send: 0, recv: 0, audio: 0, video: 0, ca: 0, cv: 0 }),
    ];
    let i = 0;
    const check = await leaveAndCount(
      [
        { participant: page('a[0]', 2), room: 'r' },
        { participant: page('a[1]', 1), room: 'r' },
      ],
      async () => reads[Math.min(i++, reads.length - 1)]!,
      { pollMs: 1 },
    );
    expect(left.sort()).toEqual(['a[0]', 'a[1]']);
    expect(check).toMatchObject({
      beforeLeave: {
        counts: { rooms: 1, peers: 2, transports: 4, producers: 3, consumers: 3 },
        expected: { rooms: 1, peers: 2, transports: 4, producers: 3, consumers: 3 },
      },
      afterLeave: { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 },
      leftAtEnd: 2,
      leaked: false,
    });
  });

  it('reports a page the SFU dropped from its room as dropped, not as a leak, and does not ask it to leave', async () => {
    const left: string[] = [];
    const page = (id: string, state: Record<string, unknown>) =>
      ({ id, invoke: async () => state, leave: async () => void left.push(id) }) as unknown as CallMember;
    const dropped = { joined: false, producers: [], lastError: { message: 'signaling closed while in room r: socket closed (code 1011)' } };
    // The SFU holds only the page still in the room (a peer, 2 transports, its 2 producers, nothing to consume), then nothing.
    const reads = [metrics({ rooms: 1, peers: 1, send: 1, recv: 1, audio: 1, video: 1, ca: 0, cv: 0 }), metrics({ rooms: 0, peers: 0, send: 0, recv: 0, audio: 0, video: 0, ca: 0, cv: 0 })];
    let i = 0;
    const check = await leaveAndCount(
      [
        { participant: page('a[0]', dropped), room: 'r' },
        { participant: page('a[1]', { joined: true, producers: [1, 2] }), room: 'r' },
      ],
      async () => reads[Math.min(i++, reads.length - 1)]!,
      { pollMs: 1, matchTimeoutMs: 50 },
    );
    expect(left).toEqual(['a[1]']);
    expect(check).toMatchObject({ leaked: false, leftAtEnd: 1, dropped: [{ id: 'a[0]', reason: 'signaling closed while in room r: socket closed (code 1011)' }] });
    expect(check.beforeLeave.expected).toEqual({ rooms: 1, peers: 1, transports: 2, producers: 2, consumers: 0 });
  });

  it('calls it a leak when the SFU holds more than the pages account for, or anything after they left', async () => {
    const page = { invoke: async () => ({ producers: [1] }), leave: async () => {} } as unknown as CallMember;
    const held = metrics({ rooms: 1, peers: 1, send: 1, recv: 1, audio: 1, video: 0, ca: 3, cv: 0 });
    const check = await leaveAndCount([{ participant: page, room: 'r' }], async () => held, { matchTimeoutMs: 30, timeoutMs: 30, pollMs: 5 });
    expect(check.leaked).toBe(true);
    expect(describeCounts(check.afterLeave)).toBe('1 room, 1 peer, 2 transports, 1 producer, 3 consumers');
    expect(describeCounts({ rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 })).toBe('nothing');
  });
});
