// What each timeline action does to a participant, through the page's control surface. Adding an
// action means adding a case here and in the scenario's types; the compiler checks the rest.
import type { PlannedAction, PlannedPublish } from '../scenario/plan.ts';
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
}

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
  }
}
