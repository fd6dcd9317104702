// Launches Debian's Firefox ESR for WebRTC participants, driven over WebDriver BiDi: headless, fake
// media devices, loopback ICE candidates, and a folder of the run's own for its profile, HOME and
// temporary files (Firefox writes caches under $HOME, which would otherwise be the user's).
//
// The media prefs below were each shown necessary on this machine (Firefox ESR 153): without one
// the call fails or never starts. The timer prefs keep pages in the background at full speed, as
// Chromium's flags do (participants share a browser). Firefox's BiDi has no pipe transport: puppeteer talks to it on a
// loopback port of its choosing for the length of the run.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { makeTempDir } from '../util/temp-dir.ts';
import { closeOnce } from './browser-close.ts';
import type { LaunchedBrowser } from './chromium.ts';

export interface FirefoxOptions {
  /** Path of the Firefox binary. Default: $FIREFOX_PATH, else Debian's /usr/bin/firefox-esr. */
  executablePath?: string;
  /** Show a window instead of running headless. Default false. */
  headful?: boolean;
  /** More prefs, applied last. Default none. */
  extraPrefs?: Record<string, unknown>;
}

export const DEFAULT_FIREFOX_PATH = '/usr/bin/firefox-esr';

export function firefoxPath(options: FirefoxOptions = {}): string {
  return options.executablePath ?? process.env.FIREFOX_PATH ?? DEFAULT_FIREFOX_PATH;
}

/** The prefs of a participant browser. Exported so tests can assert on them. */
export function firefoxPrefs(options: FirefoxOptions = {}): Record<string, unknown> {
  return {
    // Fake camera and microphone (else getUserMedia: NotFoundError), granted without a prompt.
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    // Without granted devices Firefox gathers default-route addresses only: no loopback candidate.
    'permissions.default.camera': 1,
    'permissions.default.microphone': 1,
    'media.peerconnection.ice.loopback': true,
    // Remote video plays without a user gesture.
    'media.autoplay.default': 0,
    // Pages in the background keep their timers: participants share a browser.
    'dom.min_background_timeout_value': 0,
    'dom.timeout.enable_budget_timer_throttling': false,
    ...options.extraPrefs,
  };
}

export async function launchFirefox(options: FirefoxOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = firefoxPath(options);
  if (!existsSync(executablePath)) {
    throw new Error(`Firefox not found at ${executablePath}: run 'npm run setup' (installs Debian's firefox-esr) or set FIREFOX_PATH`);
  }
  const own = makeTempDir('rtc-harness-firefox-');
  const [profile, home, tmp] = ['profile', 'home', 'tmp'].map((name) => join(own.path, name)) as [string, string, string];
  for (const dir of [profile, home, tmp]) mkdirSync(dir);
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: !options.headful,
      userDataDir: profile,
      extraPrefsFirefox: firefoxPrefs(options),
      env: { ...process.env, HOME: home, TMPDIR: tmp },
      protocolTimeout: 60_000,
      // The runner owns shutdown (see chromium.ts).
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    own.remove();
    throw err;
  }
  return { browser, close: closeOnce(browser, () => own.remove()) };
}
