// One scenario spread over shards, as users spread it over machines: three hosts of their own on
// this machine (network namespaces on one bridge, each with its own address), the SFU on the first
// (`npm run sfu`, as on its own host), the CLI run at once on the other two with --target-url and
// --shard 1/2, 2/2, then `rtc-harness merge`. The merged results must have every participant of
// the scenario, every threshold, and the structure of an unsharded run of the same scenario
// against the same SFU; each shard's participants must have received the others'.
//
// On this 2-core machine two shards at once may saturate it: the verdict then is 'invalid' and the
// exit code says so; the structure is checked whatever the verdict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildClient } from '../../scripts/build-client.mjs';
import { createLan, type Lan } from '../support/netns.ts';
import { waitFor } from '../support/wait.ts';
import type { RunResults } from '../../harness/src/results/schema.ts';
import { REPO_ROOT, runCli } from '../support/cli.ts';
import { EXIT_OF_VERDICT, readResults, tempOutDir } from '../support/results.ts';

/** Every key path of a results.json (arrays as one element), without the fields that say how it was run. */
function keyPaths(value: unknown, path = '', into = new Set<string>()): Set<string> {
  if (/^(shard|merged)(\.|$)/.test(path)) return into;
  into.add(path);
  if (Array.isArray(value)) for (const v of value) keyPaths(v, `${path}[]`, into);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) keyPaths(v, path ? `${path}.${k}` : k, into);
  return into;
}

/** Key paths down to the fields a user reads, not every metric each participant happened to measure. */
const structure = (r: RunResults) => [...keyPaths(r)].filter((p) => !/aggregates\./.test(p) && !/^verdictReason$|^actions\[\]\.error$/.test(p)).sort();

describe('shards and merge', () => {
  let lan: Lan;
  let sfu: ChildProcess | undefined;
  let sfuUrl: string;
  let sfuLog = '';
  beforeAll(async () => {
    await buildClient();
    lan = createLan(3);
    const ip = lan.addresses[0]!;
    sfuUrl = `http://${ip}:3000`;
    const [command, ...args] = [...lan.exec(0), process.execPath, '--import', 'tsx', 'sfu/src/main.ts', '--listen-ip', ip, '--port', '3000', '--rtc-port', '40000', '--workers', '1', '--log-level', 'warn', '--allow-anonymous-joins'];
    sfu = spawn(command!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    sfu.stdout!.on('data', (d) => (sfuLog += d));
    sfu.stderr!.on('data', (d) => (sfuLog += d));
    await waitFor(async () => (await fetch(`${sfuUrl}/healthz`).catch(() => null))?.ok === true, 20_000, `the SFU on ${ip} (log: ${sfuLog})`, 200);
  }, 60_000);
  afterAll(async () => {
    if (sfu && sfu.exitCode === null) {
      sfu.kill('SIGTERM');
      await new Promise((r) => sfu!.once('close', r));
    }
    lan?.remove();
  });

  it('merges two shards of the smoke scenario into one run with every participant and threshold', async () => {
    const common = ['scenarios/smoke.scenario.ts', '--target-url', sfuUrl, '--duration', '15s', '--quiet', '--reporter', 'console'];
    const whole = tempOutDir('unsharded');
    const wholeRun = await runCli(['run', ...common, '--seed', '7', '--out', whole], { timeoutMs: 90_000, prefix: lan.exec(1) });
    const unsharded = readResults(whole);
    expect(wholeRun.code, wholeRun.stderr).toBe(EXIT_OF_VERDICT[unsharded.verdict as keyof typeof EXIT_OF_VERDICT]);

    const dirs = [tempOutDir('shard-1'), tempOutDir('shard-2')];
    const runs = await Promise.all(
      // Each shard on a host of its own: hosts 2 and 3.
      dirs.map((out, i) => runCli(['run', ...common, '--shard', `${i + 1}/2`, '--run-id', 'e2e-shards', '--out', out], { timeoutMs: 90_000, prefix: lan.exec(i + 1) })),
    );
    const shards = dirs.map(readResults);
    for (const [i, s] of shards.entries()) {
      expect(runs[i]!.code, runs[i]!.stderr).toBe(EXIT_OF_VERDICT[s.verdict as keyof typeof EXIT_OF_VERDICT]);
      expect(s.shard).toMatchObject({ index: i + 1, count: 2, runId: 'e2e-shards' });
      // One kernel clock behind the namespaces: the measured offset is within the round trip.
      expect(Math.abs(s.shard!.clock!.offsetMs)).toBeLessThanOrEqual(s.shard!.clock!.rttMs + 5);
      expect(existsSync(join(dirs[i]!, 'points.jsonl'))).toBe(true);
    }
    expect(shards.map((s) => s.participants.map((p) => p.id))).toEqual([['callers[0]', 'callers[2]'], ['callers[1]']]);
    // Same seed on both shards, drawn from the run id.
    expect(shards[0]!.seed).toBe(shards[1]!.seed);

    const out = tempOutDir('merged');
    const merge = await runCli(['merge', ...dirs, '--out', out, '--reporter', 'console,html,junit'], { timeoutMs: 60_000 });
    const merged = readResults(out);
    expect(merge.code, merge.stderr).toBe(EXIT_OF_VERDICT[merged.verdict as keyof typeof EXIT_OF_VERDICT]);
    expect(merge.stdout).toContain('verdict:');
    for (const file of ['samples.jsonl', 'points.jsonl', 'report.html', 'junit.xml']) expect(existsSync(join(out, file)), file).toBe(true);

    expect(merged.participants.map((p) => p.id)).toEqual(['callers[0]', 'callers[1]', 'callers[2]']);
    expect(merged.thresholds.map((t) => `${t.key} ${t.expression}`)).toEqual(unsharded.thresholds.map((t) => `${t.key} ${t.expression}`));
    expect(merged.groups).toEqual([expect.objectContaining({ name: 'callers', count: 3 })]);
    expect(merged.merged).toMatchObject({ runId: 'e2e-shards', count: 2, clockAligned: true });
    expect(structure(merged)).toEqual(structure(unsharded));

    // One call across the shards: shard 2's caller received both of shard 1's, and they received it.
    for (const p of merged.participants) {
      expect(p.connected, p.id).toBe(true);
      expect(p.aggregates.video_recv_fps?.p50 ?? 0, `${p.id} received video`).toBeGreaterThan(5);
    }
    // The merged group figures count every shard's points: as many as the shards' together.
    const count = (r: RunResults) => r.groups[0]!.aggregates.video_recv_fps!.count;
    expect(count(merged)).toBe(count(shards[0]!) + count(shards[1]!));
  }, 300_000);
});
