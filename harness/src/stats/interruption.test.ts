import { describe, expect, it } from 'vitest';
import { deriveSample } from './derive.ts';
import { MIN_GAP_MS, OPUS_PACKET_MS, trackInboundMedia, type InboundMediaResult } from './interruption.ts';
import type { RawInboundRtp, RawSnapshot } from './raw.ts';
import type { InboundMediaState, Sample } from './types.ts';

const T0 = 1_700_000_000_000;

interface Flow {
  /** Packets arrive every `everyMs` from `fromMs` on (offsets from T0), except inside a gap. */
  kind: 'audio' | 'video';
  ssrc: number;
  everyMs: number;
  fromMs?: number;
  /** [start, end) windows without packets, ms from T0 (an outage). */
  gaps?: Array<[number, number]>;
  /** Packet arrival times (ms from T0) that are lost on the way. */
  lost?: Set<number>;
  /** Leave out lastPacketReceivedTimestamp, as a browser without it would. */
  noTimestamp?: boolean;
}

/** Arrival times of a flow's packets up to `untilMs` (inclusive). */
function arrivals(flow: Flow, untilMs: number): number[] {
  const out: number[] = [];
  for (let t = flow.fromMs ?? 0; t <= untilMs; t += flow.everyMs) {
    if (flow.gaps?.some(([a, b]) => t >= a && t < b)) continue;
    if (flow.lost?.has(t)) continue;
    out.push(t);
  }
  return out;
}

function stream(flow: Flow, atMs: number): RawInboundRtp {
  const got = arrivals(flow, atMs);
  const s: RawInboundRtp = { kind: flow.kind, ssrc: flow.ssrc, mid: String(flow.ssrc), packetsReceived: got.length };
  if (!flow.noTimestamp && got.length > 0) s.lastPacketReceivedTimestamp = T0 + got.at(-1)!;
  return s;
}

function snapshot(flows: Flow[], atMs: number, extra: Partial<RawSnapshot['pcs'][number]> = {}): RawSnapshot {
  return {
    v: 1,
    agentId: 'a1',
    tMs: T0 + atMs,
    marks: {},
    events: [],
    pcs: [
      {
        id: 'pc1',
        createdMs: T0 - 5000,
        connectionState: 'connected',
        iceConnectionState: 'connected',
        statsMs: T0 + atMs,
        inbound: flows.map((f) => stream(f, atMs)),
        outbound: [],
        remoteInbound: [],
        ...extra,
      },
    ],
  };
}

/** Runs trackInboundMedia over snapshots at `times` (ms from T0), carrying the state like derive.ts. */
function track(flows: Flow[], times: number[]): Array<InboundMediaResult & { atMs: number }> {
  const out: Array<InboundMediaResult & { atMs: number }> = [];
  let prev: RawSnapshot | undefined;
  let state: InboundMediaState | undefined;
  for (const t of times) {
    const cur = snapshot(flows, t);
    const r = trackInboundMedia(prev, cur, state);
    out.push({ ...r, atMs: t });
    prev = cur;
    state = r.state;
  }
  return out;
}

const seconds = (from: number, to: number, stepMs = 1000) => Array.from({ length: Math.floor((to - from) / stepMs) + 1 }, (_, i) => from + i * stepMs);
const audio = (over: Partial<Flow> = {}): Flow => ({ kind: 'audio', ssrc: 1, everyMs: OPUS_PACKET_MS, ...over });
const video = (over: Partial<Flow> = {}): Flow => ({ kind: 'video', ssrc: 2, everyMs: 33, ...over });
const ended = (rs: InboundMediaResult[]) => rs.flatMap((r) => (r.endedSeconds === undefined ? [] : [r.endedSeconds]));

describe('trackInboundMedia', () => {
  it('reports flowing media as 0 and no interruption', () => {
    const rs = track([audio(), video()], seconds(1000, 6000));
    expect(rs.map((r) => r.interrupted)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(ended(rs)).toEqual([]);
    expect(rs.at(-1)!.state).toEqual({ lastPacketMs: T0 + 6000 });
  });

  it('measures a 5 s outage from the last packet before it to the first after it', () => {
    // Nothing arrives in [2300, 7300): the last packet before is at 2280, the first after at 7300.
    const gaps: Array<[number, number]> = [[2300, 7300]];
    const rs = track([audio({ gaps }), video({ gaps })], seconds(1000, 10_000));
    expect(rs.map((r) => r.interrupted)).toEqual([0, 0, 1, 1, 1, 1, 1, 0, 0, 0]);
    // Open from the 3 s sample (720 ms without packets) until media is back at the 8 s one.
    expect(rs[2]!.state?.interruptedSinceMs).toBe(T0 + 2280);
    expect(rs[6]!.state?.interruptedSinceMs).toBe(T0 + 2280);
    expect(ended(rs)).toEqual([(7300 - 2280) / 1000]);
    expect(rs[7]!.endedSeconds).toBeDefined();
  });

  it('reads each audio packet lost after the gap as 20 ms more gap', () => {
    const gaps: Array<[number, number]> = [[2300, 7300]];
    const lost = new Set([7500, 7760]);
    const [measured] = ended(track([audio({ gaps, lost })], seconds(1000, 9000)));
    expect(measured).toBeCloseTo((7300 - 2280 + 2 * OPUS_PACKET_MS) / 1000, 6);
  });

  it('never opens a gap for loss alone, even heavy loss', () => {
    // Every other packet lost, and runs of 10 lost (200 ms): far below the 500 ms of silence needed.
    const lost = new Set<number>();
    for (let t = 0; t <= 10_000; t += OPUS_PACKET_MS) if (t % 40 === 0 || t % 1000 < 200) lost.add(t);
    const rs = track([audio({ lost })], seconds(1000, 10_000));
    expect(rs.every((r) => r.interrupted === 0)).toBe(true);
    expect(ended(rs)).toEqual([]);
  });

  it('catches a gap shorter than an interval when a sample falls 500 ms or more into it', () => {
    // [3400, 4100): the 4 s sample sees 620 ms without packets; media resumes before the next one.
    const rs = track([audio({ gaps: [[3400, 4100]] })], seconds(1000, 6000));
    expect(rs.map((r) => r.interrupted)).toEqual([0, 0, 0, 1, 0, 0]);
    expect(ended(rs)).toEqual([(4100 - 3380) / 1000]);
    // The same gap a little earlier ends before any sample is 500 ms into it: missed (documented).
    expect(ended(track([audio({ gaps: [[3000, 3700]] })], seconds(1000, 6000)))).toEqual([]);
  });

  it('ends a gap without audio at the start of the interval it ended in (up to one interval short)', () => {
    const [measured] = ended(track([video({ gaps: [[2310, 7300]] })], seconds(1000, 9000)));
    // The last video packet before is at 2277 (every 33 ms); the end is taken as the 7 s report.
    expect(measured).toBeCloseTo((7000 - 2277) / 1000, 6);
  });

  it('starts a gap at the report of the last interval with packets when the browser gives no timestamp', () => {
    const rs = track([audio({ gaps: [[2300, 7300]], noTimestamp: true })], seconds(1000, 9000));
    // Up to one interval late: from the 3 s report (which still counted packets) to 7300.
    expect(rs.find((r) => r.state?.interruptedSinceMs !== undefined)?.state?.interruptedSinceMs).toBe(T0 + 3000);
    expect(ended(rs)).toEqual([(7300 - 3000) / 1000]);
  });

  it('says nothing before the first packet, and nothing without inbound streams', () => {
    // Subscribed at 0 but media only starts at 3 s (e.g. the sender joined late): not a gap.
    const rs = track([audio({ fromMs: 3000 })], seconds(1000, 5000));
    expect(rs.map((r) => r.interrupted)).toEqual([undefined, undefined, 0, 0, 0]);
    expect(trackInboundMedia(undefined, snapshot([], 1000), undefined)).toEqual({ state: undefined });
    // A closed connection's streams do not count: leaving the call is not an interruption.
    const closed = snapshot([audio()], 2000, { closedMs: T0 + 1500, connectionState: 'closed' });
    expect(trackInboundMedia(snapshot([audio()], 1000), closed, { lastPacketMs: T0 + 1000 })).toEqual({ state: undefined });
  });

  it('never puts the end of a gap before the previous report, which saw no packet yet', () => {
    // A burst (TCP releasing held packets) would put the first packet far back: clamped.
    const prev = snapshot([audio({ gaps: [[2300, 9000]] })], 4000);
    const cur = snapshot([audio({ gaps: [[2300, 9000]] })], 5000);
    cur.pcs[0]!.inbound[0]!.packetsReceived! += 200;
    cur.pcs[0]!.inbound[0]!.lastPacketReceivedTimestamp = T0 + 4990;
    const r = trackInboundMedia(prev, cur, { lastPacketMs: T0 + 2280, interruptedSinceMs: T0 + 2280 });
    expect(r.endedSeconds).toBeCloseTo((4000 - 2280) / 1000, 6);
    expect(r.interrupted).toBe(0);
  });

  it('holds the minimum gap it documents', () => {
    expect(MIN_GAP_MS).toBe(500);
  });
});

describe('deriveSample carries interruptions from sample to sample', () => {
  it('gives media_interrupted each sample and media_interruption_seconds once, when media resumes', () => {
    const gaps: Array<[number, number]> = [[2300, 5300]];
    const flows = [audio({ gaps }), video({ gaps })];
    const samples: Sample[] = [];
    let prev: RawSnapshot | undefined;
    for (const t of seconds(1000, 7000)) {
      const cur = snapshot(flows, t);
      samples.push(deriveSample(prev, cur, { participant: 'viewers[0]', group: 'viewers', previous: samples.at(-1) }));
      prev = cur;
    }
    expect(samples.map((s) => s.values.media_interrupted)).toEqual([0, 0, 1, 1, 1, 0, 0]);
    expect(samples.flatMap((s) => s.values.media_interruption_seconds ?? [])).toEqual([(5300 - 2280) / 1000]);
    expect(samples[3]!.inboundMedia).toEqual({ lastPacketMs: T0 + 2280, interruptedSinceMs: T0 + 2280 });
  });
});
