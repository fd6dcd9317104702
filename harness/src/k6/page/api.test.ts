// The page side's sampling, run in Node on hand-made snapshots: what a k6 VU records per interval.
import { describe, expect, it } from 'vitest';
import type { RawSnapshot } from '../../stats/raw.ts';
import { createSampler } from './api.ts';

const T0 = 1_700_000_000_000;

/** One connection receiving a 640x360 video that has run `s` seconds at 30 fps and 1000 kbps. */
function snapshot(s: number): RawSnapshot {
  const statsMs = T0 + s * 1000;
  return {
    v: 1,
    agentId: 'a1',
    tMs: statsMs,
    marks: { join: T0 - 2000 },
    firstPcCreatedMs: T0 - 1900,
    firstConnectedMs: T0 - 1500,
    events: [],
    pcs: [
      {
        id: 'pc0',
        createdMs: T0 - 1900,
        connectedMs: T0 - 1500,
        connectionState: 'connected',
        iceConnectionState: 'connected',
        statsMs,
        inbound: [
          {
            kind: 'video',
            ssrc: 1111,
            mid: '1',
            bytesReceived: 125_000 * s,
            packetsReceived: 100 * s,
            packetsLost: 0,
            framesDecoded: 30 * s,
            frameWidth: 640,
            frameHeight: 360,
            freezeCount: 0,
            totalFreezesDuration: 0,
            firstFrameMs: T0 - 1000,
          },
        ],
        outbound: [],
        remoteInbound: [],
      },
    ],
  };
}

describe('page side sampling', () => {
  it('records our metric names with the tags group, participant and, per stream, stream, kind and direction', async () => {
    const snapshots = [snapshot(1), snapshot(2)];
    const sample = createSampler(async () => snapshots.shift()!);
    const who = { participant: 'callers[1]', group: 'callers' };
    const first = await sample(who);
    // No rates on the first sample, but the join's figures are there.
    expect(first.find((p) => p.metric === 'video_recv_fps')).toBeUndefined();
    expect(first.find((p) => p.metric === 'join_to_first_frame_ms')).toMatchObject({ value: 1000 });
    expect(first.find((p) => p.metric === 'time_to_connected_ms')).toEqual({ metric: 'time_to_connected_ms', value: 500, tags: { group: 'callers', participant: 'callers[1]' } });

    const second = await sample(who);
    expect(second.find((p) => p.metric === 'video_recv_fps')).toEqual({
      metric: 'video_recv_fps',
      value: 30,
      tags: { group: 'callers', participant: 'callers[1]', stream: 'pc0/in/video/1', kind: 'video', direction: 'in' },
    });
    expect(second.find((p) => p.metric === 'video_recv_bitrate_kbps')?.value).toBe(1000);
    expect(second.find((p) => p.metric === 'connected')?.value).toBe(1);
    // Tags are strings, as k6's metric.add() wants them.
    for (const p of [...first, ...second]) for (const v of Object.values(p.tags)) expect(typeof v).toBe('string');
  });
});
