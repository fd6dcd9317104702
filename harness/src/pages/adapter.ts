// A page adapter drives one call app's page: how to join, leave, publish, mute... on *that* page
// (its buttons, its JavaScript API, its URL). The harness does everything else the same for every
// page: it opens the page with its in-page stats agent, shapes the participant's network, times
// each hook as an action of the timeline, and measures what the page's peer connections carry.
//
// Only `join` is required. A timeline action whose hook the adapter lacks is refused when the
// scenario is checked, before any browser starts (hooksFor() says which hook each action needs).
import type { Page } from 'puppeteer-core';
import type { MediaSource, PublishRequest } from './media.ts';

export type { Page } from 'puppeteer-core';

/** What every hook gets besides the page: who the participant is and where it calls. */
export interface PageContext {
  /** The room the participant joins (its group's `room`, else the scenario's name). */
  readonly room: string;
  /** 'viewers[0]': the group name and the index within the group. */
  readonly participantId: string;
  readonly group: string;
  readonly index: number;
  /** The URL the page was opened at. */
  readonly url: string;
  /**
   * What the participant's group sends. An app that chooses its media when it joins sends it from
   * `join`; with a `publish` hook, the harness calls it after `join` instead.
   */
  readonly publish: PublishRequest;
  /**
   * Aborted when the run stops (its end, Ctrl-C, an abortOnFail threshold): give up long waits.
   * The `leave` of the hang-up at the end of the run gets its own, aborted after 5 s.
   */
  readonly signal: AbortSignal;
  /** A line in the run's log, prefixed with the participant's id. */
  log(message: string): void;
}

/** What `join` may tell: the id the app's SFU gave the participant, to match the others' events with. */
export interface JoinResult {
  peerId?: string;
}

/** Capture settings of a `switchCamera`; a field left out keeps the current camera's. */
export interface CameraChange {
  width?: number;
  height?: number;
  fps?: number;
}

/** Simulcast/SVC layers to ask the SFU for; `temporal` left out: the highest. */
export interface LayerChoice {
  spatial: number;
  temporal?: number;
}

/**
 * Drives one call app's page. Every hook resolves once the app has done it (joined: connected to
 * its SFU; published: producing), and rejects with an Error saying what went wrong on the page.
 */
export interface PageAdapter {
  /** Names the adapter in messages and in results.json: 'janus-videoroom', 'my-app'. */
  name: string;
  /** Join ctx.room; resolves once the page is in the call (and sends what it sends on joining). */
  join(page: Page, ctx: PageContext): Promise<JoinResult | void>;
  /** Leave the call; the page stays open and may join again. Needed by leave, rejoin and churn. */
  leave?(page: Page, ctx: PageContext): Promise<void>;
  /** Start sending `what`. Needed by publish and changeCodec; without it, `join` sends what the app sends. */
  publish?(page: Page, ctx: PageContext, what: PublishRequest): Promise<void>;
  /** Stop sending a source. Needed by unpublish and changeCodec. */
  unpublish?(page: Page, ctx: PageContext, source: MediaSource): Promise<void>;
  /** Pause a source (what the app's mute button does). */
  mute?(page: Page, ctx: PageContext, source: MediaSource): Promise<void>;
  unmute?(page: Page, ctx: PageContext, source: MediaSource): Promise<void>;
  /** Start (`on`) or stop sharing the screen. */
  screenShare?(page: Page, ctx: PageContext, on: boolean): Promise<void>;
  /** Swap the camera for another capture. */
  switchCamera?(page: Page, ctx: PageContext, change: CameraChange): Promise<void>;
  /** Restart ICE on the page's connections. */
  iceRestart?(page: Page, ctx: PageContext): Promise<void>;
  /** Ask the SFU for these layers of every video received. */
  layers?(page: Page, ctx: PageContext, choice: LayerChoice): Promise<void>;
}

/** A script step's code: runs on the participant's page at the step's time, timed like any action. */
export type PageScript = (page: Page, ctx: PageContext) => Promise<void> | void;

/** The hooks an adapter may have. */
export type HookName = Exclude<keyof PageAdapter, 'name'>;

export const HOOK_NAMES: readonly HookName[] = [
  'join',
  'leave',
  'publish',
  'unpublish',
  'mute',
  'unmute',
  'screenShare',
  'switchCamera',
  'iceRestart',
  'layers',
];

/** How each hook is called, for "add a hook" messages. */
export const HOOK_SIGNATURES: Record<HookName, string> = {
  join: 'join(page, ctx)',
  leave: 'leave(page, ctx)',
  publish: 'publish(page, ctx, what)',
  unpublish: 'unpublish(page, ctx, source)',
  mute: 'mute(page, ctx, source)',
  unmute: 'unmute(page, ctx, source)',
  screenShare: 'screenShare(page, ctx, on)',
  switchCamera: 'switchCamera(page, ctx, { width, height, fps })',
  iceRestart: 'iceRestart(page, ctx)',
  layers: 'layers(page, ctx, { spatial, temporal })',
};

/**
 * The hooks a timeline action needs. network and forceTurn act on the participant's simulated
 * link, and a script step on the page itself: no hook. A rejoin (and churn, made of rejoins) also
 * publishes again, which needs `publish` only when the adapter has it (else `join` sends).
 */
export function hooksFor(action: string): HookName[] {
  switch (action) {
    case 'join':
      return ['join'];
    case 'leave':
    case 'rejoin':
    case 'churn':
      return ['leave'];
    case 'publish':
      return ['publish'];
    case 'unpublish':
      return ['unpublish'];
    case 'changeCodec':
      return ['unpublish', 'publish'];
    case 'mute':
    case 'unmute':
    case 'screenShare':
    case 'switchCamera':
    case 'iceRestart':
    case 'layers':
      return [action];
    default:
      return [];
  }
}

/** The hooks `action` needs that `adapter` lacks. */
export function missingHooks(adapter: PageAdapter, action: string): HookName[] {
  return hooksFor(action).filter((hook) => typeof adapter[hook] !== 'function');
}

/** Problems with a value given as an adapter (a plain-JavaScript scenario has no types to catch them). */
export function adapterProblems(value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null) return [`${path} must be a page adapter { name, join(page, ctx), ... }`];
  const adapter = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof adapter.name !== 'string' || adapter.name.trim() === '') problems.push(`${path}.name must be a name for the adapter, like 'my-app'`);
  if (typeof adapter.join !== 'function') problems.push(`${path}.join must be a function ${HOOK_SIGNATURES.join} that joins the call`);
  for (const hook of HOOK_NAMES) {
    if (adapter[hook] !== undefined && typeof adapter[hook] !== 'function') problems.push(`${path}.${hook} must be a function ${HOOK_SIGNATURES[hook]}`);
  }
  const known = new Set<string>(['name', ...HOOK_NAMES]);
  for (const key of Object.keys(adapter)) {
    if (!known.has(key)) problems.push(`${path}.${key} is not a hook (hooks: ${HOOK_NAMES.join(', ')})`);
  }
  return problems;
}

/** Declares a page adapter; returns it unchanged (it exists for the types). */
export function definePageAdapter(adapter: PageAdapter): PageAdapter {
  return adapter;
}
