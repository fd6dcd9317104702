// How a browser the harness launched is closed, Chromium or Firefox alike: asked to close, given
// 5 s, then killed, and its folder (profile, HOME, temp) removed either way. Closing twice waits
// for the first close.
import type { Browser } from 'puppeteer-core';

/** How long a browser may take to close when asked before it is killed, ms. */
const CLOSE_GRACE_MS = 5_000;

export function closeOnce(browser: Browser, removeFolder: () => void): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () =>
    (closed ??= (async () => {
      const proc = browser.process();
      try {
        await Promise.race([browser.close(), new Promise((r) => setTimeout(r, CLOSE_GRACE_MS))]);
      } catch {
        // The browser may already be gone; killing below covers it.
      }
      if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      removeFolder();
    })());
}
