// Your own app: a page adapter from a module next to the scenario, script steps timed like any
// action, an app nobody can join (reported within the join timeout, the run ends at once, exit 2),
// and a timeline action the adapter has no hook for (refused before any browser starts). The
// "app" is the bundled SFU's page started by the test, standing in for a user's deployment; the
// adapter knows only its URL and its JavaScript API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { buildClient } from '../../scripts/build-client.mjs';
import { runCli } from '../support/cli.ts';
import { readResults, tempOutDir } from '../support/results.ts';

const chromiumSeen = (run: { seen: { cmd: string }[] }) => run.seen.filter((p) => /chrom/.test(p.cmd)).length;

describe('page adapters and script steps', () => {
  let sfu: Sfu;
  beforeAll(async () => {
    await buildClient();
    sfu = await startSfu({ numWorkers: 1 });
    process.env.RTC_APP_URL = sfu.url;
  });
  afterAll(async () => {
    delete process.env.RTC_APP_URL;
    await sfu?.close();
  });

  it("drives the user's app with their adapter module, and times script steps with their outcome", async () => {
    const out = tempOutDir('own-app');
    const run = await runCli(['run', 'test/fixtures/own-app/own-app.scenario.ts', '--out', out]);
    const results = readResults(out);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(results.target).toEqual({ kind: 'url', url: `${sfu.url}/?room={room}&name={name}`, page: 'my-app' });
    // The adapter's join started the camera: each caller receives the other's video.
    for (const p of results.participants) {
      expect(p.joinedAtMs, p.id).not.toBeNull();
      expect(p.aggregates.video_recv_fps?.p50 ?? 0, p.id).toBeGreaterThan(5);
    }
    const scripts = results.actions.filter((a) => a.do === 'script');
    expect(scripts.map((a) => [a.participant, a.name, a.ok])).toEqual([
      ['callers[0]', 'mute the camera through the app', true],
      ['callers[1]', 'raise a hand', false],
    ]);
    expect(scripts[0]!.durationMs).toBeGreaterThan(0);
    expect(scripts[1]!.error).toBe("callers[1]: script 'raise a hand' failed: No element found for selector: #raise-hand");
    expect(run.stdout).toContain("✗ script callers[1] at 6s: callers[1]: script 'raise a hand' failed");
    // The unmute after the scripted mute went through the adapter's own hook.
    expect(results.actions.find((a) => a.do === 'unmute')).toMatchObject({ participant: 'callers[0]', ok: true });
  });

  it('reports a page that never joins within the join timeout and ends the run at once with exit 2', async () => {
    const out = tempOutDir('never-joins');
    const run = await runCli(['run', 'test/fixtures/own-app/never-joins.scenario.ts', '--out', out]);
    expect(run.code).toBe(2);
    const results = readResults(out);
    expect(results.verdict).toBe('invalid');
    expect(results.participants.map((p) => p.error)).toEqual([
      'callers[0]: join() failed: did not finish within 3 s',
      'callers[1]: join() failed: did not finish within 3 s',
    ]);
    expect(run.stdout + run.stderr).toContain('nobody joined the call (the first error: callers[0]: join() failed: did not finish within 3 s)');
    // A 60 s scenario: it ended once both joins had failed, not at its duration.
    expect(run.wallMs).toBeLessThan(30_000);
  });

  it('refuses a timeline action the adapter has no hook for, before any browser starts', async () => {
    const run = await runCli(['run', 'test/fixtures/own-app/missing-hook.scenario.ts']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      "test/fixtures/own-app/missing-hook.scenario.ts: timeline[0]: 'mute' needs the page adapter 'join-only' to have mute(page, ctx, source); " +
        "add it to the adapter, or drive the page with a 'script' step",
    );
    expect(chromiumSeen(run)).toBe(0);
  });
});
