// The harness as a user runs it: the CLI in a child process against the bundled SFU and real
// Chromium, checked through its exit code, its output and the files it writes.
//
// Needs from Chromium (checked with 156.0.8078.114): a call page runs in a `--type=renderer`
// process of its own, and a killed renderer is reported to DevTools (Inspector.targetCrashed).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendants, leftoverProcesses, processAlive, renderersUnder, runCli, type CliRun } from '../support/cli.ts';
import { tempOutDir, readResults, readSamples } from '../support/results.ts';
import { checkUnlessStarved } from '../support/starved.ts';
import { waitFor } from '../support/wait.ts';

const outDir = () => tempOutDir('e2e');

/**
 * Runs the crash fixture and, once `ready` holds on what it wrote to `out`, SIGKILLs the process
 * `pick` chooses under the CLI (its pid). Returns the run and the pid killed, if any.
 */
async function runCrashFixtureKilling(out: string, ready: () => boolean, pick: (cliPid: number) => number | undefined): Promise<{ run: CliRun; killed: number | undefined }> {
  let killed: number | undefined;
  const run = await runCli(['run', 'test/fixtures/crash.scenario.ts', '--out', out], {
    onSpawn: (child) => {
      void (async () => {
        await waitFor(ready, 60_000, 'samples', 250);
        killed = pick(child.pid!);
        if (killed) process.kill(killed, 'SIGKILL');
      })().catch((err) => console.error(err));
    },
  });
  return { run, killed };
}

/**
 * Every one of the three callers has `n` samples with received video figures: what a kill must
 * leave behind for the test to check that it was kept (a count of samples over all callers let
 * one caller that had only sent so far through).
 */
const everyoneReceivingVideo = (out: string, n: number) => () => {
  if (!existsSync(join(out, 'samples.jsonl'))) return false;
  const samples = readSamples(out);
  const receiving = (id: string) =>
    samples.filter((s) => s.participant === id && s.streams.some((x) => x.direction === 'in' && x.kind === 'video' && x.values.video_recv_fps !== undefined)).length;
  return [0, 1, 2].every((i) => receiving(`callers[${i}]`) >= n);
};

describe('rtc-harness run', () => {
  it('passes the smoke scenario with exit 0, a summary, and consistent results.json and samples.jsonl', async () => {
    const loadLine = (r: CliRun) => r.stdout.split('\n').find((l) => l.includes('load generator:'))?.trim();
    // A run starved by another job on this machine is not the smoke scenario failing: the harness
    // says so itself (CPU not the run's), and the test runs it again (test/support/starved.ts).
    const attempt = async () => {
      const out = outDir();
      const run = await runCli(['run', 'scenarios/smoke.scenario.ts', '--out', out]);
      console.log(`smoke run: exit ${run.code} in ${(run.wallMs / 1000).toFixed(1)} s; ${loadLine(run)}`);
      return { out, run };
    };
    const { out, run } = await checkUnlessStarved(attempt, (a) => {
      expect(a.run.code, a.run.stdout + a.run.stderr).toBe(0);
      return a;
    });
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.stdout).toContain('verdict: PASS');
    expect(run.stdout).toMatch(/✓ join_to_first_frame_ms/);

    const results = readResults(out);
    expect(results.verdict).toBe('pass');
    expect(results.scenario).toBe('smoke');
    expect(results.durationSeconds).toBeGreaterThanOrEqual(19);
    expect(results.thresholds.length).toBeGreaterThanOrEqual(4);
    for (const t of results.thresholds) {
      expect(t).toMatchObject({ ok: true });
      expect(typeof t.metric).toBe('string');
      expect(typeof t.expression).toBe('string');
      expect(typeof t.actual).toBe('number');
    }
    expect(results.participants.map((p) => p.id)).toEqual(['callers[0]', 'callers[1]', 'callers[2]']);
    for (const p of results.participants) {
      expect(p.connected).toBe(true);
      expect(p.error).toBeUndefined();
      expect(p.aggregates.video_recv_fps?.p50).toBeGreaterThan(15);
    }

    // Every sample is a JSON line; the count and the figures agree with results.json.
    const samples = readSamples(out);
    expect(samples.length).toBe(results.sampleCount);
    for (const p of results.participants) {
      const own = samples.filter((s) => s.participant === p.id);
      expect(own.length).toBeGreaterThan(10);
      const fps = own.flatMap((s) => s.streams.filter((st) => st.direction === 'in' && st.kind === 'video').map((st) => st.values.video_recv_fps)).filter((v): v is number => v !== undefined);
      expect(fps.length).toBe(p.aggregates.video_recv_fps?.count);
      expect(Math.max(...fps)).toBeCloseTo(p.aggregates.video_recv_fps!.max, 6);
    }
    expect(await leftoverProcesses(run)).toEqual([]);
  }, 240_000);

  it('exits 99 and names the threshold when a threshold fails', async () => {
    const out = outDir();
    const run = await runCli(['run', 'test/fixtures/impossible.scenario.ts', '--out', out]);
    expect(run.code, run.stdout + run.stderr).toBe(99);
    expect(run.stdout).toMatch(/✗ video_recv_fps .*p\(50\) > 1000/);
    expect(run.stdout).toContain('verdict: FAIL');
    const results = readResults(out);
    expect(results.verdict).toBe('fail');
    expect(results.verdictReason).toContain('video_recv_fps');
    const failed = results.thresholds.find((t) => t.metric === 'video_recv_fps')!;
    expect(failed.ok).toBe(false);
    expect(failed.actual).toBeGreaterThan(1);
    expect(results.thresholds.find((t) => t.metric === 'video_freeze_seconds_total')?.ok).toBe(true);
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  it('keeps what a participant measured when its page dies mid-run, and writes the results', async () => {
    const out = outDir();
    // Once every participant has received video for a few samples, kill one page's renderer process.
    const { run, killed } = await runCrashFixtureKilling(out, everyoneReceivingVideo(out, 3), (cli) => renderersUnder(cli)[0]);
    expect(killed, 'a renderer hosting a call page (Chromium runs pages in --type=renderer processes)').toBeDefined();
    expect([0, 99]).toContain(run.code);
    const results = readResults(out);
    const dead = results.participants.filter((p) => p.error);
    expect(dead, 'the participant whose renderer was killed says so (Chromium reports the crash to DevTools)').toHaveLength(1);
    expect(dead[0]!.error).toMatch(/crash|closed|gone|stopped/i);
    // Its measurements from before the crash are kept, in the aggregates and in samples.jsonl.
    expect(dead[0]!.aggregates.video_recv_fps?.count).toBeGreaterThan(0);
    expect(readSamples(out).some((s) => s.participant === dead[0]!.id)).toBe(true);
    expect(run.stdout).toContain(`${dead[0]!.id}:`);
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  it('keeps what a participant measured between its last sample and its leave', async () => {
    const out = outDir();
    const run = await runCli(['run', 'test/fixtures/leave-between-samples.scenario.ts', '--out', out, '--quiet']);
    // No threshold: the run passes, or is invalid when this machine is saturated.
    expect([0, 2], run.stderr).toContain(run.code);
    const results = readResults(out);
    const leave = results.actions.find((a) => a.do === 'leave')!;
    expect(leave.ok, leave.error).toBe(true);
    const leftAtMs = results.timelineStartUnixMs! + leave.startedMs;
    const leaver = readSamples(out).filter((s) => s.participant === 'callers[1]');
    console.log(`callers[1] left at ${(leave.startedMs / 1000).toFixed(2)} s; its samples at ${leaver.map((s) => `${((s.t - results.timelineStartUnixMs!) / 1000).toFixed(2)} s`).join(', ')}`);
    // Its samples are 5 s apart: the one before the leave was taken as it joined, before its
    // connections connected. Those it closed are reported once more, with the stats taken as they closed.
    expect(leaver.some((s) => s.t < leftAtMs && s.values.connected === 1), 'a sample before the leave saw it connected: nothing to prove').toBe(false);
    const after = leaver.find((s) => s.t > leftAtMs && s.streams.some((x) => x.direction === 'in' && x.kind === 'video'));
    expect(after, 'a sample after the leave with the stats of its closed connections').toBeDefined();
    const video = after!.streams.find((s) => s.kind === 'video' && s.direction === 'in')!;
    expect(video.values.join_to_first_frame_ms).toBeGreaterThan(0);
    expect(video.values.video_recv_height_px).toBe(180);
    const leaverResult = results.participants.find((p) => p.id === 'callers[1]')!;
    expect(leaverResult.aggregates.join_to_first_frame_ms?.count).toBe(1);
    // Connected, though no sample saw its connections open: not a participant that failed the run.
    expect(leaverResult.connected).toBe(true);
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  it('keeps what every participant measured when the whole browser dies, and calls the run invalid (exit 2)', async () => {
    const out = outDir();
    // The browser's main process: a Chromium under the CLI that is not a --type= helper.
    const browserMain = (cli: number) => descendants(cli).find((p) => /chrom/.test(p.cmd) && p.cmd.includes('--user-data-dir') && !p.cmd.includes('--type='))?.pid;
    const { run, killed } = await runCrashFixtureKilling(out, everyoneReceivingVideo(out, 2), browserMain);
    expect(killed, 'a browser process to kill').toBeDefined();
    expect(run.code, run.stdout + run.stderr).toBe(2);
    const results = readResults(out);
    expect(results.verdict).toBe('invalid');
    expect(results.verdictReason).toMatch(/every participant's page is gone \(the last: its browser process died\)/);
    // Ended soon after the death, not at the scenario's 14 s, and blamed nothing on the SFU.
    expect(results.durationSeconds).toBeLessThan(13);
    expect(results.sfu?.leaked ?? false).toBe(false);
    for (const p of results.participants) {
      expect(p.error).toBe('its browser process died');
      expect(p.aggregates.video_recv_fps?.count, `${p.id} kept its measurements`).toBeGreaterThan(0);
    }
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  it("fails the run when the SFU's worker dies and drops everyone, naming them, and replaces the worker", async () => {
    const out = outDir();
    const worker = (cli: number) => descendants(cli).find((p) => /mediasoup-worker/.test(p.cmd))?.pid;
    const { run, killed } = await runCrashFixtureKilling(out, everyoneReceivingVideo(out, 2), worker);
    expect(killed, 'a worker process to kill').toBeDefined();
    expect(run.code, run.stdout + run.stderr).toBe(99);
    expect(run.stdout).toMatch(/SFU: mediasoup worker 0 \(pid \d+\) died: .*SIGKILL.*; its rooms are closed/);
    expect(run.stdout).toMatch(/SFU: mediasoup worker 0 replaced by pid \d+, on the same media port/);
    expect(run.stderr, 'the SFU logs through the run log, not on its own').not.toMatch(/ sfu (error|warn) /);
    const results = readResults(out);
    expect(results.verdict).toBe('fail');
    expect(results.verdictReason).toMatch(/the SFU dropped 3 participant\(s\) from their room: callers\[0\], callers\[1\], callers\[2\] \(.*1011/);
    // Not a leak: the SFU held nothing for pages that were no longer in their room.
    expect(results.sfu?.leaked).toBe(false);
    expect(results.sfu?.dropped.map((d) => d.id).sort()).toEqual(['callers[0]', 'callers[1]', 'callers[2]']);
    for (const p of results.participants) {
      expect(p.error).toMatch(/^dropped from its room by the SFU: /);
      expect(p.aggregates.video_recv_fps?.count, `${p.id} kept its measurements`).toBeGreaterThan(0);
    }
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  // SIGHUP: the terminal or SSH session closed. The browsers are checked on the way: DevTools over
  // a pipe, never a port another local user could drive them through.
  it.each(['SIGINT', 'SIGHUP'] as const)('stops on %s, writes what was measured, exits 2 and leaves no process behind', async (signal) => {
    const out = outDir();
    let browserCommands: string[] = [];
    const run = await runCli(['run', 'test/fixtures/crash.scenario.ts', '--out', out], {
      onSpawn: (child) => {
        void waitFor(() => existsSync(join(out, 'samples.jsonl')) && readSamples(out).length >= 6, 60_000, 'samples', 250)
          .then(() => {
            browserCommands = descendants(child.pid!).map((p) => p.cmd).filter((cmd) => /chrom/.test(cmd) && !/--type=/.test(cmd));
            child.kill(signal);
          })
          .catch((err) => console.error(err));
      },
    });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain(signal);
    const results = readResults(out);
    expect(results.interrupted).toBe(true);
    expect(results.verdictReason).toContain(signal);
    expect(results.durationSeconds).toBeLessThan(14);
    expect(results.sampleCount).toBeGreaterThanOrEqual(6);
    expect(readSamples(out).length).toBe(results.sampleCount);
    expect(browserCommands.length, 'a browser was running').toBeGreaterThan(0);
    for (const cmd of browserCommands) {
      expect(cmd).toContain('--remote-debugging-pipe');
      expect(cmd).not.toContain('--remote-debugging-port');
    }
    expect(await leftoverProcesses(run)).toEqual([]);
  });
});

describe('rtc-harness under faults', () => {
  it('a TURN server killed mid-call: the relayed participant says so, the others keep their media, exit 2, nothing left', async () => {
    const out = outDir();
    let killedAtMs = 0;
    const run = await runCli(['run', 'test/fixtures/turn-dies.scenario.ts', '--out', out], {
      onSpawn: (child) => {
        const relayed = () => readSamples(out).filter((s) => s.participant === 'udpBlocked[0]' && s.values.ice_relay === 1 && (s.values.recv_bitrate_kbps ?? 0) > 20);
        void waitFor(() => existsSync(join(out, 'samples.jsonl')) && relayed().length >= 2, 60_000, 'a relayed participant receiving', 250)
          .then(() => {
            const coturn = descendants(child.pid!).find((p) => /turnserver/.test(p.cmd));
            if (!coturn) throw new Error('no coturn under the harness');
            killedAtMs = Date.now();
            process.kill(coturn.pid, 'SIGKILL');
          })
          .catch((err) => console.error(err));
      },
    });
    expect(killedAtMs, 'coturn was killed').toBeGreaterThan(0);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    const results = readResults(out);
    expect(results.turn?.died).toMatchObject({ signal: 'SIGKILL' });
    expect(results.verdictReason).toMatch(/TURN server.*died/);
    const byId = new Map(results.participants.map((p) => [p.id, p]));
    expect(byId.get('udpBlocked[0]')!.error).toMatch(/TURN server .* died at \+\d+\.\d s \(killed by SIGKILL\)/);
    for (const id of ['open[0]', 'open[1]']) expect(byId.get(id)!.error, id).toBeUndefined();
    // After the kill (and a second for the last relayed packets): the open callers still receive
    // each other, the relayed one nothing.
    const after = readSamples(out).filter((s) => s.t > killedAtMs + 2_000);
    const bitrate = (id: string) => after.filter((s) => s.participant === id).map((s) => s.values.recv_bitrate_kbps ?? 0);
    for (const id of ['open[0]', 'open[1]']) {
      expect(bitrate(id).length, id).toBeGreaterThanOrEqual(3);
      expect(Math.min(...bitrate(id)), id).toBeGreaterThan(20);
    }
    expect(Math.max(0, ...bitrate('udpBlocked[0]').slice(1))).toBeLessThan(5);
    expect(run.stdout + run.stderr).toMatch(/TURN server died at .*udpBlocked\[0\]/);
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  it('a call server that cannot be reached: exit 2 within seconds, naming it, with no token in any output', async () => {
    const out = outDir();
    // A port that accepts connections and never answers: the worst case, a server that hangs.
    const held: import('node:net').Socket[] = [];
    const server = createServer((socket) => void held.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const started = Date.now();
    try {
      const run = await runCli(['run', 'scenarios/smoke.scenario.ts', '--target-url', `http://127.0.0.1:${port}/?room={room}&token=TOKEN-SHOULD-NOT-LEAK`, '--out', out]);
      expect(run.code, run.stdout + run.stderr).toBe(2);
      expect(Date.now() - started).toBeLessThan(25_000);
      const results = readResults(out);
      expect(results.verdictReason).toContain(`the call page at http://127.0.0.1:${port} cannot be reached from here: no answer within 10 s`);
      for (const file of readdirSync(out)) expect(readFileSync(join(out, file), 'utf8'), file).not.toContain('TOKEN-SHOULD-NOT-LEAK');
      expect(run.stdout + run.stderr).not.toContain('TOKEN-SHOULD-NOT-LEAK');
      expect(await leftoverProcesses(run)).toEqual([]);
    } finally {
      held.forEach((s) => s.destroy());
      server.close();
    }
  });

  it('a run past its --timeout stops, keeps what was measured, exits 2 and leaves nothing', async () => {
    const out = outDir();
    const started = Date.now();
    const run = await runCli(['run', 'test/fixtures/crash.scenario.ts', '--duration', '60s', '--timeout', '12s', '--out', out]);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(Date.now() - started).toBeLessThan(40_000);
    const results = readResults(out);
    expect(results.verdict).toBe('invalid');
    expect(results.verdictReason).toContain('the run took longer than its timeout of 12 s (--timeout)');
    expect(results.sampleCount).toBeGreaterThanOrEqual(3);
    expect(readSamples(out).length).toBe(results.sampleCount);
    expect(await leftoverProcesses(run)).toEqual([]);
  });
});

describe('rtc-harness stopped by a second Ctrl-C', () => {
  // The second Ctrl-C exits at once, without the runner's teardown. The temporary folders still
  // go (util/temp-dir.ts): Chromium profiles, and coturn's, which holds the TURN secret and key.
  it('leaves none of its temporary folders behind', async () => {
    const out = outDir();
    const ours = () => new Set(readdirSync(tmpdir()).filter((name) => /^rtc-harness-(chromium|turn|prometheus)-/.test(name)));
    const before = ours();
    let during: string[] = [];
    const run = await runCli(['run', 'test/fixtures/turn-start.scenario.ts', '--out', out], {
      onSpawn: (child) => {
        void waitFor(() => existsSync(join(out, 'samples.jsonl')) && readSamples(out).length >= 3, 60_000, 'samples', 250)
          .then(async () => {
            during = [...ours()].filter((name) => !before.has(name));
            child.kill('SIGINT');
            await new Promise((r) => setTimeout(r, 200));
            child.kill('SIGINT');
          })
          .catch((err) => console.error(err));
      },
    });
    expect(run.code, run.stderr).toBe(2);
    expect(during.some((name) => name.startsWith('rtc-harness-chromium-')), `a profile existed during the run (${during.join(', ')})`).toBe(true);
    expect(during.some((name) => name.startsWith('rtc-harness-turn-')), `coturn's folder existed during the run (${during.join(', ')})`).toBe(true);
    const left = [...ours()].filter((name) => during.includes(name));
    expect(left).toEqual([]);
    expect(await leftoverProcesses(run)).toEqual([]);
  });
});

describe('rtc-harness killed outright', () => {
  // SIGKILL (or the OOM killer) runs none of the harness's handlers. What it started must still go:
  // Prometheus and the Pushgateway by their parent-death signal, Chromium and the mediasoup worker
  // when their pipe to the harness closes.
  it('leaves no process behind within 5 s of a SIGKILL, Prometheus included', async () => {
    const out = outDir();
    let started: { pid: number; cmd: string }[] = [];
    await runCli(['run', 'test/fixtures/crash.scenario.ts', '--prometheus', '--pushgateway', '--out', out], {
      onSpawn: (child) => {
        void waitFor(() => existsSync(join(out, 'samples.jsonl')) && readSamples(out).length >= 3, 60_000, 'samples', 250)
          .then(() => {
            started = descendants(child.pid!).map((p) => ({ pid: p.pid, cmd: p.cmd }));
            child.kill('SIGKILL');
          })
          .catch((err) => console.error(err));
      },
    });
    const names = started.map((p) => p.cmd.split(' ')[0]!.split('/').pop()).join(' ');
    for (const daemon of [/prometheus /, /pushgateway/, /mediasoup-worker/, /chrom/]) {
      expect(started.some((p) => daemon.test(p.cmd)), `${daemon} was running (${names})`).toBe(true);
    }
    const alive = () => started.filter((p) => processAlive(p.pid));
    await waitFor(() => alive().length === 0, 5_000, 'every process the harness started to exit').catch(() => undefined);
    expect(alive().map((p) => p.cmd.slice(0, 120))).toEqual([]);
  });
});

describe('rtc-harness bad input', () => {
  it('names the file and the field of a wrong scenario, exits 1, prints no stack', async () => {
    const run = await runCli(['run', 'test/fixtures/bad-count.scenario.ts']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/test\/fixtures\/bad-count\.scenario\.ts: participants\.callers\.count must be an integer from 1 to 10000, got 0/);
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  it('refuses Firefox groups on remote browsers before starting anything, naming the group', async () => {
    const run = await runCli(['run', 'scenarios/mixed-browsers.scenario.ts', '--browser-endpoint', 'ws://127.0.0.1:9/devtools/browser/none']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain("participants.firefoxPublisher.browser is 'firefox' (also firefoxViewer)");
    expect(await leftoverProcesses(run)).toEqual([]);
  });

  it('exits 1 for a scenario file that does not exist and for an unknown option', async () => {
    const missing = await runCli(['run', 'scenarios/nope.scenario.ts']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('scenarios/nope.scenario.ts');
    const unknown = await runCli(['run', 'scenarios/smoke.scenario.ts', '--frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--frobnicate');
  });

  it('teaches with --help, for the program and for run', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('run [options] <scenario>');
    const run = await runCli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Exit codes: 0 passed, 99 a threshold failed, 1 bad input, 2 the run failed');
    expect(run.stdout).toContain('--set <group.field=value>');
  });
});
