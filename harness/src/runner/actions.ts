// What each timeline action does to a participant, through the page's control surface. Adding an
// action means adding a case here and in the scenario's types; the compiler checks the rest.
import { setTimeout as delay } from 'node:timers/promises';
import type { PlannedAction, PlannedPublish, PlannedVideo } from '../scenario/plan.ts';
import type { Participant } from '../participants/participant.ts';

/** The call page's publish() options for a planned publish. */
export function publishOptions(what: PlannedPublish): { audio: boolean; video: false | Record<string, unknown> } {
  return {
    audio: what.audio,
    video: what.video
      ? {
          simulcast: what.video.simulcast,
          width: what.video.width,
          height: what.video.height,
          fps: what.video.fps,
          ...(what.video.encodings ? { encodings: what.video.encodings } : {}),
          ...(what.video.codec ? { codec: what.video.codec } : {}),
          ...(what.video.scalabilityMode ? { scalabilityMode: what.video.scalabilityMode } : {}),
        }
      : false,
  };
}

export interface ActionContext {
  room: string;
  /** Applies a network change to the participant's link; absent when the run has no links. */
  setNetwork?: (participantId: string, set: unknown) => Promise<void>;
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
  switch (action.do) {
    case 'join':
      return p.join({ room: ctx.room });
    case 'leave':
      return p.leave();
    case 'publish':
      await p.invoke('publish', publishOptions(action.what));
      return;
    case 'unpublish':
      await p.invoke('unpublish', action.source);
      return;
    case 'mute':
      await p.invoke('mute', action.source);
      return;
    case 'unmute':
      await p.invoke('unmute', action.source);
      return;
    case 'layers':
      await p.invoke('setPreferredLayers', {
        spatialLayer: action.spatial,
        ...(action.temporal === null ? {} : { temporalLayer: action.temporal }),
      });
      return;
    case 'iceRestart':
      await p.invoke('restartIce');
      return;
    case 'screenShare':
      await p.invoke(action.on ? 'startScreenShare' : 'stopScreenShare');
      return;
    case 'network':
      if (!ctx.setNetwork) throw new Error(`${p.id}: network change needs a simulated link, and this run has none`);
      return ctx.setNetwork(p.id, action.set);
    case 'forceTurn':
      if (!ctx.forceTurn) throw new Error(`${p.id}: forceTurn needs the run's TURN server and a simulated link, and this run has neither`);
      return ctx.forceTurn(p.id, action.transport);
    case 'switchCamera':
      await p.invoke('switchCamera', {
        ...(action.width === null ? {} : { width: action.width }),
        ...(action.height === null ? {} : { height: action.height }),
        ...(action.fps === null ? {} : { fps: action.fps }),
      });
      return;
    case 'changeCodec': {
      const camera = ctx.camera;
      if (!camera) throw new Error(`${p.id}: changeCodec needs a camera to send again (publish video first)`);
      // The camera's producer is closed and created again: a new consumer on every other page.
      await p.invoke('unpublish', 'camera');
      await p.invoke('publish', publishOptions({ audio: false, video: withCodec(camera, action.codec) }));
      return;
    }
    case 'rejoin': {
      const leftAt = Date.now();
      await p.leave();
      ctx.onRejoinLeg?.('left', leftAt);
      await delay(action.awayMs);
      ctx.onRejoinLeg?.('joining', Date.now());
      await p.join({ room: ctx.room });
      const what = publishOptions(action.publish ?? ctx.groupPublish ?? NOTHING);
      if (what.audio || what.video) await p.invoke('publish', what);
      return;
    }
  }
}

/** The camera as it is, with another codec; an SVC mode only VP9 can send is dropped for the others. */
export function withCodec(camera: PlannedVideo, codec: PlannedVideo['codec'] & string): PlannedVideo {
  const spatial = Number(/^L(\d)/.exec(camera.scalabilityMode ?? '')?.[1] ?? 1);
  const keepMode = camera.simulcast || codec === 'vp9' || spatial === 1;
  return { ...camera, codec, scalabilityMode: keepMode ? camera.scalabilityMode : null };
}
