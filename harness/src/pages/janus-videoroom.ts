// The Janus gateway's VideoRoom demo (janus-demos' videoroomtest.html), driven through its own UI
// as a user would: Start, a display name, "Join the room", its Mute and Stop buttons. Nothing in
// the page is replaced, so a run tests the demo and Janus as they ship.
//
// target.url: the demo page, with the Janus room as a number in its query:
//   `http://127.0.0.1:8000/videoroomtest.html?room=1234`
// The demo takes its room from `?room=` alone (1234 without it: the room Janus's sample
// janus.plugin.videoroom.jcfg creates), so ctx.room does not apply, and a `{room}` placeholder
// (which gives the scenario's room name) makes join fail: write the number. The page's
// settings.js must name your Janus (`var server = 'http://host:8088/janus'`); Debian's also lacks
// the `token` and `apisecret` globals the demo reads (test/support/janus.ts serves a fixed one).
// One page shows at most 5 others, and room 1234 takes 6 publishers: 6 participants per room.
//
// What a participant sends is the demo's choice: audio and its camera as it joins (the group's
// default publish), or nothing with `&subscriber-mode=yes` in the URL (the groups then need
// `publish: false`); a group asking for something else is refused at join. Its URL picks the rest
// (`&simulcast=true`, `&vcodec=vp9`): a group's video settings do not reach the page.
//
// Hooks: join, leave, mute and unmute ('mic' only: the demo's one Mute button mutes audio).
// No publish or unpublish: the demo publishes as it joins, and its Unpublish button stops audio
// and video at once, where the hook stops one source.
import { setTimeout as sleep } from 'node:timers/promises';
import type { MediaSource, PublishRequest } from './media.ts';
import type { Page, PageAdapter, PageContext } from './adapter.ts';

/** The room the demo joins when its URL names none (janus.plugin.videoroom.jcfg's sample room). */
const DEFAULT_ROOM = 1234;
/** How long one step may take on the page before the hook fails, ms (the runner's join timeout is 30 s). */
const STEP_TIMEOUT_MS = 25_000;
/** Between two looks at the page, ms. */
const POLL_MS = 200;

/** What the adapter waits for the page to show. */
type Condition =
  // Start is there and wired: Janus.init has run (on a fresh page and after Stop's reload).
  | 'startable'
  // The display-name field is shown: the session is up and the VideoRoom plugin attached.
  | 'registering'
  // The local video plays and Janus said the publisher's PeerConnection is up (webrtcState on).
  | 'published'
  // In the room without publishing (subscriber mode): Janus gave the page its id.
  | 'joined'
  | 'muted'
  | 'unmuted';

/** One look at the page. */
interface DemoState {
  /** The text of a bootbox dialog the demo shows (its way to report every error), else null. */
  dialog: string | null;
  /** The warning the demo puts next to the name field when it refuses a name, else null. */
  refused: string | null;
  /** performance.timeOrigin: a new value means a new document (Stop reloads the page). */
  origin: number;
  done: boolean;
  /** What is still missing, for the timeout's message. */
  missing: string;
}

/**
 * Runs in the page; self-contained (puppeteer sends its source), and with no inner functions, which
 * a transpiler may wrap in helpers the page lacks. `$` is the demo's own jQuery.
 */
const lookAtDemo = (condition: Condition): DemoState => {
  const w = window as any;
  const $ = w.jQuery;
  const origin = performance.timeOrigin;
  if (typeof $ !== 'function' || typeof w.Janus !== 'function') {
    return { dialog: null, refused: null, origin, done: false, missing: 'the page has not loaded jQuery and janus.js yet' };
  }
  const dialogText = $('.bootbox .bootbox-body').first().text().trim();
  const dialog = dialogText === '' ? null : dialogText;
  const refusedText = $('#you.label-warning').text().trim();
  const refused = refusedText === '' ? null : refusedText;
  const start = $('#start');
  const startLabel = start.text().trim();
  if (condition === 'startable') {
    const wired = Boolean($._data(start.get(0), 'events')?.click);
    const done = wired && !start.prop('disabled') && startLabel === 'Start';
    return { dialog, refused, origin, done, missing: `Start button '${startLabel}', ${wired ? 'wired' : 'not wired yet'}` };
  }
  if (condition === 'registering') {
    const shown = $('#username').is(':visible') && !$('#username').prop('disabled');
    return { dialog, refused, origin, done: shown, missing: 'the display-name field is not shown yet (Janus session or plugin attach pending)' };
  }
  if (condition === 'published') {
    const video = $('#videolocal video').get(0) as HTMLVideoElement | undefined;
    const playing = video !== undefined && video.readyState >= 2;
    // The demo's webrtcState(true) callback unhides the bandwidth menu; its cleanup hides it again.
    const up = $('#bitrate').length > 0 && !$('#bitrate').parent().parent().hasClass('hide');
    return {
      dialog,
      refused,
      origin,
      done: playing && up,
      missing: `local video ${playing ? 'playing' : 'not playing yet'}, publisher PeerConnection ${up ? 'up' : 'not up yet'}`,
    };
  }
  if (condition === 'joined') {
    const joined = w.myid !== null && w.myid !== undefined && $('#videos').is(':visible');
    return { dialog, refused, origin, done: joined, missing: 'Janus has not said the page joined yet' };
  }
  const muteLabel = $('#mute').text().trim();
  const want = condition === 'muted' ? 'Unmute' : 'Mute';
  return { dialog, refused, origin, done: muteLabel === want, missing: `the Mute button reads '${muteLabel}'` };
};

/** Puppeteer's words for a page between two documents: look again. */
const NAVIGATING = /context was destroyed|Cannot find context|navigat/i;

/**
 * Looks at the page until `condition` holds (and, with `after`, in a document newer than that
 * origin). Rejects with the demo's dialog or refusal as soon as one shows, at the deadline, and
 * when the run stops.
 */
async function until(page: Page, ctx: PageContext, condition: Condition, what: string, after?: number): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let missing = 'nothing seen yet';
  for (;;) {
    if (ctx.signal.aborted) throw new Error(`stopped while waiting for ${what}`);
    let state: DemoState | undefined;
    try {
      state = await page.evaluate(lookAtDemo, condition);
    } catch (err) {
      if (!NAVIGATING.test((err as Error).message)) throw err;
      missing = 'the page was loading';
    }
    if (state) {
      if (state.dialog) throw new Error(`the demo shows an error while waiting for ${what}: "${state.dialog}"`);
      if (state.refused) throw new Error(`the demo refused the display name: "${state.refused}"`);
      const fresh = after === undefined || state.origin !== after;
      if (state.done && fresh) return;
      missing = fresh ? state.missing : 'the page has not reloaded yet';
    }
    if (Date.now() > deadline) throw new Error(`the demo did not show ${what} within ${STEP_TIMEOUT_MS / 1000} s (${missing})`);
    try {
      await sleep(POLL_MS, undefined, { signal: ctx.signal });
    } catch {
      throw new Error(`stopped while waiting for ${what}`);
    }
  }
}

/** The room the page joins: its URL's `?room=`, a number. */
export function demoRoom(url: string): number {
  let raw: string | null = null;
  try {
    raw = new URL(url).searchParams.get('room');
  } catch {
    // Not a URL (about:blank before opening): the demo's own default applies.
  }
  if (raw === null || raw === '') return DEFAULT_ROOM;
  if (!/^\d+$/.test(raw)) {
    throw new Error(
      `the Janus VideoRoom demo needs a numeric room in its URL (?room=1234), got '${raw}' (a {room} placeholder gives the scenario's room name: write the number in target.url)`,
    );
  }
  return Number(raw);
}

/** The demo's `?subscriber-mode=yes`: it joins without publishing. */
export function subscriberMode(url: string): boolean {
  try {
    return /^(yes|true)$/.test(new URL(url).searchParams.get('subscriber-mode') ?? '');
  } catch {
    return false;
  }
}

/** Refuses a group's publish the demo would not send as asked: it sends audio and camera, or nothing. */
function checkPublish(what: PublishRequest, viewer: boolean): void {
  const sends = what.audio || what.video !== null;
  if (viewer && sends) {
    throw new Error("the Janus VideoRoom demo sends nothing with ?subscriber-mode=yes in its URL: give the group 'publish: false', or drop subscriber-mode");
  }
  if (!viewer && !(what.audio && what.video !== null)) {
    throw new Error(
      "the Janus VideoRoom demo sends audio and camera as it joins: leave the group's publish out (its default), or add &subscriber-mode=yes to target.url for participants that send nothing",
    );
  }
}

/** The demo accepts letters and digits only: 'callers[0]' joins as 'callers0'. */
export function displayName(participantId: string, index: number): string {
  return participantId.replace(/[^A-Za-z0-9]/g, '') || `participant${index}`;
}

async function setMic(page: Page, ctx: PageContext, source: MediaSource, muted: boolean): Promise<void> {
  if (source !== 'mic') {
    throw new Error(`the Janus VideoRoom demo mutes audio only (its one Mute button): it cannot ${muted ? 'mute' : 'unmute'} '${source}'`);
  }
  const label = await page.$eval('#mute', (button) => (button.textContent ?? '').trim()).catch(() => null);
  if (label === null) throw new Error('the demo shows no Mute button: the participant is not publishing (join first)');
  // The button toggles: click only when it offers what is asked.
  if (label === (muted ? 'Unmute' : 'Mute')) return;
  await page.click('#mute');
  await until(page, ctx, muted ? 'muted' : 'unmuted', muted ? 'the microphone muted' : 'the microphone unmuted');
}

export const janusVideoRoom: PageAdapter = {
  name: 'janus-videoroom',

  async join(page, ctx) {
    const room = demoRoom(ctx.url);
    const viewer = subscriberMode(ctx.url);
    checkPublish(ctx.publish, viewer);
    const name = displayName(ctx.participantId, ctx.index);
    await until(page, ctx, 'startable', 'its Start button');
    await page.click('#start');
    await until(page, ctx, 'registering', 'the display-name field');
    ctx.log(`joining Janus room ${room} as '${name}'`);
    await page.type('#username', name);
    await page.click('#register');
    if (viewer) await until(page, ctx, 'joined', `the page joined room ${room}`);
    else await until(page, ctx, 'published', `the local publisher up in room ${room}`);
    // The demo keeps the publisher id Janus gave it in a global: the others' feeds carry it.
    const id = await page.evaluate(() => (window as unknown as { myid?: unknown }).myid);
    return id === undefined || id === null ? {} : { peerId: String(id) };
  },

  async leave(page, ctx) {
    const before = await page.evaluate(() => performance.timeOrigin);
    const label = await page.$eval('#start', (button) => (button.textContent ?? '').trim());
    if (label !== 'Stop') return; // Not in the call: nothing to leave.
    // Stop destroys the Janus session; the demo then reloads itself, ready to start again.
    await page.click('#start');
    await until(page, ctx, 'startable', 'its Start button after Stop reloaded it', before);
  },

  async mute(page, ctx, source) {
    await setMic(page, ctx, source, true);
  },

  async unmute(page, ctx, source) {
    await setMic(page, ctx, source, false);
  },
};
