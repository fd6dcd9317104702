import { describe, expect, it } from 'vitest';
import { deriveSample, firstFrameBaseMs } from './derive.ts';
import type { RawInboundRtp, RawOutboundRtp, RawPeerConnection, RawSnapshot } from './raw.ts';
import { samplePoints, type Sample } from './types.ts';

const ctx = { participant: 'viewers[0]', group: 'viewers' };
const T0 = 1_700_000_000_000;

function pc(statsMs: number, parts: Partial<RawPeerConnection> = {}): RawPeerConnection {
  return {
    id: 'pc0',
    createdMs: T0 - 5000,
    connectionState: 'connected',
    iceConnectionState: 'connected',
    statsMs,
    inbound: [],
    outbound: [],
    remoteInbound: [],
    ...parts,
  };
}

function snap(tMs: number, pcs: RawPeerConnection[], extra: Partial<RawSnapshot> = {}): RawSnapshot {
  return { v: 1, agentId: 'a1', tMs, marks: {}, pcs, events: [], ...extra };
}

/** An inbound video stream that has run `s` seconds at 30 fps and 1000 kbps (125 000 bytes/s). */
function videoIn(s: number, over: Partial<RawInboundRtp> = {}): RawInboundRtp {
  return {
    kind: 'video',
    ssrc: 1111,
    mid: '1',
    bytesReceived: 125_000 * s,
    packetsReceived: 100 * s,
    packetsLost: 0,
    jitter: 0.004,
    framesDecoded: 30 * s,
    framesDropped: 0,
    frameWidth: 640,
    frameHeight: 360,
    freezeCount: 0,
    totalFreezesDuration: 0,
    jitterBufferDelay: 0.05 * 30 * s,
    jitterBufferEmittedCount: 30 * s,
    nackCount: 0,
    pliCount: 0,
    firCount: 0,
    ...over,
  };
}

function videoOut(s: number, over: Partial<RawOutboundRtp> = {}): RawOutboundRtp {
  return {
    kind: 'video',
    ssrc: 2222,
    mid: '0',
    bytesSent: 62_500 * s,
    packetsSent: 60 * s,
    framesEncoded: 30 * s,
    framesSent: 30 * s,
    frameWidth: 1280,
    frameHeight: 720,
    qualityLimitationReason: 'none',
    qualityLimitationDurations: { none: s, cpu: 0, bandwidth: 0, other: 0 },
    nackCount: 0,
    pliCount: 0,
    firCount: 0,
    targetBitrate: 600_000,
    active: true,
    ...over,
  };
}

/** Derives a chain of snapshots the way the collector does; returns every sample. */
function chain(snaps: RawSnapshot[]): Sample[] {
  const out: Sample[] = [];
  let prev: RawSnapshot | undefined;
  for (const s of snaps) {
    out.push(deriveSample(prev, s, { ...ctx, previous: out[out.length - 1] }));
    prev = s;
  }
  return out;
}

const stream = (sample: Sample, id: string) => sample.streams.find((s) => s.id === id);

describe('deriveSample: steady rates', () => {
  it('turns counter deltas into per-second figures over the real report interval', () => {
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10)], outbound: [videoOut(10)] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(11)], outbound: [videoOut(11)] })]),
    ]);
    const inV = stream(second!, 'pc0/in/video/1')!.values;
    expect(inV.video_recv_bitrate_kbps).toBeCloseTo(1000);
    expect(inV.video_recv_fps).toBeCloseTo(30);
    expect(inV.recv_loss_percent).toBe(0);
    expect(inV.recv_jitter_ms).toBeCloseTo(4);
    expect(inV.recv_jitter_buffer_delay_ms).toBeCloseTo(50);
    expect(inV.video_recv_width_px).toBe(640);
    expect(inV.video_recv_frames_dropped_per_second).toBe(0);
    const outV = stream(second!, 'pc0/out/video/0')!.values;
    expect(outV.video_send_bitrate_kbps).toBeCloseTo(500);
    expect(outV.video_send_fps).toBeCloseTo(30);
    expect(outV.video_send_target_bitrate_kbps).toBe(600);
    expect(outV.video_send_quality_limited_bandwidth_percent).toBe(0);
    expect(second!.values.send_bitrate_kbps).toBeCloseTo(500);
    expect(second!.values.recv_bitrate_kbps).toBeCloseTo(1000);
    expect(second!.intervalMs).toBe(1000);
  });

  it('uses the stats report times, not the nominal interval', () => {
    // 1.5 s of data collected 1.5 s apart: still 1000 kbps, 30 fps.
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10)] })]),
      snap(T0 + 1500, [pc(T0 + 1500, { inbound: [videoIn(11.5)] })]),
    ]);
    expect(stream(second!, 'pc0/in/video/1')!.values.video_recv_bitrate_kbps).toBeCloseTo(1000);
    expect(stream(second!, 'pc0/in/video/1')!.values.video_recv_fps).toBeCloseTo(30);
  });

  it('computes NACK/PLI/FIR, dropped frames and quality limitation per interval', () => {
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10, { nackCount: 5, pliCount: 1, framesDropped: 2 })], outbound: [videoOut(10)] })]),
      snap(T0 + 2000, [
        pc(T0 + 2000, {
          inbound: [videoIn(12, { nackCount: 25, pliCount: 3, firCount: 2, framesDropped: 8 })],
          outbound: [
            videoOut(12, {
              nackCount: 10,
              qualityLimitationReason: 'bandwidth',
              qualityLimitationDurations: { none: 10.5, cpu: 0.5, bandwidth: 1, other: 0 },
            }),
          ],
        }),
      ]),
    ]);
    const inV = stream(second!, 'pc0/in/video/1')!.values;
    expect(inV.video_recv_nacks_per_second).toBe(10);
    expect(inV.video_recv_plis_per_second).toBe(1);
    expect(inV.video_recv_firs_per_second).toBe(1);
    expect(inV.video_recv_frames_dropped_per_second).toBe(3);
    const out = stream(second!, 'pc0/out/video/0')!;
    expect(out.values.video_send_nacks_per_second).toBe(5);
    expect(out.values.video_send_quality_limited_bandwidth_percent).toBe(50);
    expect(out.values.video_send_quality_limited_cpu_percent).toBe(25);
    expect(out.meta?.qualityLimitationReason).toBe('bandwidth');
  });
});

describe('deriveSample: the browser', () => {
  it("names the browser, and never carries what its stats cannot give (Firefox's fields, should one appear)", () => {
    const firefox = { ...ctx, browser: 'firefox' as const };
    // Firefox's reports as measured: no targetBitrate, no quality limitation, no bandwidth estimate.
    const lean = (s: number) => videoOut(s, { targetBitrate: undefined, qualityLimitationReason: undefined, qualityLimitationDurations: undefined });
    const pair = { currentRoundTripTime: 0.01, availableOutgoingBitrate: 2_000_000, local: {}, remote: {} };
    const first = deriveSample(undefined, snap(T0, [pc(T0, { outbound: [lean(10)], pair })]), firefox);
    const second = deriveSample(snap(T0, [pc(T0, { outbound: [lean(10)], pair })]), snap(T0 + 1000, [pc(T0 + 1000, { outbound: [lean(11)], pair })]), { ...firefox, previous: first });
    expect(second.browser).toBe('firefox');
    const out = stream(second, 'pc0/out/video/0')!.values;
    expect(out.video_send_fps).toBe(30);
    expect(out.video_send_target_bitrate_kbps).toBeUndefined();
    expect(out.video_send_quality_limited_cpu_percent).toBeUndefined();
    // Reported here, yet not a figure Firefox gives: dropped rather than trusted.
    expect(second.values.available_outgoing_bitrate_kbps).toBeUndefined();
    expect(samplePoints(second).every((p) => p.tags.browser === 'firefox')).toBe(true);
    // Chromium's, and a sample that names no browser (older runs), keep it.
    const chromium = deriveSample(undefined, snap(T0, [pc(T0, { outbound: [videoOut(10)], pair })]), ctx);
    expect(chromium.browser).toBeUndefined();
    expect(chromium.values.available_outgoing_bitrate_kbps).toBe(2000);
    expect(samplePoints(chromium)[0]!.tags).toEqual({ group: 'viewers', participant: 'viewers[0]' });
  });
});

describe('deriveSample: first sample and streams that come and go', () => {
  it('gives gauges and totals but no rates on the first sample', () => {
    const first = deriveSample(undefined, snap(T0, [pc(T0, { inbound: [videoIn(10, { freezeCount: 2, totalFreezesDuration: 0.7 })] })]), ctx);
    const v = stream(first, 'pc0/in/video/1')!.values;
    expect(v.video_recv_bitrate_kbps).toBeUndefined();
    expect(v.video_recv_fps).toBeUndefined();
    expect(v.recv_loss_percent).toBeUndefined();
    expect(v.video_recv_width_px).toBe(640);
    expect(v.recv_jitter_ms).toBeCloseTo(4);
    expect(v.video_freeze_count_total).toBe(2);
    expect(v.video_freeze_seconds_total).toBe(0.7);
    expect(first.intervalMs).toBeUndefined();
    expect(first.values.recv_bitrate_kbps).toBeUndefined();
    expect(first.values.connected).toBe(1);
  });

  it('gives a new stream no rate in its first sample, and drops a stream that disappeared', () => {
    const audio: RawInboundRtp = { kind: 'audio', ssrc: 3333, mid: '2', bytesReceived: 4000, packetsReceived: 50, packetsLost: 0 };
    const [, second, third] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10)] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(11), audio] })]),
      snap(T0 + 2000, [pc(T0 + 2000, { inbound: [{ ...audio, bytesReceived: 8000, packetsReceived: 100 }] })]),
    ]);
    expect(stream(second!, 'pc0/in/audio/2')!.values.audio_recv_bitrate_kbps).toBeUndefined();
    expect(stream(second!, 'pc0/in/video/1')!.values.video_recv_bitrate_kbps).toBeCloseTo(1000);
    expect(third!.streams.map((s) => s.id)).toEqual(['pc0/in/audio/2']);
    expect(stream(third!, 'pc0/in/audio/2')!.values.audio_recv_bitrate_kbps).toBeCloseTo(32);
    expect(third!.values.recv_bitrate_kbps).toBeCloseTo(32);
  });

  it('divides by the real elapsed time across missed collects', () => {
    // Collects at t=1 s and t=2 s failed: the next sample covers 3 s.
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10, { freezeCount: 0 })] })]),
      snap(T0 + 3000, [pc(T0 + 3000, { inbound: [videoIn(13, { framesDecoded: 300 + 60 })] })]),
    ]);
    const v = stream(second!, 'pc0/in/video/1')!.values;
    expect(v.video_recv_bitrate_kbps).toBeCloseTo(1000);
    expect(v.video_recv_fps).toBeCloseTo(20);
    expect(second!.intervalMs).toBe(3000);
  });

  it('gives no rates when a report did not advance (a cached getStats result)', () => {
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10)] })]),
      snap(T0 + 20, [pc(T0, { inbound: [videoIn(10)] })]),
    ]);
    expect(stream(second!, 'pc0/in/video/1')!.values.video_recv_fps).toBeUndefined();
    expect(stream(second!, 'pc0/in/video/1')!.values.video_recv_width_px).toBe(640);
  });
});

describe('deriveSample: counter resets', () => {
  it('treats a counter that went down as restarted from 0, never a negative rate', () => {
    // Renegotiation: the stream restarted; 0.5 s of data in its new counters.
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10)] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(0.5)] })]),
    ]);
    const v = stream(second!, 'pc0/in/video/1')!.values;
    expect(v.video_recv_bitrate_kbps).toBeCloseTo(500);
    expect(v.video_recv_fps).toBeCloseTo(15);
    for (const value of Object.values(v)) expect(value).toBeGreaterThanOrEqual(0);
  });

  it('treats a new ssrc under the same mid as a restart even when its counters are larger', () => {
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10)] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(0.2, { ssrc: 9999, bytesReceived: 125_000 * 12 })] })]),
    ]);
    // Counted from 0, not as 2 s of growth on the old ssrc's counter.
    expect(stream(second!, 'pc0/in/video/1')!.values.video_recv_bitrate_kbps).toBeCloseTo(12_000);
    expect(stream(second!, 'pc0/in/video/1')!.values.video_recv_fps).toBeCloseTo(6);
  });

  it('clamps a shrinking packetsLost (late packets) at zero loss instead of restarting it', () => {
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10, { packetsLost: 40 })] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(11, { packetsLost: 38 })] })]),
    ]);
    expect(stream(second!, 'pc0/in/video/1')!.values.recv_loss_percent).toBe(0);
  });

  it('starts everything afresh when the page got a new agent (navigation)', () => {
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10, { freezeCount: 3 })] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(11, { freezeCount: 1 })] })], { agentId: 'b2' }),
    ]);
    const v = stream(second!, 'pc0/in/video/1')!.values;
    expect(v.video_recv_fps).toBeUndefined();
    expect(v.video_freeze_count_total).toBe(1);
    expect(second!.intervalMs).toBeUndefined();
  });
});

describe('deriveSample: loss, freezes, audio', () => {
  it('computes loss over received + lost in the interval', () => {
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10, { packetsLost: 10 })] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(11, { packetsLost: 35, packetsReceived: 1000 + 75 })] })]),
    ]);
    // 75 received + 25 lost.
    expect(stream(second!, 'pc0/in/video/1')!.values.recv_loss_percent).toBeCloseTo(25);
  });

  it('gives no loss figure when no packet was expected, and 100 % when all were lost', () => {
    const paused = videoIn(10);
    const [, idle, allLost] = chain([
      snap(T0, [pc(T0, { inbound: [paused] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [paused] })]),
      snap(T0 + 2000, [pc(T0 + 2000, { inbound: [{ ...paused, packetsLost: 20 }] })]),
    ]);
    expect(stream(idle!, 'pc0/in/video/1')!.values.recv_loss_percent).toBeUndefined();
    expect(stream(idle!, 'pc0/in/video/1')!.values.video_recv_fps).toBe(0);
    expect(stream(allLost!, 'pc0/in/video/1')!.values.recv_loss_percent).toBe(100);
  });

  it('accumulates freeze totals from deltas, across a counter restart', () => {
    const samples = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10, { freezeCount: 1, totalFreezesDuration: 0.4 })] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(11, { freezeCount: 2, totalFreezesDuration: 0.9 })] })]),
      // The stream restarted (new ssrc) and froze once more since.
      snap(T0 + 2000, [pc(T0 + 2000, { inbound: [videoIn(0.5, { ssrc: 5, freezeCount: 1, totalFreezesDuration: 0.3 })] })]),
      snap(T0 + 3000, [pc(T0 + 3000, { inbound: [videoIn(1.5, { ssrc: 5, freezeCount: 1, totalFreezesDuration: 0.3 })] })]),
    ]);
    const totals = samples.map((s) => stream(s, 'pc0/in/video/1')!.values);
    expect(totals.map((v) => v.video_freeze_count_total)).toEqual([1, 2, 3, 3]);
    expect(totals.map((v) => Number(v.video_freeze_seconds_total?.toFixed(6)))).toEqual([0.4, 0.9, 1.2, 1.2]);
  });

  it('keeps the longest freeze so far, from the freezes that ended in each interval', () => {
    const samples = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(10)] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(11, { freezeCount: 1, totalFreezesDuration: 1.2 })] })]),
      // Two freezes ended in one interval: their average is all that can be told.
      snap(T0 + 2000, [pc(T0 + 2000, { inbound: [videoIn(12, { freezeCount: 3, totalFreezesDuration: 2 })] })]),
      snap(T0 + 3000, [pc(T0 + 3000, { inbound: [videoIn(13, { freezeCount: 4, totalFreezesDuration: 3.5 })] })]),
    ]);
    expect(samples.map((s) => Math.round(stream(s, 'pc0/in/video/1')!.values.video_freeze_max_ms!))).toEqual([0, 1200, 1200, 1500]);
  });

  it('computes audio concealment and jitter-buffer delay per emitted sample', () => {
    const a = (concealed: number, received: number, jbDelay: number): RawInboundRtp => ({
      kind: 'audio',
      ssrc: 7,
      mid: '0',
      bytesReceived: received / 10,
      packetsReceived: received / 480,
      packetsLost: 0,
      concealedSamples: concealed,
      totalSamplesReceived: received,
      jitterBufferDelay: jbDelay,
      jitterBufferEmittedCount: received,
    });
    const [, second] = chain([
      snap(T0, [pc(T0, { inbound: [a(0, 480_000, 9600)] })]),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [a(4800, 528_000, 9600 + 48_000 * 0.04)] })]),
    ]);
    const v = stream(second!, 'pc0/in/audio/0')!.values;
    expect(v.audio_concealment_percent).toBeCloseTo(10);
    expect(v.recv_jitter_buffer_delay_ms).toBeCloseTo(40);
    expect(v.audio_recv_bitrate_kbps).toBeCloseTo(38.4);
    expect(v.video_recv_fps).toBeUndefined();
  });
});

describe('deriveSample: connection figures', () => {
  it('reports RTTs, the available bitrate of sending connections and the selected pairs', () => {
    const send = pc(T0, {
      id: 'pc0',
      outbound: [videoOut(10)],
      remoteInbound: [{ kind: 'video', ssrc: 2222, roundTripTime: 0.042, fractionLost: 0.02 }],
      pair: {
        currentRoundTripTime: 0.04,
        availableOutgoingBitrate: 2_500_000,
        local: { type: 'relay', protocol: 'udp', relayProtocol: 'tcp', address: '10.0.0.1', port: 5000 },
        remote: { type: 'host', protocol: 'udp', address: 'fd00::2', port: 40000 },
      },
    });
    const recv = pc(T0, {
      id: 'pc1',
      inbound: [videoIn(10)],
      pair: { currentRoundTripTime: 0.055, availableOutgoingBitrate: 300_000, local: { type: 'host' }, remote: { type: 'host' } },
    });
    const s = deriveSample(undefined, snap(T0, [send, recv]), ctx);
    expect(s.values.rtt_ms).toBeCloseTo(55);
    // The receive-only connection's estimate says nothing about sending media.
    expect(s.values.available_outgoing_bitrate_kbps).toBe(2500);
    expect(stream(s, 'pc0/out/video/0')!.values.rtcp_rtt_ms).toBeCloseTo(42);
    expect(stream(s, 'pc0/out/video/0')!.values.send_loss_percent).toBeCloseTo(2);
    expect(s.pairs).toEqual([
      { pc: 'pc0', localType: 'relay', remoteType: 'host', protocol: 'udp', relayProtocol: 'tcp', localAddress: '10.0.0.1:5000', remoteAddress: '[fd00::2]:40000' },
      { pc: 'pc1', localType: 'host', remoteType: 'host' },
    ]);
    expect(s.values.peer_connections).toBe(2);
    expect(s.values.connected).toBe(1);
  });

  it('is connected when a connection is and none failed; closed and not-yet-used ones do not count', () => {
    const closed = pc(T0, { id: 'pc2', closedMs: T0 - 1, connectionState: 'closed' });
    const idle = pc(T0, { id: 'pc1', connectionState: 'new' });
    const ok = deriveSample(undefined, snap(T0, [pc(T0, { id: 'pc0' }), idle, closed]), ctx);
    expect(ok.values.connected).toBe(1);
    expect(ok.values.peer_connections).toBe(2);
    const failed = deriveSample(undefined, snap(T0, [pc(T0, { id: 'pc0' }), { ...idle, connectionState: 'failed' }]), ctx);
    expect(failed.values.connected).toBe(0);
    const disconnected = deriveSample(undefined, snap(T0, [pc(T0, { id: 'pc0', connectionState: 'disconnected' })]), ctx);
    expect(disconnected.values.connected).toBe(0);
    expect(deriveSample(undefined, snap(T0, [idle]), ctx).values.connected).toBe(0);
    expect(deriveSample(undefined, snap(T0, []), ctx).values.connected).toBe(0);
  });

  it('emits time to connected and first frame once, from the join mark', () => {
    const marks = { join: T0 - 3000 };
    const [first, second, third] = chain([
      snap(T0, [pc(T0, { inbound: [videoIn(0, { framesDecoded: 0 })] })], { marks, firstPcCreatedMs: T0 - 2900 }),
      snap(T0 + 1000, [pc(T0 + 1000, { inbound: [videoIn(1, { firstFrameMs: T0 + 400 })] })], { marks, firstPcCreatedMs: T0 - 2900, firstConnectedMs: T0 - 2500 }),
      snap(T0 + 2000, [pc(T0 + 2000, { inbound: [videoIn(2, { firstFrameMs: T0 + 400 })] })], { marks, firstPcCreatedMs: T0 - 2900, firstConnectedMs: T0 - 2500 }),
    ]);
    expect(first!.values.time_to_connected_ms).toBeUndefined();
    expect(stream(first!, 'pc0/in/video/1')!.values.join_to_first_frame_ms).toBeUndefined();
    expect(second!.values.time_to_connected_ms).toBe(500);
    expect(stream(second!, 'pc0/in/video/1')!.values.join_to_first_frame_ms).toBe(3400);
    expect(third!.values.time_to_connected_ms).toBeUndefined();
    expect(stream(third!, 'pc0/in/video/1')!.values.join_to_first_frame_ms).toBeUndefined();
  });

  it('falls back to the first peer connection when the page never marked join', () => {
    const s = deriveSample(
      undefined,
      snap(T0, [pc(T0, { inbound: [videoIn(1, { firstFrameMs: T0 - 200 })] })], { firstPcCreatedMs: T0 - 1000, firstConnectedMs: T0 - 700 }),
      ctx,
    );
    expect(s.values.time_to_connected_ms).toBe(300);
    expect(stream(s, 'pc0/in/video/1')!.values.join_to_first_frame_ms).toBe(800);
  });

  it('times first frames after a rejoin from the latest join, on the new connections only', () => {
    const marks = { join: T0 - 60_000 };
    const latestMarks = { join: T0 - 2000 };
    const old = pc(T0, { id: 'pc0', createdMs: T0 - 59_000, closedMs: T0 - 3000, connectionState: 'closed' });
    // pc2 (receiving) connected after its first track arrived: offered while reconnecting.
    const recv = pc(T0, { id: 'pc2', createdMs: T0 - 1900, connectedMs: T0 - 1500, inbound: [videoIn(1, { trackMs: T0 - 1600, firstFrameMs: T0 - 1200 })] });
    // A stream offered a while after the rejoined connection connected counts from its arrival.
    const later = pc(T0, { id: 'pc3', createdMs: T0 - 1800, connectedMs: T0 - 1400, inbound: [videoIn(1, { mid: '2', trackMs: T0 - 700, firstFrameMs: T0 - 500 })] });
    const s = deriveSample(undefined, snap(T0, [old, recv, later], { marks, latestMarks, firstConnectedMs: T0 - 59_500 }), ctx);
    expect(stream(s, 'pc2/in/video/1')!.values).toMatchObject({ rejoin_to_first_frame_ms: 800 });
    expect(stream(s, 'pc2/in/video/1')!.values.join_to_first_frame_ms).toBeUndefined();
    expect(stream(s, 'pc3/in/video/2')!.values).toMatchObject({ join_to_first_frame_ms: 200 });
    expect(stream(s, 'pc3/in/video/2')!.values.rejoin_to_first_frame_ms).toBeUndefined();
  });

  it('reports the most transceivers and m-lines of any open connection', () => {
    const s = deriveSample(
      undefined,
      snap(T0, [
        pc(T0, { id: 'pc0', transceivers: 2, mlines: 2 }),
        pc(T0, { id: 'pc1', transceivers: 9, mlines: 7 }),
        pc(T0, { id: 'pc2', transceivers: 30, mlines: 30, closedMs: T0 - 10, connectionState: 'closed' }),
      ]),
      ctx,
    );
    expect(s.values).toMatchObject({ pc_transceiver_count: 9, sdp_mline_count: 7 });
    expect(deriveSample(undefined, snap(T0, [pc(T0)]), ctx).values.pc_transceiver_count).toBeUndefined();
  });

  it('passes the call events on with their times', () => {
    const call = { consumers: [], layerEvents: [], events: [{ tMs: T0 - 5, type: 'firstFrame' as const, consumerId: 'c1', kind: 'video' as const }] };
    const s = deriveSample(undefined, snap(T0, [pc(T0)], { call }), ctx);
    expect(s.callEvents).toEqual([{ t: T0 - 5, type: 'firstFrame', consumerId: 'c1', kind: 'video' }]);
  });

  it('passes state changes on as events', () => {
    const s = deriveSample(undefined, snap(T0, [pc(T0)], { events: [{ tMs: T0 - 10, pc: 'pc0', type: 'connection', state: 'connected' }] }), ctx);
    expect(s.events).toEqual([{ t: T0 - 10, pc: 'pc0', type: 'connection', state: 'connected' }]);
  });
});

describe('deriveSample: stream ids', () => {
  it('names simulcast layers by rid, and legacy layers without rid by ssrc', () => {
    const s = deriveSample(
      undefined,
      snap(T0, [
        pc(T0, { id: 'pc0', outbound: [videoOut(1, { rid: 'q', ssrc: 1 }), videoOut(1, { rid: 'h', ssrc: 2 })] }),
        pc(T0, { id: 'pc1', outbound: [videoOut(1, { ssrc: 3 }), videoOut(1, { ssrc: 4 })] }),
      ]),
      ctx,
    );
    expect(s.streams.map((x) => x.id)).toEqual(['pc0/out/video/0/q', 'pc0/out/video/0/h', 'pc1/out/video/0/s3', 'pc1/out/video/0/s4']);
    expect(s.streams[0]!.rid).toBe('q');
  });

  it('refuses a snapshot of another agent version, saying what to do', () => {
    const bad = { ...snap(T0, []), v: 2 } as unknown as RawSnapshot;
    expect(() => deriveSample(undefined, bad, ctx)).toThrow(/expected 1: install the agent/);
  });
});

describe('firstFrameBaseMs', () => {
  it('times a stream offered while connecting from the join', () => {
    expect(firstFrameBaseMs({ trackMs: 1_150 }, 1_000, 1_300)).toBe(1_000);
  });
  it('times a stream offered after the participant had connected from its arrival', () => {
    expect(firstFrameBaseMs({ trackMs: 5_000 }, 1_000, 1_300)).toBe(5_000);
  });
  it('falls back to the join when the arrival or the connection time is unknown', () => {
    expect(firstFrameBaseMs({}, 1_000, 1_300)).toBe(1_000);
    expect(firstFrameBaseMs({ trackMs: 5_000 }, 1_000, undefined)).toBe(1_000);
  });
});

describe('deriveSample: the sender of stamped video', () => {
  const stamped = { framesRendered: 30, framesRead: 30, latencySumMs: 2400, framesSkipped: 0, framesRepeated: 0, freezeCount: 0, freezeSumMs: 0, freezeMaxMs: 0 };
  const senders = new Map([[3, 'presenter[0]']]);

  it('names the participant whose number the frames carry, and keeps the number in meta', () => {
    const s = deriveSample(undefined, snap(T0, [pc(T0, { inbound: [videoIn(1, { stamped: { ...stamped, sender: 3 } })] })]), { ...ctx, stampSenders: senders });
    expect(s.streams[0]?.from).toBe('presenter[0]');
    expect(s.streams[0]?.meta?.stampSender).toBe(3);
    expect(s.streams[0]?.values.video_e2e_latency_ms).toBe(80);
  });

  it('leaves it out for a number the run does not know, unstamped video and a run without numbers', () => {
    const unknown = deriveSample(undefined, snap(T0, [pc(T0, { inbound: [videoIn(1, { stamped: { ...stamped, sender: 9 } })] })]), { ...ctx, stampSenders: senders });
    expect(unknown.streams[0]).not.toHaveProperty('from');
    const plain = deriveSample(undefined, snap(T0, [pc(T0, { inbound: [videoIn(1)] })]), { ...ctx, stampSenders: senders });
    expect(plain.streams[0]).not.toHaveProperty('from');
    const none = deriveSample(undefined, snap(T0, [pc(T0, { inbound: [videoIn(1, { stamped: { ...stamped, sender: 3 } })] })]), ctx);
    expect(none.streams[0]).not.toHaveProperty('from');
  });
});
