// Chromium already running elsewhere, driven over CDP (--browser-endpoint), as a browser fleet
// would serve it: the test starts two Chromiums itself (standing in for the fleet's), one with the
// fake camera flags and one without, and runs the CLI against them. The CLI must launch no
// Chromium of its own, spread the pages over the endpoints, leave the remote browsers running, and
// say which flags a browser without a camera needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser } from 'puppeteer-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath, isHeadlessShell } from '../../harness/src/participants/chromium.ts';
import { runCli } from '../support/cli.ts';
import { EXIT_OF_VERDICT, readResults, tempOutDir } from '../support/results.ts';

/** A Chromium as a fleet runs it: its own flags, reachable over CDP on a port. */
async function fleetBrowser(flags: string[]): Promise<{ browser: Browser; endpoint: string; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'rtc-harness-fleet-'));
  const executablePath = chromiumPath();
  const browser = await puppeteer.launch({
    executablePath,
    headless: isHeadlessShell(executablePath) ? 'shell' : true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', `--user-data-dir=${profile}`, '--remote-debugging-port=0', ...flags],
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  return {
    browser,
    endpoint: browser.wsEndpoint(),
    close: async () => {
      await browser.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const FAKE_MEDIA = ['--use-fake-device-for-media-stream=fps=30', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection'];

describe('remote browsers (--browser-endpoint)', () => {
  const fleet: Awaited<ReturnType<typeof fleetBrowser>>[] = [];
  beforeAll(async () => {
    fleet.push(await fleetBrowser(FAKE_MEDIA), await fleetBrowser(FAKE_MEDIA), await fleetBrowser([]));
  });
  afterAll(async () => {
    await Promise.all(fleet.map((b) => b.close()));
  });

  it('runs the smoke scenario on two remote browsers, launching none, and leaves them running', async () => {
    const out = tempOutDir('remote');
    const run = await runCli(
      ['run', 'scenarios/smoke.scenario.ts', '--duration', '12s', '--quiet', '--reporter', 'console', '--out', out, '--browser-endpoint', fleet[0]!.endpoint, '--browser-endpoint', fleet[1]!.endpoint],
      { timeoutMs: 90_000 },
    );
    const results = readResults(out);
    expect(run.code, run.stderr).toBe(EXIT_OF_VERDICT[results.verdict as keyof typeof EXIT_OF_VERDICT]);
    // No Chromium under the CLI: every page was a remote browser's.
    expect(run.seen.filter((p) => /chrom/i.test(p.cmd))).toEqual([]);
    expect(results.loadGenerator.browsers).toBe(2);
    expect(results.participants.map((p) => p.browserIndex).sort()).toEqual([0, 0, 1]);
    for (const p of results.participants) {
      expect(p.connected, p.id).toBe(true);
      expect(p.aggregates.video_recv_fps?.p50 ?? 0, `${p.id} received video`).toBeGreaterThan(5);
    }
    // The fleet's browsers are still up, with none of the run's pages left open.
    for (const b of fleet.slice(0, 2)) {
      expect(b.browser.connected).toBe(true);
      expect((await b.browser.pages()).filter((p) => p.url().includes('room='))).toEqual([]);
    }
  }, 120_000);

  it('says which flags a remote browser without a camera needs', async () => {
    const out = tempOutDir('remote-no-camera');
    const run = await runCli(['run', 'scenarios/smoke.scenario.ts', '--duration', '5s', '--quiet', '--out', out, '--browser-endpoint', fleet[2]!.endpoint], { timeoutMs: 60_000 });
    const results = readResults(out);
    expect(run.code).toBe(2);
    expect(results.verdict).toBe('invalid');
    expect(results.participants[0]!.error).toContain(`the browser at ${fleet[2]!.endpoint} has no camera`);
    expect(results.participants[0]!.error).toContain('--use-fake-device-for-media-stream --use-fake-ui-for-media-stream');
    expect(fleet[2]!.browser.connected).toBe(true);
  }, 90_000);
});
