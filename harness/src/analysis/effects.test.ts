import { describe, expect, it } from 'vitest';
import type { Point, Sample, SampleCallEvent, SampleEvent } from '../stats/types.ts';
import { EffectTracker, type Expectation } from './effects.ts';
import { AnalysisPipeline } from './pipeline.ts';

const T0 = 1_700_000_000_000;
const ROOM = 'call';

/** A sample of `participant` at T0 + `atMs` carrying these page events. */
function sample(participant: string, atMs: number, callEvents: Array<Omit<SampleCallEvent, 't'> & { at: number }> = [], extra: Partial<Sample> = {}): Sample {
  return {
    t: T0 + atMs,
    participant,
    group: participant.replace(/\[\d+\]$/, ''),
    values: {},
    streams: [],
    ...(callEvents.length > 0 ? { callEvents: callEvents.map(({ at, ...e }) => ({ ...e, t: T0 + at })) } : {}),
    ...extra,
  };
}

function stateEvents(list: Array<[at: number, pc: string, type: SampleEvent['type'], state: string]>): SampleEvent[] {
  return list.map(([at, pc, type, state]) => ({ t: T0 + at, pc, type, state }));
}

/**
 * Three participants in one room from T0; host[0] is peer 'ph', guests are 'pg0', 'pg1'. Samples
 * go through the pipeline, which builds the pages' observations the tracker reads.
 */
function setup(timeoutMs?: number): { tracker: EffectTracker; pipeline: AnalysisPipeline } {
  const tracker = new EffectTracker(timeoutMs === undefined ? {} : { timeoutMs });
  const pipeline = new AnalysisPipeline([tracker]);
  for (const p of ['host[0]', 'guests[0]', 'guests[1]']) pipeline.action({ type: 'presence', participant: p, room: ROOM, joined: true, atMs: T0 });
  return { tracker, pipeline };
}

const action = () => ({ do: 'screenShare', on: true });
const expectation = (a: object, over: Partial<Expectation>): Expectation => ({
  action: a,
  actor: 'host[0]',
  room: ROOM,
  peerIds: ['ph'],
  family: 'renegotiation',
  watch: { kind: 'firstFrame', source: 'screen' },
  atMs: T0 + 5000,
  ...over,
});
const metric = (points: Point[], name: string) => points.filter((p) => p.metric === name);

describe('EffectTracker: what the others saw', () => {
  it("times a screen share by each observer's first decoded frame of the sharer's new screen consumer", () => {
    const { tracker, pipeline } = setup();
    const a = action();
    tracker.expect(expectation(a, {}));
    // guests[0]: its camera consumer of the host (older) must not count, only the screen added after the start.
    const points = [
      ...pipeline.sample(
        sample('guests[0]', 6000, [
          { at: 100, type: 'consumerAdded', consumerId: 'cam', producerPeerId: 'ph', source: 'camera', kind: 'video' },
          { at: 300, type: 'firstFrame', consumerId: 'cam' },
          { at: 5120, type: 'consumerAdded', consumerId: 'scr', producerPeerId: 'ph', source: 'screen', kind: 'video' },
          { at: 5400, type: 'firstFrame', consumerId: 'scr' },
        ]),
      ),
      ...pipeline.sample(
        sample('guests[1]', 6100, [
          { at: 5130, type: 'consumerAdded', consumerId: 'scr2', producerPeerId: 'ph', source: 'screen', kind: 'video' },
          { at: 5650, type: 'firstFrame', consumerId: 'scr2' },
        ]),
      ),
    ];
    expect(tracker.effectsOf(a, 'host[0]')).toEqual([
      { observer: 'guests[0]', seen: 'firstFrame', seconds: 0.4 },
      { observer: 'guests[1]', seen: 'firstFrame', seconds: 0.65 },
    ]);
    expect(metric(points, 'renegotiation_seconds')).toEqual([
      { metric: 'renegotiation_seconds', value: 0.4, t: T0 + 5400, tags: { group: 'guests', participant: 'guests[0]' } },
      { metric: 'renegotiation_seconds', value: 0.65, t: T0 + 5650, tags: { group: 'guests', participant: 'guests[1]' } },
    ]);
  });

  it('waits for the observer\'s samples to pass the start before deciding, whatever the order they come in', () => {
    const { tracker, pipeline } = setup();
    const a = action();
    // The observer's events arrive first (a sample taken before the runner registered the action).
    pipeline.sample(
      sample('guests[0]', 5500, [
        { at: 5120, type: 'consumerAdded', consumerId: 'scr', producerPeerId: 'ph', source: 'screen', kind: 'video' },
        { at: 5300, type: 'firstFrame', consumerId: 'scr' },
      ]),
    );
    tracker.expect(expectation(a, { peerIds: ['ph'] }));
    // guests[1] has not sampled since the start: not decided yet.
    const points = pipeline.sample(sample('host[0]', 5600));
    expect(metric(points, 'renegotiation_seconds').map((p) => p.value)).toEqual([0.3]);
    expect(tracker.effectsOf(a, 'host[0]')).toEqual([
      { observer: 'guests[0]', seen: 'firstFrame', seconds: 0.3 },
      { observer: 'guests[1]', seen: 'firstFrame', seconds: null },
    ]);
  });

  it('times a removal when every consumer the observer had is gone, and a mute when every one is paused', () => {
    const { tracker, pipeline } = setup();
    const stop = { do: 'unpublish' };
    const mute = { do: 'mute' };
    pipeline.sample(
      sample('guests[0]', 1000, [
        { at: 100, type: 'consumerAdded', consumerId: 'm', producerPeerId: 'ph', source: 'mic', kind: 'audio' },
        { at: 110, type: 'consumerAdded', consumerId: 'c', producerPeerId: 'ph', source: 'camera', kind: 'video' },
      ]),
    );
    tracker.expect(expectation(stop, { watch: { kind: 'removed', source: 'camera' }, atMs: T0 + 2000 }));
    tracker.expect(expectation(mute, { watch: { kind: 'paused', source: 'mic' }, atMs: T0 + 3000 }));
    pipeline.sample(
      sample('guests[0]', 4000, [
        { at: 1500, type: 'consumerPaused', consumerId: 'm' }, // before the mute: not its effect
        { at: 2030, type: 'consumerRemoved', consumerId: 'c' },
        { at: 3012, type: 'consumerPaused', consumerId: 'm' },
      ]),
    );
    expect(tracker.effectsOf(stop, 'host[0]')?.find((e) => e.observer === 'guests[0]')).toEqual({ observer: 'guests[0]', seen: 'removed', seconds: 0.03 });
    expect(tracker.effectsOf(mute, 'host[0]')?.find((e) => e.observer === 'guests[0]')).toEqual({ observer: 'guests[0]', seen: 'paused', seconds: 0.012 });
  });

  it('fails an effect not seen within the wait, and counts it with the failed actions of the actor', () => {
    const { tracker, pipeline } = setup(2000);
    const a = action();
    tracker.actionFailed('host[0]');
    tracker.expect(expectation(a, { actor: 'host[0]' }));
    pipeline.sample(sample('guests[1]', 6000));
    const late = pipeline.sample(sample('guests[0]', 7100, [{ at: 5100, type: 'consumerAdded', consumerId: 's', producerPeerId: 'ph', source: 'screen', kind: 'video' }]));
    expect(tracker.effectsOf(a, 'host[0]')?.find((e) => e.observer === 'guests[0]')).toEqual({
      observer: 'guests[0]',
      seen: 'firstFrame',
      seconds: null,
      error: 'not seen within 2 s',
    });
    expect(metric(late, 'renegotiation_seconds')).toEqual([]);
    const counts = pipeline.sample(sample('host[0]', 7200));
    expect(metric(counts, 'action_failure_count_total')).toEqual([
      { metric: 'action_failure_count_total', value: 2, t: T0 + 7200, tags: { group: 'host', participant: 'host[0]' } },
    ]);
    // At the end: guests[1] never saw it either (its last sample was within the wait), but the wait is over.
    const end = pipeline.finish(T0 + 9000);
    expect(tracker.effectsOf(a, 'host[0]')?.find((e) => e.observer === 'guests[1]')?.error).toBe('not seen within 2 s');
    expect(metric(end, 'action_failure_count_total').map((p) => p.value)).toEqual([3]);
  });

  it('does not fail an effect the run ended too early to see', () => {
    const { tracker, pipeline } = setup();
    const a = action();
    tracker.expect(expectation(a, {}));
    expect(pipeline.finish(T0 + 6000)).toEqual([]);
    expect(tracker.effectsOf(a, 'host[0]')![0]!.error).toBe('the run ended 1 s after the action, before it was seen');
  });

  it('leaves out observers that were not in the room at the start, or left before seeing it', () => {
    const { tracker, pipeline } = setup();
    tracker.presence('late[0]', ROOM, true, T0 + 5500);
    tracker.presence('other[0]', 'elsewhere', true, T0);
    const a = action();
    tracker.expect(expectation(a, {}));
    tracker.presence('guests[1]', ROOM, false, T0 + 5200);
    // guests[1]'s own leave removes its consumers: that is not the host's action showing.
    pipeline.sample(sample('guests[1]', 5300, [{ at: 5250, type: 'peerLeft', peerId: 'ph' }]));
    expect(tracker.effectsOf(a, 'host[0]')!.map((e) => e.observer)).toEqual(['guests[0]']);
  });

  it('times a rejoin: the others see the old peer leave, then the new one\'s first frame', () => {
    const { tracker, pipeline } = setup();
    const rejoin = { do: 'rejoin' };
    tracker.presence('host[0]', ROOM, false, T0 + 10_000);
    tracker.expect(expectation(rejoin, { family: 'joinLeave', watch: { kind: 'left' }, atMs: T0 + 10_000, peerIds: ['ph'] }));
    tracker.presence('host[0]', ROOM, true, T0 + 10_900);
    tracker.expect(expectation(rejoin, { family: 'joinLeave', watch: { kind: 'firstFrame', source: 'camera' }, atMs: T0 + 10_500, peerIds: ['ph2'] }));
    const points = pipeline.sample(
      sample('guests[0]', 12_000, [
        { at: 10_040, type: 'peerLeft', peerId: 'ph' },
        { at: 10_600, type: 'peerJoined', peerId: 'ph2' },
        { at: 11_000, type: 'consumerAdded', consumerId: 'n', producerPeerId: 'ph2', source: 'camera', kind: 'video' },
        { at: 11_300, type: 'firstFrame', consumerId: 'n' },
      ]),
    );
    expect(tracker.effectsOf(rejoin, 'host[0]')!.filter((e) => e.observer === 'guests[0]')).toEqual([
      { observer: 'guests[0]', seen: 'left', seconds: 0.04 },
      { observer: 'guests[0]', seen: 'firstFrame', seconds: 0.8 },
    ]);
    expect(metric(points, 'remote_join_leave_seconds').map((p) => p.value)).toEqual([0.04, 0.8]);
  });
});

describe('EffectTracker: an actor that leaves again', () => {
  it('closes what it did when it leaves before the others saw it, without counting a failure', () => {
    const { tracker, pipeline } = setup();
    const rejoin = { do: 'rejoin' };
    tracker.expect(expectation(rejoin, { family: 'joinLeave', watch: { kind: 'firstFrame', source: 'camera' }, atMs: T0 + 10_000, peerIds: ['ph2'] }));
    // Its next turn starts 1.2 s later: guests[0] got the consumer but no frame yet.
    tracker.presence('host[0]', ROOM, false, T0 + 11_200);
    const points = pipeline.sample(
      sample('guests[0]', 12_000, [
        { at: 10_500, type: 'consumerAdded', consumerId: 'n', producerPeerId: 'ph2', source: 'camera', kind: 'video' },
        { at: 11_250, type: 'consumerRemoved', consumerId: 'n' },
      ]),
    );
    expect(tracker.effectsOf(rejoin, 'host[0]')!.find((e) => e.observer === 'guests[0]')).toEqual({
      observer: 'guests[0]',
      seen: 'firstFrame',
      seconds: null,
      error: 'host[0] left again 1.2 s after, before it was seen',
    });
    expect(metric(points, 'action_failure_count_total').map((p) => p.value)).toEqual([0]);
    expect(metric(pipeline.finish(T0 + 30_000), 'action_failure_count_total')).toEqual([]);
  });
});

describe('EffectTracker: ICE restarts', () => {
  const restarts = (list: Array<[at: number, pc: string, state: string]>) =>
    stateEvents(list.map(([at, pc, state]) => [at, pc, 'iceRestart', state]));

  it('times the action until every restarted connection has its new pair, and each connection on its own', () => {
    const { tracker, pipeline } = setup();
    const a = { do: 'iceRestart' };
    tracker.expect(expectation(a, { actor: 'guests[0]', watch: { kind: 'iceRestarted' }, atMs: T0 + 8000, readyAfterMs: T0 + 8040 }));
    // The first sample has the send connection's restart only: not ready (taken before the action returned).
    const early = pipeline.sample(sample('guests[0]', 8030, [], { events: restarts([[8010, 'pc0', 'started'], [8025, 'pc0', 'completed']]) }));
    expect(metric(early, 'renegotiation_seconds')).toEqual([]);
    expect(metric(early, 'ice_restart_seconds').map((p) => p.value)).toEqual([0.015]);
    const later = pipeline.sample(sample('guests[0]', 9000, [], { events: restarts([[8035, 'pc1', 'started'], [8210, 'pc1', 'completed']]) }));
    expect(metric(later, 'renegotiation_seconds').map((p) => p.value)).toEqual([0.21]);
    expect(metric(later, 'ice_restart_seconds').map((p) => p.value)).toEqual([0.175]);
    expect(tracker.effectsOf(a, 'guests[0]')).toEqual([{ observer: 'guests[0]', seen: 'iceRestarted', seconds: 0.21 }]);
  });

  it('waits for media to flow again when a gap is open when the new pairs are selected', () => {
    const { tracker, pipeline } = setup();
    const a = { do: 'iceRestart' };
    tracker.expect(expectation(a, { actor: 'guests[0]', watch: { kind: 'iceRestarted' }, atMs: T0 + 8000 }));
    pipeline.sample(sample('guests[0]', 9000, [], { events: restarts([[8010, 'pc0', 'started'], [8300, 'pc0', 'completed']]), inboundMedia: { lastPacketMs: T0 + 8100, interruptedSinceMs: T0 + 8100 } }));
    expect(tracker.effectsOf(a, 'guests[0]')![0]!.seconds).toBeNull();
    pipeline.sample(sample('guests[0]', 10_000, [], { values: { media_interruption_seconds: 1.5 }, inboundMedia: { lastPacketMs: T0 + 9990 } }));
    expect(tracker.effectsOf(a, 'guests[0]')![0]!.seconds).toBe(1.6);
  });
});
