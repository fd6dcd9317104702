// Chromium already running elsewhere (a browser fleet that speaks CDP, or a Chromium started with
// --remote-debugging-port), driven instead of one launched here. The harness connects and opens
// its pages in their own browser contexts; at the end it closes those and disconnects, and leaves
// the browser running: it is not ours. Its flags are its owner's business: a participant that
// publishes needs the fake camera and microphone (--use-fake-device-for-media-stream,
// --use-fake-ui-for-media-stream), which `checkCamera` verifies at join.
import puppeteer from 'puppeteer-core';
import type { LaunchedChromium } from './chromium.ts';

/** The flags a remote Chromium needs for participants that publish, as its owner would pass them. */
export const REMOTE_CHROMIUM_FLAGS = '--use-fake-device-for-media-stream --use-fake-ui-for-media-stream --autoplay-policy=no-user-gesture-required';

/**
 * Connects to `endpoint`: a DevTools WebSocket URL (ws://host:9222/devtools/browser/<id>) or the
 * browser's HTTP debugging address (http://host:9222), from which the WebSocket URL is read.
 */
export async function connectChromium(endpoint: string, timeoutMs = 10_000): Promise<LaunchedChromium> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`--browser-endpoint ${endpoint}: not a URL (ws://host:9222/devtools/browser/<id> or http://host:9222)`);
  }
  const target =
    url.protocol === 'ws:' || url.protocol === 'wss:'
      ? { browserWSEndpoint: endpoint }
      : url.protocol === 'http:' || url.protocol === 'https:'
        ? { browserURL: endpoint }
        : null;
  if (!target) throw new Error(`--browser-endpoint ${endpoint}: must be ws://, wss://, http:// or https://`);
  let timer: NodeJS.Timeout | undefined;
  const browser = await Promise.race([
    puppeteer.connect({ ...target, protocolTimeout: 60_000, defaultViewport: null }),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs))),
  ])
    .catch((err: Error) => {
      throw new Error(`cannot connect to the browser at ${endpoint}: ${err.message}`);
    })
    .finally(() => clearTimeout(timer));
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      // The pages' contexts are closed by their participants; the browser stays up for its owner.
      await browser.disconnect().catch(() => {});
    })());
  return { browser, close };
}

/**
 * Whether the page can capture what it must publish: a remote browser started without the fake
 * devices has no camera (a server has none), and its join would fail later with a vaguer error.
 * Throws with the flags to add. Device kinds are listed without any permission.
 */
export async function checkMediaDevices(
  page: { evaluate<T>(fn: () => T | Promise<T>): Promise<T> },
  needs: { video: boolean; audio: boolean },
  endpoint: string,
): Promise<void> {
  const kinds = await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).map((d) => d.kind));
  const missing = [...(needs.video && !kinds.includes('videoinput') ? ['camera'] : []), ...(needs.audio && !kinds.includes('audioinput') ? ['microphone'] : [])];
  if (missing.length > 0) {
    throw new Error(`the browser at ${endpoint} has no ${missing.join(' and no ')}: start it with ${REMOTE_CHROMIUM_FLAGS}`);
  }
}
