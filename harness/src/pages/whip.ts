// WHIP (RFC 9725) publishers and WHEP viewers: participants with no app page at all. The page is
// a blank local file (a secure context, so the fake camera and mic open); its peer connection
// makes the offer, and Node sends it to the endpoint: a page's fetch() would need the server to
// allow its origin (CORS), and the HTTP exchange is the harness's business, not the page's. The
// server's answer goes back into the page, and `join` resolves once the connection is up.
//
// The server is ICE-lite or gathers its own candidates: the offer carries the page's host
// candidates (gathering waits at most 2 s) and no trickle follows (no PATCH).
import type { Page } from 'puppeteer-core';
import { fillUrlTemplate } from './url-template.ts';
import type { PublishRequest } from './media.ts';
import type { PageAdapter, PageContext } from './adapter.ts';

/** The page a WHIP/WHEP participant opens. */
export const BLANK_PAGE_URL = new URL('./blank.html', import.meta.url).href;

/** Where the endpoints are ({room} and {name} replaced per participant) and how to authenticate. */
export interface WhipEndpoints {
  whip: string | null;
  whep: string | null;
  token: string | null;
}

/** The session resource the server created for each page (its Location), to DELETE on leave. */
const resources = new WeakMap<Page, string>();

const fill = (template: string, ctx: PageContext): string => fillUrlTemplate(template, { room: ctx.room, name: ctx.participantId });

function headers(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
}

/** POSTs the page's offer; returns the answer and the session's URL. Errors say what the server said. */
async function exchange(url: string, token: string | null, offer: string, signal: AbortSignal): Promise<{ answer: string; resource: string }> {
  const res = await fetch(url, { method: 'POST', headers: headers(token, { 'Content-Type': 'application/sdp' }), body: offer, signal });
  const body = await res.text();
  if (res.status !== 201) {
    throw new Error(`${url} answered ${res.status} ${res.statusText}${body.trim() ? `: ${body.trim().split('\n')[0]!.slice(0, 200)}` : ''}`);
  }
  const location = res.headers.get('location');
  if (!location) throw new Error(`${url} answered 201 without a Location header (RFC 9725 requires one)`);
  if (!(res.headers.get('content-type') ?? '').startsWith('application/sdp')) {
    throw new Error(`${url} answered 201 with ${res.headers.get('content-type') ?? 'no content type'}, not application/sdp`);
  }
  return { answer: body, resource: new URL(location, url).href };
}

/** Makes the page's peer connection and its offer: sending what `publish` says, or receiving one audio and one video. */
async function makeOffer(page: Page, publish: PublishRequest | null): Promise<string> {
  return page.evaluate(async (what) => {
    const w = window as unknown as { __whip?: { pc: RTCPeerConnection; stream: MediaStream | null } };
    w.__whip?.pc.close();
    w.__whip?.stream?.getTracks().forEach((t) => t.stop());
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    let stream: MediaStream | null = null;
    if (what) {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: what.audio,
        video: what.video ? { width: what.video.width, height: what.video.height, frameRate: what.video.fps } : false,
      });
      for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    } else {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    w.__whip = { pc, stream };
    await pc.setLocalDescription(await pc.createOffer());
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const done = () => pc.iceGatheringState === 'complete' && resolve();
        pc.addEventListener('icegatheringstatechange', done);
        setTimeout(resolve, 2000);
      });
    }
    return pc.localDescription!.sdp;
  }, publish);
}

/** Sets the answer and waits until the connection is up (or failed). */
async function acceptAnswer(page: Page, answer: string): Promise<void> {
  await page.evaluate(async (sdp) => {
    const pc = (window as unknown as { __whip: { pc: RTCPeerConnection } }).__whip.pc;
    await pc.setRemoteDescription({ type: 'answer', sdp });
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pc.connectionState === 'connected') resolve();
        else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') reject(new Error(`the connection ${pc.connectionState}`));
      };
      pc.addEventListener('connectionstatechange', check);
      check();
    });
  }, answer);
}

async function connect(page: Page, ctx: PageContext, endpoint: string | null, token: string | null, kind: 'WHIP' | 'WHEP', publish: PublishRequest | null): Promise<void> {
  if (!endpoint) throw new Error(`this run has no ${kind} endpoint (target.${kind.toLowerCase()})`);
  const offer = await makeOffer(page, publish);
  const { answer, resource } = await exchange(fill(endpoint, ctx), token, offer, ctx.signal);
  resources.set(page, resource);
  await acceptAnswer(page, answer);
}

/**
 * DELETEs the session (RFC 9725: how a client ends it), then closes the page's connection: closed
 * first, the server could see the DTLS close and end the session itself, and the DELETE find nothing.
 */
async function disconnect(page: Page, ctx: PageContext, token: string | null): Promise<void> {
  const resource = resources.get(page);
  resources.delete(page);
  try {
    if (resource) {
      const res = await fetch(resource, { method: 'DELETE', headers: headers(token), signal: ctx.signal });
      if (!res.ok) throw new Error(`DELETE ${resource} answered ${res.status} ${res.statusText}`);
    }
  } finally {
    await page.evaluate(() => {
      const w = window as unknown as { __whip?: { pc: RTCPeerConnection; stream: MediaStream | null } };
      w.__whip?.pc.close();
      w.__whip?.stream?.getTracks().forEach((t) => t.stop());
      delete w.__whip;
    });
  }
}

/** Mute: the track sends black frames or silence, as a muted app's does; the session stays. */
async function setEnabled(page: Page, source: string, enabled: boolean): Promise<void> {
  const kind = source === 'mic' ? 'audio' : source === 'camera' ? 'video' : null;
  if (!kind) throw new Error(`a WHIP publisher sends its mic and camera only, not '${source}'`);
  const found = await page.evaluate(
    (k, on) => {
      const tracks = (window as unknown as { __whip?: { stream: MediaStream | null } }).__whip?.stream?.getTracks().filter((t) => t.kind === k) ?? [];
      for (const t of tracks) t.enabled = on;
      return tracks.length;
    },
    kind,
    enabled,
  );
  if (found === 0) throw new Error(`it sends no ${source}`);
}

/**
 * The run's two adapters: `publisher` sends what its group publishes over WHIP, `viewer` receives
 * one audio and one video stream over WHEP, as the server chooses them.
 */
export function whipAdapters(at: WhipEndpoints): { publisher: PageAdapter; viewer: PageAdapter } {
  return {
    publisher: {
      name: 'whip',
      join: (page, ctx) => connect(page, ctx, at.whip, at.token, 'WHIP', ctx.publish),
      leave: (page, ctx) => disconnect(page, ctx, at.token),
      mute: (page, _ctx, source) => setEnabled(page, source, false),
      unmute: (page, _ctx, source) => setEnabled(page, source, true),
    },
    viewer: {
      name: 'whep',
      join: (page, ctx) => connect(page, ctx, at.whep, at.token, 'WHEP', null),
      leave: (page, ctx) => disconnect(page, ctx, at.token),
    },
  };
}
