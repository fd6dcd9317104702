// Launches Debian's Chromium for WebRTC participants: headless, fake media devices, a fresh
// profile per browser, and no background traffic (this machine has no internet; Chromium's
// background requests would only fail and cost CPU).
//
// Headless participants run Chromium's headless shell (Debian's chromium-headless-shell, what
// puppeteer calls headless 'shell'): the same WebRTC stack with no browser UI. The full browser's
// headless mode draws its UI off-screen, and what that UI costs changes with every Chromium
// update: 156.0.8078.114 added an omnibox-popup WebUI renderer per browser context, which took
// 8-18% of a core each during a call (3 callers: 77% of this 2-core machine against 67%).
// `--headful` needs a window, so it runs the full browser.
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { makeTempDir } from '../util/temp-dir.ts';
import { closeOnce } from './browser-close.ts';

export interface ChromiumOptions {
  /** Path of the Chromium binary. Default: $CHROMIUM_PATH, else Debian's chromium-headless-shell (/usr/bin/chromium when headful). */
  executablePath?: string;
  /** Show a window instead of running headless. Default false. */
  headful?: boolean;
  /** Fake camera frame rate, frames per second. Default 30 (Chromium's fake camera caps at 20 otherwise). */
  fakeVideoFps?: number;
  /** A .y4m (or .mjpeg) file the fake camera loops instead of its test pattern. Default: none. */
  fakeVideoFile?: string;
  /** Let Chromium send all three simulcast layers from sources under 1280x720. Default true. */
  allowAllSimulcastLayers?: boolean;
  /**
   * Public keys (base64 SHA-256 of the SPKI) whose certificates are accepted though untrusted: the
   * run's own TURN-over-TLS certificate. Every other certificate is checked as usual. Default none.
   */
  trustedSpkiSha256?: string[];
  /** WebRTC IP handling policy, e.g. 'disable_non_proxied_udp' to force TURN. Default: Chromium's. */
  webrtcIpHandlingPolicy?: string;
  /** More command-line flags, appended last. */
  extraArgs?: string[];
}

/**
 * Chromium's headless shell: no browser UI to draw (see the top of the file). The binary itself,
 * not Debian's /usr/bin wrapper script: the wrapper would stay the browser's parent, so the
 * process puppeteer knows (and a test or the OOM killer may kill) would not be the browser.
 */
export const DEFAULT_CHROMIUM_PATH = '/usr/lib/chromium/chromium-headless-shell';
/** The full browser, for `headful` runs (a window to watch). */
export const HEADFUL_CHROMIUM_PATH = '/usr/bin/chromium';

export function chromiumPath(options: ChromiumOptions = {}): string {
  return options.executablePath ?? process.env.CHROMIUM_PATH ?? (options.headful ? HEADFUL_CHROMIUM_PATH : DEFAULT_CHROMIUM_PATH);
}

/** Whether `path` is Chromium's headless shell, which puppeteer launches as headless 'shell'. */
export function isHeadlessShell(path: string): boolean {
  return /headless[-_]shell/.test(path);
}

/** The command-line flags for a participant browser. Exported so tests can assert on them. */
export function chromiumArgs(options: ChromiumOptions, userDataDir: string): string[] {
  const fps = options.fakeVideoFps ?? 30;
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${userDataDir}`,
    '--use-fake-ui-for-media-stream',
    `--use-fake-device-for-media-stream=fps=${fps}`,
    // Raw host candidates instead of mDNS names (which would multicast and never resolve here).
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--allow-loopback-in-peer-connection',
    // Background pages must keep their full frame rate and timers: participants share a browser.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (options.allowAllSimulcastLayers ?? true) {
    args.push('--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/');
  }
  if (options.fakeVideoFile) args.push(`--use-file-for-fake-video-capture=${options.fakeVideoFile}`);
  // Chromium honours the list only with --user-data-dir, which every browser here has.
  if (options.trustedSpkiSha256?.length) args.push(`--ignore-certificate-errors-spki-list=${options.trustedSpkiSha256.join(',')}`);
  if (options.webrtcIpHandlingPolicy) {
    args.push(`--webrtc-ip-handling-policy=${options.webrtcIpHandlingPolicy}`);
  }
  args.push(...(options.extraArgs ?? []));
  return args;
}

/** A browser this process drives: launched here (Chromium, Firefox) or connected to. */
export interface LaunchedBrowser {
  browser: Browser;
  /** Closes the browser (killing it if it does not exit) and removes its profile. Idempotent. */
  close(): Promise<void>;
}

export type LaunchedChromium = LaunchedBrowser;

export async function launchChromium(options: ChromiumOptions = {}): Promise<LaunchedChromium> {
  const executablePath = chromiumPath(options);
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}: run 'npm run setup' (installs Debian's chromium-headless-shell and chromium) or set CHROMIUM_PATH`,
    );
  }
  const profile = makeTempDir('rtc-harness-chromium-');
  const userDataDir = profile.path;
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: options.headful ? false : isHeadlessShell(executablePath) ? 'shell' : true,
      args: chromiumArgs(options, userDataDir),
      // Chromium's default would be ignored in favour of our own flags, so say exactly what we want.
      ignoreDefaultArgs: ['--mute-audio'],
      protocolTimeout: 60_000,
      // DevTools over a pipe to this process only: a DevTools port would let any local user
      // drive the participants' browsers (and read their pages) for the length of the run.
      pipe: true,
      // The runner owns shutdown: on Ctrl-C it stops collecting, writes results, then closes the
      // browsers. Puppeteer's own handlers would kill them at once and exit the process with 130.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    profile.remove();
    throw err;
  }
  return { browser, close: closeOnce(browser, () => profile.remove()) };
}
