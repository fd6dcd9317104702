// The adapter for pages with the harness's control surface, `window.rtcHarness`: the bundled SFU's
// reference call page (sfu/client/src/api.ts), and any page of yours that implements the same
// methods. Each hook is one method call in the page.
import type { MediaSource, PublishRequest } from './media.ts';
import type { Page, PageAdapter } from './adapter.ts';

/** Calls a method of the page's `window.rtcHarness` and returns its result; errors are the page's own. */
export async function callSurface<T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return (await page.evaluate(
    async (m: string, a: unknown[]) => {
      const api = (window as unknown as { rtcHarness?: Record<string, (...x: unknown[]) => unknown> }).rtcHarness;
      if (!api) throw new Error('the page has no window.rtcHarness control surface (give target.page an adapter for your app)');
      const fn = api[m];
      if (typeof fn !== 'function') throw new Error(`window.rtcHarness has no method '${m}'`);
      return await fn.apply(api, a);
    },
    method,
    args,
  )) as T;
}

/** The reference page's publish() options for a planned publish. */
export function publishOptions(what: PublishRequest): { audio: boolean; video: false | Record<string, unknown> } {
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

export const referencePage: PageAdapter = {
  name: 'reference',
  async join(page, ctx) {
    const joined = await callSurface<{ peerId?: unknown } | undefined>(page, 'join', { room: ctx.room, name: ctx.participantId });
    return typeof joined?.peerId === 'string' ? { peerId: joined.peerId } : {};
  },
  async leave(page) {
    await callSurface(page, 'leave');
  },
  async publish(page, _ctx, what) {
    await callSurface(page, 'publish', publishOptions(what));
  },
  async unpublish(page, _ctx, source: MediaSource) {
    await callSurface(page, 'unpublish', source);
  },
  async mute(page, _ctx, source) {
    await callSurface(page, 'mute', source);
  },
  async unmute(page, _ctx, source) {
    await callSurface(page, 'unmute', source);
  },
  async screenShare(page, _ctx, on) {
    await callSurface(page, on ? 'startScreenShare' : 'stopScreenShare');
  },
  async switchCamera(page, _ctx, change) {
    await callSurface(page, 'switchCamera', change);
  },
  async iceRestart(page) {
    await callSurface(page, 'restartIce');
  },
  async layers(page, _ctx, choice) {
    await callSurface(page, 'setPreferredLayers', {
      spatialLayer: choice.spatial,
      ...(choice.temporal === undefined ? {} : { temporalLayer: choice.temporal }),
    });
  },
};
