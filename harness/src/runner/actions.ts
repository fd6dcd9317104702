// What each timeline action does to a participant, through its page adapter's hooks. Adding an
// action means adding a case here, in the scenario's types and in pages/adapter.ts's hooksFor();
// the compiler checks the rest.
import { setTimeout as delay } from 'node:timers/promises';
import type { PlannedAction, PlannedNetwork, PlannedPublish, PlannedVideo } from '../scenario/plan.ts';
import type { Participant } from '../participants/participant.ts';
import type { HookName, PageAdapter } from '../pages/adapter.ts';

export interface ActionContext {
  room: string;
  /** Applies a network change to the participant's link; absent when the run has no links. */
  setNetwork?: (participantId: string, set: PlannedNetwork) => Promise<void>;
  /** Leaves the participant only TURN over a transport (its link's access rules); absent without TURN. */
  forceTurn?: (participantId: string, transport: 'udp' | 'tcp' | 'tls') => Promise<void>;
  /** The camera the participant sends now (changeCodec sends it again with another codec); null or absent: none. */
  camera?: PlannedVideo | null;
  /** What the participant's group publishes: a rejoin without a publish of its own sends it again. */
  groupPublish?: PlannedPublish;
  /** A rejoin between its legs: its leave succeeded (`at`: when it started), its join is about to start. */
  onRejoinLeg?: (leg: 'left' | 'joining', atMs: number) => void;
}

/** No media: what a rejoin sends when neither it nor the group says otherwise. */
const NOTHING: PlannedPublish = { audio: false, video: null };

export async function performAction(p: Participant, action: PlannedAction, ctx: ActionContext): Promise<void> {
  const adapter = p.adapter;
  switch (action.do) {
    case 'join':
      return p.join();
    case 'leave':
      return p.leave();
    case 'publish':
      return publish(p, action.what);
    case 'unpublish':
    case 'mute':
    case 'unmute': {
      const call = hook(adapter, action.do);
      return p.run(`${action.do}()`, (page, c) => call.call(adapter, page, c, action.source));
    }
    case 'layers': {
      const call = hook(adapter, 'layers');
      const choice = { spatial: action.spatial, ...(action.temporal === null ? {} : { temporal: action.temporal }) };
      return p.run('layers()', (page, c) => call.call(adapter, page, c, choice));
    }
    case 'iceRestart': {
      const call = hook(adapter, 'iceRestart');
      return p.run('iceRestart()', (page, c) => call.call(adapter, page, c));
    }
    case 'screenShare': {
      const call = hook(adapter, 'screenShare');
      return p.run('screenShare()', (page, c) => call.call(adapter, page, c, action.on));
    }
    case 'network':
      if (!ctx.setNetwork) throw new Error(`${p.id}: network change needs a simulated link, and this run has none`);
      return ctx.setNetwork(p.id, action.set);
    case 'forceTurn':
      if (!ctx.forceTurn) throw new Error(`${p.id}: forceTurn needs the run's TURN server and a simulated link, and this run has neither`);
      return ctx.forceTurn(p.id, action.transport);
    case 'switchCamera': {
      const call = hook(adapter, 'switchCamera');
      const change = {
        ...(action.width === null ? {} : { width: action.width }),
        ...(action.height === null ? {} : { height: action.height }),
        ...(action.fps === null ? {} : { fps: action.fps }),
      };
      return p.run('switchCamera()', (page, c) => call.call(adapter, page, c, change));
    }
    case 'changeCodec': {
      const camera = ctx.camera;
      if (!camera) throw new Error(`${p.id}: changeCodec needs a camera to send again (publish video first)`);
      // The camera's producer is closed and created again: a new consumer on every other page.
      const unpublish = hook(adapter, 'unpublish');
      await p.run('unpublish()', (page, c) => unpublish.call(adapter, page, c, 'camera'));
      return publish(p, { audio: false, video: withCodec(camera, action.codec) });
    }
    case 'rejoin': {
      const leftAt = Date.now();
      await p.leave();
      ctx.onRejoinLeg?.('left', leftAt);
      await delay(action.awayMs);
      ctx.onRejoinLeg?.('joining', Date.now());
      await p.join();
      // Without a publish hook, the adapter's join sent what the app sends.
      const what = action.publish ?? ctx.groupPublish ?? NOTHING;
      if (adapter.publish && (what.audio || what.video)) await publish(p, what);
      return;
    }
    case 'script': {
      const script = action.run;
      return p.run(`script '${action.name}'`, async (page, c) => {
        await script(page, c);
      });
    }
  }
}

/** Sends `what` through the adapter's publish hook. */
export function publish(p: Participant, what: PlannedPublish): Promise<void> {
  const call = hook(p.adapter, 'publish');
  return p.run('publish()', (page, c) => call.call(p.adapter, page, c, what));
}

/** The adapter's hook; a missing one was refused when the scenario was checked, so this is a bug guard. */
function hook<H extends HookName>(adapter: PageAdapter, name: H): NonNullable<PageAdapter[H]> {
  const fn = adapter[name];
  if (typeof fn !== 'function') throw new Error(`the page adapter '${adapter.name}' has no ${name} hook`);
  return fn as NonNullable<PageAdapter[H]>;
}

/** The camera as it is, with another codec; an SVC mode only VP9 can send is dropped for the others. */
export function withCodec(camera: PlannedVideo, codec: PlannedVideo['codec'] & string): PlannedVideo {
  const spatial = Number(/^L(\d)/.exec(camera.scalabilityMode ?? '')?.[1] ?? 1);
  const keepMode = camera.simulcast || codec === 'vp9' || spatial === 1;
  return { ...camera, codec, scalabilityMode: keepMode ? camera.scalabilityMode : null };
}
