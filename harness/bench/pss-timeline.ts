// Where a run's memory goes over time: runs the CLI once on a scenario (default the capacity
// pairs) and prints every 5 s the browsers' PSS by Chromium process kind, then the groups' fps,
// glass-to-glass latency and picture quality. For taking a memory cost apart one change at a time.
//
//   CAPACITY_SOURCE=stamped CAPACITY_SIZE=4 CAPACITY_DURATION_S=30 npx tsx harness/bench/pss-timeline.ts
//   npx tsx harness/bench/pss-timeline.ts harness/bench/capacity-townhall.scenario.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pssMiB, readChromiumKinds, readTree } from './proc-tree.ts';
import { REPO_ROOT } from '../../test/support/cli.ts';
import { readResults } from '../../test/support/results.ts';

const scenario = process.argv[2] ?? 'harness/bench/capacity-pairs.scenario.ts';
const out = mkdtempSync(join(tmpdir(), 'rtc-harness-pss-timeline-'));
const child = spawn(process.execPath, ['harness/bin/rtc-harness.mjs', 'run', scenario, '--reporter', 'json', '--quiet', '--out', out], {
  cwd: REPO_ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: process.env,
});
const t0 = Date.now();
const timer = setInterval(() => {
  if (child.exitCode !== null) return;
  const kinds = [...readChromiumKinds(child.pid!)].sort(([, a], [, b]) => b.pssBytes - a.pssBytes);
  const browsers = pssMiB(readTree(child.pid!)).browsers;
  const byKind = kinds.map(([kind, e]) => `${kind} ×${e.processes} ${(e.pssBytes / 2 ** 20).toFixed(0)}`).join(', ');
  console.log(`${((Date.now() - t0) / 1000).toFixed(0)} s: browsers ${browsers.toFixed(0)} MiB (${byKind})`);
}, 5000);
await new Promise((resolve) => child.on('exit', resolve));
clearInterval(timer);
try {
  const r = readResults(out);
  const fig = (x: number | undefined, digits: number) => (x === undefined ? '-' : x.toFixed(digits));
  for (const g of r.groups) {
    const a = g.aggregates;
    console.log(`${g.name}: recv fps p50 ${fig(a.video_recv_fps?.p50, 1)}, glass-to-glass p50 ${fig(a.video_e2e_latency_ms?.p50, 0)} ms, PSNR p50 ${fig(a.video_stamp_psnr_db?.p50, 1)} dB`);
  }
  console.log(`verdict ${r.verdict}`);
} catch (err) {
  console.log(`no results: ${(err as Error).message}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
