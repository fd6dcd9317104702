// Runs in the page of a k6 browser VU: bundled by ../bundle.ts into the exported script and
// installed with context.addInitScript(), so it is in place before the call page creates its
// peer connections. It is the harness's own measuring chain, not a copy of it: the stats agent
// (browser/agent.ts) collects, deriveSample() and samplePoints() turn snapshots into the very
// metric names and tags our thresholds read, and the call page is driven through its control
// surface (window.rtcHarness) the way the reference page adapter (pages/reference.ts) drives it.
import { installAgent } from '../../browser/agent.ts';
import { publishOptions } from '../../pages/reference.ts';
import type { MediaSource, PublishRequest, VideoCodec, VideoRequest } from '../../pages/media.ts';
import { deriveSample } from '../../stats/derive.ts';
import type { RawSnapshot } from '../../stats/raw.ts';
import { samplePoints, type Sample } from '../../stats/types.ts';

/** The page global the exported script calls (through page.evaluate). */
export const PAGE_API_GLOBAL = '__rtcHarnessK6';

/** One value for a k6 metric: `metric.add(value, tags)`. Tags are strings, as k6 wants them. */
export interface K6Point {
  metric: string;
  value: number;
  tags: Record<string, string>;
}

/** Who the page is: the tags every point carries. */
export interface PageIdentity {
  /** 'callers[0]' */
  participant: string;
  group: string;
}

/** Where and what a participant joins with. */
export interface JoinRequest {
  room: string;
  /** The participant id, the display name the reference page shows. */
  name: string;
  /** Sent right after joining (nothing when neither audio nor video). */
  publish: PublishRequest;
}

/**
 * The timeline actions the page can carry out by itself, through the control surface. What needs
 * the harness around the page (a simulated link, the run's TURN server, the user's Node code) is
 * not among them: the exporter lists those as left out.
 */
export type PageAction =
  | { do: 'join' }
  | { do: 'leave' }
  | { do: 'publish'; what: PublishRequest }
  | { do: 'unpublish' | 'mute' | 'unmute'; source: MediaSource }
  | { do: 'layers'; spatial: number; temporal: number | null }
  | { do: 'iceRestart' }
  | { do: 'screenShare'; on: boolean }
  | { do: 'switchCamera'; width: number | null; height: number | null; fps: number | null }
  | { do: 'changeCodec'; codec: VideoCodec }
  | { do: 'rejoin'; awayMs: number; publish: PublishRequest | null };

/** What `window.__rtcHarnessK6` offers the exported script. */
export interface PageApi {
  /** Marks the join for time to first frame, joins `room`, then publishes. */
  join(request: JoinRequest): Promise<void>;
  /** Carries out one timeline action; `request` is the participant's own join (room, group publish). */
  act(action: PageAction, request: JoinRequest): Promise<void>;
  /** Collects the page's stats once and returns the interval's points. */
  sample(who: PageIdentity): Promise<K6Point[]>;
}

declare global {
  interface Window {
    __rtcHarnessK6?: PageApi;
  }
}

/** The part of the reference page's control surface (sfu/client/src/api.ts) used here. */
type Surface = Record<string, (...args: unknown[]) => Promise<unknown>>;

function surface(win: Window): Surface {
  const api = (win as unknown as { rtcHarness?: Surface }).rtcHarness;
  if (!api) throw new Error('the page has no window.rtcHarness control surface: is RTC_SFU_URL the bundled SFU?');
  return api;
}

async function call(win: Window, method: string, ...args: unknown[]): Promise<unknown> {
  const api = surface(win);
  const fn = api[method];
  if (typeof fn !== 'function') throw new Error(`window.rtcHarness has no method '${method}'`);
  return fn.apply(api, args);
}

const sends = (what: PublishRequest): boolean => what.audio || what.video !== null;

/**
 * Turns successive snapshots into points. Keeps the previous snapshot and sample, as the
 * harness's StatsCollector does, so rates and running totals continue from one call to the next.
 */
export function createSampler(collect: () => Promise<RawSnapshot>): (who: PageIdentity) => Promise<K6Point[]> {
  let previousSnapshot: RawSnapshot | undefined;
  let previousSample: Sample | undefined;
  return async (who) => {
    const snapshot = await collect();
    const sample = deriveSample(previousSnapshot, snapshot, { participant: who.participant, group: who.group, previous: previousSample });
    previousSnapshot = snapshot;
    previousSample = sample;
    return samplePoints(sample).map((p) => {
      const tags: Record<string, string> = {};
      for (const [k, v] of Object.entries(p.tags)) if (v !== undefined) tags[k] = String(v);
      return { metric: p.metric, value: p.value, tags };
    });
  };
}

/** The camera with another codec; an SVC mode only VP9 sends is dropped for the others (as the runner's changeCodec does). */
function withCodec(camera: VideoRequest, codec: VideoCodec): VideoRequest {
  const spatial = Number(/^L(\d)/.exec(camera.scalabilityMode ?? '')?.[1] ?? 1);
  const keepMode = camera.simulcast || codec === 'vp9' || spatial === 1;
  return { ...camera, codec, scalabilityMode: keepMode ? camera.scalabilityMode : null };
}

/** Installs the stats agent and `window.__rtcHarnessK6` once per document; returns the API. */
export function installPageApi(win: Window & typeof globalThis): PageApi {
  if (win.__rtcHarnessK6) return win.__rtcHarnessK6;
  const agent = installAgent(win);
  /** The camera the page sends now, for changeCodec. */
  let camera: VideoRequest | null = null;
  const publish = async (what: PublishRequest): Promise<void> => {
    await call(win, 'publish', publishOptions(what));
    if (what.video) camera = what.video;
  };
  const join = async (request: JoinRequest): Promise<void> => {
    // The stats agent measures time to first frame (and, on a rejoin, to its first frame) from this mark.
    agent.mark('join');
    await call(win, 'join', { room: request.room, name: request.name });
  };
  const api: PageApi = {
    async join(request) {
      await join(request);
      if (sends(request.publish)) await publish(request.publish);
    },
    async act(action, request) {
      switch (action.do) {
        case 'join':
          return join(request);
        case 'leave':
          await call(win, 'leave');
          return;
        case 'publish':
          return publish(action.what);
        case 'unpublish':
        case 'mute':
        case 'unmute':
          await call(win, action.do, action.source);
          if (action.do === 'unpublish' && action.source === 'camera') camera = null;
          return;
        case 'layers':
          await call(win, 'setPreferredLayers', { spatialLayer: action.spatial, ...(action.temporal === null ? {} : { temporalLayer: action.temporal }) });
          return;
        case 'iceRestart':
          await call(win, 'restartIce');
          return;
        case 'screenShare':
          await call(win, action.on ? 'startScreenShare' : 'stopScreenShare');
          return;
        case 'switchCamera':
          await call(win, 'switchCamera', {
            ...(action.width === null ? {} : { width: action.width }),
            ...(action.height === null ? {} : { height: action.height }),
            ...(action.fps === null ? {} : { fps: action.fps }),
          });
          return;
        case 'changeCodec': {
          const current = camera;
          if (!current) throw new Error('changeCodec needs a camera to send again (publish video first)');
          await call(win, 'unpublish', 'camera');
          return publish({ audio: false, video: withCodec(current, action.codec) });
        }
        case 'rejoin': {
          await call(win, 'leave');
          await new Promise((resolve) => win.setTimeout(resolve, action.awayMs));
          await join(request);
          const what = action.publish ?? request.publish;
          if (sends(what)) await publish(what);
          return;
        }
      }
    },
    sample: createSampler(() => agent.collect()),
  };
  Object.defineProperty(win, PAGE_API_GLOBAL, { value: api, configurable: false, enumerable: false, writable: false });
  return api;
}
