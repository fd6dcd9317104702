// Runs timeline actions and tells the analysis (as action events) what each should make the others see: the
// action's start (the runner's clock just before it called the page), who was in the room, and
// what to wait for. It also keeps what each participant sends (its camera, screen share, muted
// sources), which decides what an action changes: changeCodec sends the camera again, a mute of a
// muted source changes nothing to wait for. A failed action counts as a failure; its error is
// the action's outcome, as for every action.
import type { Participant } from '../participants/participant.ts';
import type { PlannedAction, PlannedPublish, PlannedVideo } from '../scenario/plan.ts';
import { performAction, withCodec, type ActionContext } from './actions.ts';
import type { ActionEvent } from '../analysis/analyser.ts';
import type { EffectFamily, Watch } from '../analysis/effects.ts';

/** What a participant sends now. */
interface Sending {
  audio: boolean;
  camera: PlannedVideo | null;
  screen: boolean;
  muted: Set<string>;
}

export interface TrackedContext extends Omit<ActionContext, 'camera' | 'onRejoinLeg'> {
  /** What the participant's group publishes (its first join, and a rejoin without a publish of its own). */
  groupPublish: PlannedPublish;
}

export class TrackedActions {
  readonly #emit: (event: ActionEvent) => void;
  readonly #sending = new Map<string, Sending>();

  /** `emit` takes what the actions tell the analysis (analysis/pipeline.ts). */
  constructor(emit: (event: ActionEvent) => void) {
    this.#emit = emit;
  }

  #presence(participant: string, room: string, joined: boolean, atMs: number): void {
    this.#emit({ type: 'presence', participant, room, joined, atMs });
  }

  /** The participant joined `room` for the first time at `joinedMs` and published `publish`. */
  entered(participant: string, room: string, joinedMs: number, publish: PlannedPublish): void {
    this.#presence(participant, room, true, joinedMs);
    this.#sending.set(participant, sendingOf(publish));
  }

  /** The participant is gone for good (its page crashed): it sees nothing any more. */
  gone(participant: string, room: string): void {
    this.#presence(participant, room, false, Date.now());
  }

  /** Performs `action` for `p`, then registers what the others should see. Throws what the action threw. */
  async perform(p: Participant, action: PlannedAction, ctx: TrackedContext): Promise<void> {
    const startMs = Date.now();
    const sending = this.#sending.get(p.id) ?? sendingOf({ audio: false, video: null });
    this.#sending.set(p.id, sending);
    const peerIds = p.peerId ? [p.peerId] : [];
    const expect = (family: EffectFamily, watch: Watch, atMs = startMs, ids: readonly string[] = peerIds, readyAfterMs?: number) => {
      // A page that never said its peer id: nothing to match the others' events with.
      if (ids.length === 0 && watch.kind !== 'iceRestarted') return;
      this.#emit({ type: 'expect', expectation: { action, actor: p.id, room: ctx.room, peerIds: ids, family, watch, atMs, ...(readyAfterMs === undefined ? {} : { readyAfterMs }) } });
    };
    let joiningMs: number | undefined;
    if (action.do === 'leave') this.#presence(p.id, ctx.room, false, startMs);
    if (action.do === 'layers') this.#emit({ type: 'layersRequested', participant: p.id, atMs: startMs, spatial: action.spatial });
    try {
      await performAction(p, action, {
        ...ctx,
        camera: sending.camera,
        onRejoinLeg: (leg, atMs) => {
          if (leg === 'joining') {
            joiningMs = atMs;
            return;
          }
          this.#presence(p.id, ctx.room, false, atMs);
          Object.assign(sending, sendingOf({ audio: false, video: null }));
          expect('joinLeave', { kind: 'left' }, atMs);
        },
      });
    } catch (err) {
      this.#emit({ type: 'failed', participant: p.id });
      throw err;
    }
    const newIds = p.peerId ? [p.peerId] : [];
    switch (action.do) {
      case 'join':
        this.#presence(p.id, ctx.room, true, Date.now());
        expect('joinLeave', { kind: 'joined' }, startMs, newIds);
        return;
      case 'leave':
        Object.assign(sending, sendingOf({ audio: false, video: null }));
        expect('joinLeave', { kind: 'left' });
        return;
      case 'rejoin': {
        const publish = action.publish ?? ctx.groupPublish;
        this.#presence(p.id, ctx.room, true, Date.now());
        Object.assign(sending, sendingOf(publish));
        const watch: Watch = publish.video ? { kind: 'firstFrame', source: 'camera' } : publish.audio ? { kind: 'firstFrame', source: 'mic' } : { kind: 'joined' };
        expect('joinLeave', watch, joiningMs ?? startMs, newIds);
        return;
      }
      case 'publish':
        if (action.what.audio) sending.audio = true;
        if (action.what.video) sending.camera = action.what.video;
        for (const source of [...(action.what.audio ? ['mic'] : []), ...(action.what.video ? ['camera'] : [])]) sending.muted.delete(source);
        expect('renegotiation', { kind: 'firstFrame', source: action.what.video ? 'camera' : 'mic' });
        return;
      case 'unpublish':
        forget(sending, action.source);
        expect('renegotiation', { kind: 'removed', source: action.source });
        return;
      case 'screenShare':
        if (action.on) {
          sending.screen = true;
          expect('renegotiation', { kind: 'firstFrame', source: 'screen' });
        } else {
          forget(sending, 'screen');
          expect('renegotiation', { kind: 'removed', source: 'screen' });
        }
        return;
      case 'mute':
      case 'unmute': {
        const muted = action.do === 'mute';
        // The page does nothing for a source already in that state: nothing to see.
        if (sending.muted.has(action.source) === muted) return;
        if (muted) sending.muted.add(action.source);
        else sending.muted.delete(action.source);
        expect('renegotiation', { kind: muted ? 'paused' : 'resumed', source: action.source });
        return;
      }
      case 'switchCamera': {
        const camera = sending.camera;
        const width = action.width ?? camera?.width;
        const height = action.height ?? camera?.height;
        // Seen on the other side as a frame of the new size; the same size shows nothing to time.
        if (camera && (width !== camera.width || height !== camera.height)) expect('renegotiation', { kind: 'resized', source: 'camera' });
        if (camera) sending.camera = { ...camera, width: width ?? camera.width, height: height ?? camera.height, fps: action.fps ?? camera.fps };
        return;
      }
      case 'changeCodec':
        if (sending.camera) sending.camera = withCodec(sending.camera, action.codec);
        sending.muted.delete('camera');
        expect('renegotiation', { kind: 'firstFrame', source: 'camera' });
        return;
      case 'iceRestart':
        // Both connections restart one after the other: decide on samples taken after both began.
        expect('renegotiation', { kind: 'iceRestarted' }, startMs, peerIds, Date.now());
        return;
      case 'network':
      case 'layers':
      case 'forceTurn':
      case 'script':
        return;
    }
  }
}

function sendingOf(publish: PlannedPublish): Sending {
  return { audio: publish.audio, camera: publish.video, screen: false, muted: new Set() };
}

function forget(sending: Sending, source: string): void {
  if (source === 'mic') sending.audio = false;
  if (source === 'camera') sending.camera = null;
  if (source === 'screen') sending.screen = false;
  sending.muted.delete(source);
}
