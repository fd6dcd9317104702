import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reduceStats, type StatsEntry } from './reduce.ts';

// A real report of this machine's Chromium, so field names are the browser's, not our guess.
const fixture = JSON.parse(readFileSync(new URL('./chromium-stats.fixture.json', import.meta.url), 'utf8')) as {
  sender: StatsEntry[];
  receiver: StatsEntry[];
};

describe('reduceStats on a real Chromium report', () => {
  it('reduces the sender: outbound audio and video, RTCP reports and the selected pair', () => {
    const r = reduceStats(fixture.sender);
    expect(r.statsMs).toBe(1795686855155.872);
    expect(r.inbound).toEqual([]);
    const video = r.outbound.find((s) => s.kind === 'video');
    expect(video).toMatchObject({
      ssrc: 1024871658,
      mid: '1',
      bytesSent: 100245,
      framesEncoded: 82,
      framesSent: 82,
      frameWidth: 640,
      frameHeight: 360,
      qualityLimitationReason: 'none',
      qualityLimitationDurations: { bandwidth: 0, cpu: 0, none: 2.811, other: 0 },
      targetBitrate: 1700000,
      encoderImplementation: 'libvpx',
      scalabilityMode: 'L1T1',
      active: true,
      retransmittedBytesSent: 0,
    });
    const audio = r.outbound.find((s) => s.kind === 'audio');
    expect(audio).toMatchObject({ ssrc: 4288617717, mid: '0', bytesSent: 7571 });
    expect(audio).not.toHaveProperty('framesEncoded');
    expect(r.remoteInbound).toContainEqual({ kind: 'video', ssrc: 1024871658, roundTripTime: 0.001, fractionLost: 0, packetsLost: 0 });
    expect(r.pair).toEqual({
      currentRoundTripTime: 0.001,
      availableOutgoingBitrate: 3732307,
      bytesSent: 122369,
      bytesReceived: 4183,
      local: { type: 'host', protocol: 'udp', relayProtocol: undefined, address: 'fd00::2', port: 54132 },
      remote: { type: 'host', protocol: 'udp', relayProtocol: undefined, address: 'fd00::2', port: 46884 },
    });
  });

  it('reduces the receiver: inbound video and audio, and estimates the first frame time', () => {
    const r = reduceStats(fixture.receiver);
    const video = r.inbound.find((s) => s.kind === 'video')!;
    expect(video).toMatchObject({
      ssrc: 1024871658,
      mid: '1',
      bytesReceived: 100245,
      packetsReceived: 145,
      framesDecoded: 82,
      framesReceived: 82,
      framesDropped: 0,
      freezeCount: 0,
      totalFreezesDuration: 0,
      jitterBufferEmittedCount: 82,
      decoderImplementation: 'libvpx',
      trackIdentifier: 'c7c24be5-3367-4811-9fa9-dcbe31d9d5de',
    });
    // Report time minus totalInterFrameDelay (2.73 s).
    expect(video.firstFrameMs).toBeCloseTo(1795686855156.913 - 2730, 3);
    const audio = r.inbound.find((s) => s.kind === 'audio')!;
    expect(audio).toMatchObject({
      concealedSamples: 1920,
      totalSamplesReceived: 133920,
      jitterBufferEmittedCount: 133440,
      lastPacketReceivedTimestamp: 1795686855150.8171,
    });
    expect(audio).not.toHaveProperty('framesDecoded');
    expect(r.outbound).toEqual([]);
    expect(r.pair?.availableOutgoingBitrate).toBe(300000);
  });
});

describe('reduceStats on other shapes', () => {
  it('is empty for the report of a closed connection', () => {
    expect(reduceStats([{ id: 'P', type: 'peer-connection', timestamp: 5 }])).toEqual({
      statsMs: 5,
      inbound: [],
      outbound: [],
      remoteInbound: [],
      pair: undefined,
    });
  });

  it('finds the pair flagged `selected` when the transport names none', () => {
    const r = reduceStats([
      { id: 'CP1', type: 'candidate-pair', nominated: true, state: 'succeeded', localCandidateId: 'L1', remoteCandidateId: 'R1', currentRoundTripTime: 0.2 },
      { id: 'CP2', type: 'candidate-pair', selected: true, localCandidateId: 'L2', remoteCandidateId: 'R1', currentRoundTripTime: 0.1 },
      { id: 'L2', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tls', address: '10.1.1.1', port: 3 },
    ]);
    expect(r.pair?.currentRoundTripTime).toBe(0.1);
    expect(r.pair?.local).toMatchObject({ type: 'relay', relayProtocol: 'tls' });
    expect(r.pair?.remote).toEqual({});
  });

  it('ignores RTP entries without kind or ssrc, and non-numeric values', () => {
    const r = reduceStats([
      { id: 'x', type: 'inbound-rtp', ssrc: 1 },
      { id: 'y', type: 'inbound-rtp', kind: 'video', ssrc: 2, bytesReceived: 'lots', jitter: NaN },
    ]);
    expect(r.inbound).toHaveLength(1);
    expect(r.inbound[0]?.bytesReceived).toBeUndefined();
    expect(r.inbound[0]?.jitter).toBeUndefined();
  });

  it("leaves out mediasoup-client's padding-only probator stream, keeping real streams", () => {
    const r = reduceStats([
      { id: 'p', type: 'inbound-rtp', kind: 'video', ssrc: 1234, mid: 'probator', packetsReceived: 90, framesDecoded: 0 },
      { id: 'v', type: 'inbound-rtp', kind: 'video', ssrc: 5, mid: '1', packetsReceived: 900, framesDecoded: 0 },
    ]);
    expect(r.inbound.map((s) => s.ssrc)).toEqual([5]);
  });
});
