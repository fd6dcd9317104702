#!/usr/bin/env zx
// Runs every shipped scenario (or those named) one after another, several times, through the CLI
// as a user runs them, and prints a table of exit codes, verdicts and the machine's CPU. Each
// scenario in scenarios/ is an example users copy: each must exit 0 here, run after run.
//
//   npm run scenarios                              every scenarios/*.scenario.ts, 3 runs each
//   npm run scenarios -- --runs 1 scenarios/churn.scenario.ts
//
// Exits 0 when every run exited 0, else 1. Results stay in results/scenarios-<time>/.
import { $, fs, path, argv, glob } from 'zx';

$.verbose = false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(argv.runs ?? 3);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
  console.error('--runs must be an integer from 1 to 20');
  process.exit(1);
}
const files = argv._.length > 0 ? argv._.map(String) : (await glob('scenarios/*.scenario.ts', { cwd: root })).sort();
const outRoot = path.join(root, 'results', `scenarios-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const rows = [];
for (const file of files) {
  for (let i = 1; i <= runs; i++) {
    const out = path.join(outRoot, `${path.basename(file, '.scenario.ts')}-${i}`);
    const started = Date.now();
    const run = await $({ cwd: root })`node harness/bin/rtc-harness.mjs run ${file} --out ${out} --quiet`.nothrow();
    const seconds = Math.round((Date.now() - started) / 1000);
    let results = null;
    try {
      results = JSON.parse(await fs.readFile(path.join(out, 'results.json'), 'utf8'));
    } catch {
      // No results: the run failed before writing any; its stderr says why.
    }
    const failed = (results?.thresholds ?? []).filter((t) => !t.ok).map((t) => `${t.key} ${t.expression} (actual ${t.actual})`);
    const row = {
      scenario: path.basename(file),
      run: i,
      exit: run.exitCode,
      verdict: results?.verdict ?? '-',
      seconds,
      cpuAvg: results?.loadGenerator?.avgCpuPercent == null ? null : Math.round(results.loadGenerator.avgCpuPercent),
      reason: run.exitCode === 0 ? '' : results?.verdictReason ?? (failed.join('; ') || run.stderr.trim().split('\n').at(-1) || ''),
    };
    rows.push(row);
    console.log(`${row.scenario} run ${i}: exit ${row.exit}, ${row.verdict}, ${seconds} s, machine CPU avg ${row.cpuAvg ?? '-'} %${row.reason ? ` — ${row.reason}` : ''}`);
  }
}
console.log('\n| scenario | ' + Array.from({ length: runs }, (_, i) => `run ${i + 1}`).join(' | ') + ' |');
console.log('|---|' + '---|'.repeat(runs));
for (const file of files) {
  const own = rows.filter((r) => r.scenario === path.basename(file));
  console.log(`| ${path.basename(file)} | ` + own.map((r) => `exit ${r.exit} (${r.verdict}, ${r.seconds} s, CPU ${r.cpuAvg ?? '-'} %)`).join(' | ') + ' |');
}
console.log(`\nresults in ${path.relative(root, outRoot)}/`);
process.exit(rows.every((r) => r.exit === 0) ? 0 : 1);
