// TURN fallback through a real coturn (Debian's turnserver, started for each run on loopback) with
// real Chromium participants on the bundled SFU, run by the real runner from the scenario files in
// test/fixtures. Each participant's firewall is its simulated link. Checked: UDP blocked -> relay
// over TCP; only the TLS route -> relay over TLS; expired credentials -> never connects, and the
// results say why; UDP blocked mid-call -> back over the relay, with the outage measured. And no
// coturn outlives a run, or a harness killed with SIGKILL. The first run keeps its Prometheus
// data, on which the participant dashboard's TURN panels are proven.
//
// Needs from Chromium (checked with 156.0.8078.114; the log's first line names the build):
// `iceTransportPolicy: 'relay'` honoured (relayOnly), `turns:`
// candidates gathered for a certificate accepted by `--ignore-certificate-errors-spki-list` (the
// run's key alone; with another key only443 never connects, checked with 156.0.8078.129), a dead
// pair declared after ~5 s.
//
// These tests measure paths and times on a machine shared with other work: the load-generator
// guard may call a run `invalid`, so they check the measurements whatever the verdict.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../harness/src/results/schema.ts';
import { runScenario } from '../../harness/src/runner/run.ts';
import { loadScenario } from '../../harness/src/scenario/load.ts';
import { resolvePlan } from '../../harness/src/scenario/resolve.ts';
import type { Sample } from '../../harness/src/stats/types.ts';
import { startCoturn } from '../../harness/src/turn/coturn.ts';
import { startPrometheusReporter } from '../../harness/src/prometheus/cli.ts';
import { buildClient } from '../../scripts/build-client.mjs';
import { leftoverChildren, readProc, REPO_ROOT } from '../support/cli.ts';
import { checkKeptHistory, PANELS_NEEDING } from '../support/dashboard-data.ts';

interface Run {
  results: RunResults;
  samples: Sample[];
  outDir: string;
}

const startedMs = performance.now();

/** What a run of this file may start, and must not leave behind. */
const STARTED_HERE = /chromium|mediasoup-worker|turnserver|prometheus/;

/** Runs a fixture with the real runner; with `prometheus`, also the embedded Prometheus export, as `run --prometheus` does. */
async function runFixture(name: string, options: { prometheus?: boolean } = {}): Promise<Run> {
  const file = join(REPO_ROOT, 'test/fixtures', `${name}.scenario.ts`);
  const plan = resolvePlan(await loadScenario(file), { file });
  const outDir = mkdtempSync(join(tmpdir(), `rtc-harness-${name}-`));
  const prometheus = options.prometheus ? await startPrometheusReporter({ prometheus: true }, { plan, outDir, onLog: () => {} }) : null;
  let results: RunResults;
  try {
    results = await runScenario(plan, { outDir, reporters: prometheus ? [prometheus] : [], onTargetStarted: (t) => prometheus?.addTarget(t) });
  } finally {
    await prometheus?.close();
  }
  const samples = readFileSync(join(outDir, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Sample);
  expect(await leftoverChildren(STARTED_HERE), 'browsers, SFU workers and coturn must be gone after the run').toEqual([]);
  console.log(`${name}: verdict ${results.verdict}${results.verdictReason ? ` (${results.verdictReason})` : ''}, output in ${outDir}`);
  return { results, samples, outDir };
}

const participant = (run: Run, id: string) => run.results.participants.find((p) => p.id === id)!;

describe('coturn for a run', () => {
  it('starts on loopback from a generated config, answers STUN, logs to the given file, and stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-coturn-'));
    const logPath = join(dir, 'coturn.log');
    const t0 = performance.now();
    const coturn = await startCoturn({ logPath });
    const readyMs = performance.now() - t0;
    try {
      expect(coturn.urls.udp).toBe(`turn:127.0.0.1:${coturn.port}?transport=udp`);
      expect(coturn.urls.tls).toBe(`turns:127.0.0.1:${coturn.tlsPort}?transport=tcp`);
      expect(coturn.secret.length).toBeGreaterThanOrEqual(32);
      expect(readProc(coturn.pid)?.cmd).toMatch(/^turnserver -c \S+turnserver\.conf$/);
      expect(await stunBinding(coturn.port), 'a STUN Binding success from coturn').toBe(true);
      expect(readFileSync(logPath, 'utf8')).toMatch(/Coturn-4\.\d/);
    } finally {
      await coturn.stop();
    }
    expect(coturn.exited).toBe(true);
    expect(readProc(coturn.pid)).toBeNull();
    expect(await stunBinding(coturn.port)).toBe(false);
    console.log(`coturn ready in ${Math.round(readyMs)} ms`);
  });

  it('does not outlive a harness killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-coturn-kill-'));
    const script = join(dir, 'start.mts');
    writeFileSync(
      script,
      `import { startCoturn } from ${JSON.stringify(join(REPO_ROOT, 'harness/src/turn/coturn.ts'))};\n` +
        `const c = await startCoturn({ logPath: ${JSON.stringify(join(dir, 'coturn.log'))} });\n` +
        `console.log(c.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
      child.once('exit', (code) => reject(new Error(`the harness process exited (${code}) before coturn started`)));
    });
    expect(readProc(pid)?.cmd).toMatch(/^turnserver/);
    child.kill('SIGKILL');
    // A killed process may linger as a zombie (empty cmdline) until its new parent reaps it.
    const alive = () => (readProc(pid)?.cmd ?? '') !== '';
    const deadline = Date.now() + 5_000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(), 'coturn is gone with the harness').toBe(false);
  });
});

describe('TURN fallback with real browsers and coturn', () => {
  beforeAll(async () => {
    // The runner serves sfu/client/dist: build it from the sources under test.
    await buildClient();
  });

  afterAll(async () => {
    expect(await leftoverChildren(STARTED_HERE)).toEqual([]);
    console.log(`turn e2e wall time: ${Math.round(performance.now() - startedMs)} ms`);
  });

  it('UDP blocked -> relay over TCP; only the TLS route ("443") -> relay over TLS', async () => {
    const startSeconds = Date.now() / 1000;
    const run = await runFixture('turn-start', { prometheus: true });
    const endSeconds = Date.now() / 1000;
    const tcp = participant(run, 'udpBlocked[0]');
    const tls = participant(run, 'only443[0]');
    for (const p of [tcp, tls]) expect(p.connected, `${p.id} connected (${p.error ?? 'no error'})`).toBe(true);
    expect(tcp.ice).toMatchObject({ relayed: true, relayProtocol: 'tcp', path: 'relay over tcp' });
    expect(tls.ice).toMatchObject({ relayed: true, relayProtocol: 'tls', path: 'relay over tls' });
    expect(tcp.ice!.relayedBytes).toBeGreaterThan(50_000);
    // The blocked ways show up as TURN errors: the TLS route for one, plain TCP for the other.
    expect(tcp.ice!.candidateErrors.map((e) => e.url)).toEqual(expect.arrayContaining([expect.stringMatching(/^turns:/)]));
    expect(tls.ice!.candidateErrors.every((e) => !e.url.startsWith('turns:'))).toBe(true);
    // Every sample that had a selected pair says relay, and over TCP/TLS.
    const relayValues = run.samples.filter((s) => s.values.ice_relay !== undefined).map((s) => s.values.ice_relay);
    expect(relayValues.length).toBeGreaterThan(5);
    expect(new Set(relayValues)).toEqual(new Set([1]));
    const byKey = Object.fromEntries(run.results.thresholds.map((t) => [`${t.key} ${t.expression}`, t]));
    expect(byKey['ice_tls{group:only443} min == 1']!.ok).toBe(true);
    expect(byKey['time_to_connected_ms p(95) < 3000']!.ok).toBe(true);
    // coturn ran for the run: its log in the output folder, allocations granted, media relayed.
    expect(existsSync(join(run.outDir, 'coturn.log'))).toBe(true);
    expect(run.results.turn?.server).toBe('bundled');
    expect(run.results.turn?.coturn?.allocations).toBeGreaterThanOrEqual(2);
    expect(run.results.turn?.coturn?.relayedBytes).toBeGreaterThan(50_000);
    const ttc = (p: typeof tcp) => p.aggregates.time_to_connected_ms?.max;
    console.log(
      `time to connected: relay over TCP ${ttc(tcp)?.toFixed(0)} ms, relay over TLS ${ttc(tls)?.toFixed(0)} ms; ` +
        `coturn relayed ${run.results.turn?.coturn?.relayedBytes} bytes in ${run.results.turn?.coturn?.allocations} allocations`,
    );
    // The participant dashboard's TURN panels, which only a run with TURN can fill, have data in
    // the Prometheus that scraped this run.
    const { failures, queries } = await checkKeptHistory(run.outDir, ['participant.json'], { startSeconds, endSeconds }, { only: PANELS_NEEDING.turn });
    expect(failures).toEqual([]);
    expect(queries).toBe(2);
  });

  it('a participant with expired credentials fails to connect and is reported as such', async () => {
    const run = await runFixture('turn-expired');
    const open = participant(run, 'open[0]');
    const expired = participant(run, 'expired[0]');
    expect(open.connected, `open[0] connected (${open.error ?? 'no error'})`).toBe(true);
    expect(expired.connected).toBe(false);
    expect(expired.joinedAtMs).not.toBeNull();
    expect(expired.error).toMatch(/^ICE failed: TURN allocation refused \(401 Unauthorized: expired or wrong credentials ×\d+\)$/);
    // coturn's log is the ground truth: Chromium holds a refused allocation back from the page
    // (its candidate errors wait for gathering to end, which it never does after a 401).
    expect(expired.aggregates.turn_allocation_refused_count_total?.max).toBeGreaterThan(0);
    expect(open.aggregates.turn_allocation_refused_count_total?.max).toBe(0);
    expect(Object.keys(run.results.turn!.coturn!.refusedByUser)).toEqual([expect.stringMatching(/^\d+:expired\[0\]$/)]);
    console.log(`expired credentials: ${expired.error}`);
  });

  it('UDP blocked mid-call: the page restarts ICE and media comes back over the relay, outage measured', async () => {
    const run = await runFixture('turn-midcall');
    const blocked = participant(run, 'blocked[0]');
    expect(blocked.connected).toBe(true);
    const startMs = run.results.timelineStartUnixMs!;
    const before = run.samples.filter((s) => s.participant === 'blocked[0]' && s.t - startMs < 5_000 && s.values.ice_relay !== undefined);
    expect(before.length).toBeGreaterThan(1);
    expect(before.every((s) => s.values.ice_relay === 0), 'direct before the block').toBe(true);
    expect(blocked.ice).toMatchObject({ relayed: true, relayProtocol: 'tcp' });
    const outages = run.samples.filter((s) => s.participant === 'blocked[0]').flatMap((s) => s.values.media_interruption_seconds ?? []);
    expect(outages.length, 'one media interruption, which ended').toBeGreaterThanOrEqual(1);
    const outageSeconds = Math.max(...outages);
    // Chromium declares the pair dead after ~5 s without answers; the restart takes well under 1 s.
    expect(outageSeconds).toBeGreaterThan(1);
    expect(outageSeconds).toBeLessThan(10);
    const action = run.results.actions.find((a) => a.do === 'forceTurn')!;
    expect(action.ok).toBe(true);
    console.log(`mid-call fallback: media interrupted ${outageSeconds.toFixed(2)} s, back over ${blocked.ice!.path}`);
  });
});

/** true when a STUN Binding request to 127.0.0.1:port gets a success answer within 500 ms. */
function stunBinding(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt32BE(0x2112a442, 4);
    request.write('rtc-harness1', 8);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => done(msg.readUInt16BE(0) === 0x0101));
    socket.send(request, port, '127.0.0.1');
  });
}
