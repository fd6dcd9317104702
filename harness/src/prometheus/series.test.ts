import { describe, expect, it } from 'vitest';
import { samplePoints, type Sample, type StreamSample } from '../stats/types.ts';
import { OTHER_PARTICIPANT, SeriesState, type SeriesView } from './series.ts';

const RUN = { run: 'r1', scenario: 's' };

function sample(participant: string, t: number, streams: StreamSample[] = [], values: Sample['values'] = {}, group = 'callers'): Sample {
  return { t, participant, group, values, streams };
}
const inVideo = (id: string, values: StreamSample['values']): StreamSample => ({ id, kind: 'video', direction: 'in', values });

function feed(state: SeriesState, s: Sample): void {
  state.ingest({ id: s.participant, group: s.group, t: s.t }, samplePoints(s));
}
function values(view: SeriesView, name: string, filter: Record<string, string> = {}): number[] {
  return (view.get(name) ?? []).filter((s) => Object.entries(filter).every(([k, v]) => s.labels[k as keyof typeof s.labels] === v)).map((s) => s.value);
}

describe('SeriesState', () => {
  it('labels by scope, never by stream id, and reduces streams that share labels (gauge mean, counter sum)', () => {
    const state = new SeriesState(RUN);
    feed(
      state,
      sample('callers[0]', 1000, [inVideo('pc1/in/video/1', { video_recv_fps: 30, video_freeze_seconds_total: 1 }), inVideo('pc1/in/video/2', { video_recv_fps: 10, video_freeze_seconds_total: 2 })], { rtt_ms: 40 }),
    );
    const view = state.view();
    expect(view.get('rtc_video_recv_fps')).toEqual([
      { labels: { ...RUN, group: 'callers', participant: 'callers[0]', kind: 'video', direction: 'in' }, value: 20 },
    ]);
    expect(values(view, 'rtc_video_freeze_seconds_total')).toEqual([3]);
    expect(view.get('rtc_rtt_ms')).toEqual([{ labels: { ...RUN, group: 'callers', participant: 'callers[0]' }, value: 40 }]);
    expect(values(view, 'rtc_streams', { kind: 'video', direction: 'in' })).toEqual([2]);
    for (const list of view.values()) for (const s of list) expect(s.labels).not.toHaveProperty('stream');
  });

  it('keeps simulcast layers apart by rid', () => {
    const state = new SeriesState(RUN);
    const layer = (rid: string, kbps: number): StreamSample => ({ id: `pc0/out/video/0/${rid}`, kind: 'video', direction: 'out', rid, values: { video_send_bitrate_kbps: kbps } });
    feed(state, sample('p', 1000, [layer('r0', 100), layer('r1', 400)]));
    expect(values(state.view(), 'rtc_video_send_bitrate_kbps').sort()).toEqual([100, 400]);
    expect(values(state.view(), 'rtc_video_send_bitrate_kbps', { rid: 'r1' })).toEqual([400]);
  });

  it('labels stamped video metrics with their sender (from), and only those', () => {
    const state = new SeriesState(RUN);
    const from = (id: string, sender: string, ms: number): StreamSample => ({ ...inVideo(id, { video_e2e_latency_ms: ms, video_recv_fps: 30 }), from: sender });
    feed(state, sample('viewers[0]', 1000, [from('a', 'presenter[0]', 80), from('b', 'presenter[1]', 120)], {}, 'viewers'));
    const view = state.view();
    expect(values(view, 'rtc_video_e2e_latency_ms', { from: 'presenter[0]' })).toEqual([80]);
    expect(values(view, 'rtc_video_e2e_latency_ms', { from: 'presenter[1]' })).toEqual([120]);
    // Other stream metrics keep their labels: the two streams reduce into one series.
    expect(view.get('rtc_video_recv_fps')).toEqual([{ labels: { ...RUN, group: 'viewers', participant: 'viewers[0]', kind: 'video', direction: 'in' }, value: 30 }]);
  });

  it('labels the first N senders and folds the rest into from="_other"', () => {
    const state = new SeriesState(RUN, { maxParticipantsPerGroup: 2 });
    const streams = [0, 1, 2, 3].map((i): StreamSample => ({ ...inVideo(`s${i}`, { video_e2e_latency_ms: 100 + i }), from: `callers[${i}]` }));
    feed(state, sample('viewers[0]', 1000, streams, {}, 'viewers'));
    const series = state.view().get('rtc_video_e2e_latency_ms') ?? [];
    expect(series.map((s) => [s.labels.from, s.value])).toEqual([
      ['callers[0]', 100],
      ['callers[1]', 101],
      [OTHER_PARTICIPANT, 102.5],
    ]);
  });

  it('replaces gauges with each sample but keeps events and counters of streams that ended', () => {
    const state = new SeriesState(RUN);
    feed(state, sample('p', 1000, [inVideo('a', { video_recv_fps: 30, join_to_first_frame_ms: 900, video_freeze_seconds_total: 2 })]));
    feed(state, sample('p', 2000, [inVideo('b', { video_recv_fps: 25, join_to_first_frame_ms: 300, video_freeze_seconds_total: 1 })]));
    const view = state.view();
    expect(values(view, 'rtc_video_recv_fps')).toEqual([25]);
    // The slowest first frame; the freeze total still counts the stream that ended.
    expect(values(view, 'rtc_join_to_first_frame_ms')).toEqual([900]);
    expect(values(view, 'rtc_video_freeze_seconds_total')).toEqual([3]);
    expect(values(view, 'rtc_streams')).toEqual([1]);
  });

  it('labels the first N participants of each group and folds the rest into _other, per group', () => {
    const state = new SeriesState(RUN, { maxParticipantsPerGroup: 2 });
    for (let i = 0; i < 5; i++) feed(state, sample(`viewers[${i}]`, 1000, [], { recv_bitrate_kbps: 100 * (i + 1) }, 'viewers'));
    feed(state, sample('presenter[0]', 1000, [], { recv_bitrate_kbps: 7 }, 'presenter'));
    const view = state.view();
    const participants = (view.get('rtc_recv_bitrate_kbps') ?? []).map((s) => `${s.labels.group}/${s.labels.participant}=${s.value}`).sort();
    // The mean of viewers 2..4 (300, 400, 500); the lone presenter is never folded.
    expect(participants).toEqual(['presenter/presenter[0]=7', 'viewers/_other=400', 'viewers/viewers[0]=100', 'viewers/viewers[1]=200']);
    expect(view.get('rtc_exporter_folded_participants')).toEqual([{ labels: { ...RUN, group: 'viewers' }, value: 3 }]);
  });

  it('bounds the series count whatever the number of participants', () => {
    const count = (n: number) => {
      const state = new SeriesState(RUN, { maxParticipantsPerGroup: 3 });
      for (let i = 0; i < n; i++) feed(state, sample(`v[${i}]`, 1000, [inVideo(`s${i}`, { video_recv_fps: 30 })], { rtt_ms: i }));
      return [...state.view().values()].reduce((sum, list) => sum + list.length, 0);
    };
    expect(count(200)).toBe(count(4));
    expect(count(4)).toBeGreaterThan(count(2));
    expect(new Set(state200Participants())).toEqual(new Set(['v[0]', 'v[1]', 'v[2]', OTHER_PARTICIPANT]));
    function state200Participants(): string[] {
      const state = new SeriesState(RUN, { maxParticipantsPerGroup: 3 });
      for (let i = 0; i < 200; i++) feed(state, sample(`v[${i}]`, 1000, [], { rtt_ms: i }));
      return (state.view().get('rtc_rtt_ms') ?? []).map((s) => s.labels.participant ?? '');
    }
  });

  it('drops a participant that stopped sampling, measured against the newest sample', () => {
    const state = new SeriesState(RUN, { staleAfterMs: 5000 });
    feed(state, sample('crashed', 1000, [], { rtt_ms: 1 }));
    feed(state, sample('alive', 1000, [], { rtt_ms: 2 }));
    feed(state, sample('alive', 5500, [], { rtt_ms: 3 }));
    expect(values(state.view(), 'rtc_rtt_ms').sort()).toEqual([1, 3]);
    feed(state, sample('alive', 6500, [], { rtt_ms: 4 }));
    expect(values(state.view(), 'rtc_rtt_ms')).toEqual([4]);
  });

  it('exports the run scope without participant labels, keeping the last value of each metric', () => {
    const state = new SeriesState(RUN);
    const runTags = { group: '_run', participant: '_run' };
    state.ingest(null, [{ metric: 'host_cpu_percent', value: 50, t: 1, tags: runTags }, { metric: 'harness_cpu_percent', value: 5, t: 1, tags: runTags }]);
    state.ingest(null, [{ metric: 'harness_cpu_percent', value: 6, t: 2, tags: runTags }]);
    const view = state.view();
    expect(view.get('rtc_host_cpu_percent')).toEqual([{ labels: RUN, value: 50 }]);
    expect(view.get('rtc_harness_cpu_percent')).toEqual([{ labels: RUN, value: 6 }]);
  });

  it("keeps participant points sent outside a sample (a link's ground truth) until replaced", () => {
    const state = new SeriesState(RUN);
    const tags = { group: 'callers', participant: 'callers[0]' };
    state.ingest(null, [{ metric: 'link_down_loss_percent', value: 3, t: 900, tags }]);
    feed(state, sample('callers[0]', 1000, [], { rtt_ms: 5 }));
    feed(state, sample('callers[0]', 2000, [], { rtt_ms: 6 }));
    expect(state.view().get('rtc_link_down_loss_percent')).toEqual([{ labels: { ...RUN, ...tags }, value: 3 }]);
    state.ingest(null, [{ metric: 'link_down_loss_percent', value: 1, t: 2100, tags }]);
    expect(values(state.view(), 'rtc_link_down_loss_percent')).toEqual([1]);
  });

  it('rejects a negative limit', () => {
    expect(() => new SeriesState(RUN, { maxParticipantsPerGroup: -1 })).toThrow('maxParticipantsPerGroup');
  });
});
