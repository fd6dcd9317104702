#!/usr/bin/env zx
// Rehearses CI the way it really runs: clones this repository's committed HEAD into a new temp
// folder and runs `.ci/run` there with CI=true, so nothing of this work tree (node_modules, the
// built call page, results, uncommitted edits) can hide a failure. The machine-wide parts stay
// as they are (Debian packages, the worker cache in ~/.cache/rtc-harness): to rehearse a machine
// that never had them, remove them first (`apt-get purge chromium chromium-headless-shell coturn`,
// `rm -rf ~/.cache/rtc-harness`).
//
//   npm run test:fresh                  clone, run .ci/run, remove the clone
//   npm run test:fresh -- --keep        keep the clone (its path is printed)
//   npm run test:fresh -- --runs 2      run .ci/run twice in the same clone (the second is warm)
import { $, fs, os, path, argv, chalk } from 'zx';

$.verbose = false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(argv.runs ?? 1);
if (!Number.isInteger(runs) || runs < 1 || runs > 5) {
  console.error('--runs must be an integer from 1 to 5');
  process.exit(1);
}
const dirty = (await $({ cwd: root })`git status --porcelain --untracked-files=no`).stdout.trim();
if (dirty) console.log(chalk.yellow('test:fresh: uncommitted changes are not in the clone (it takes the committed HEAD):\n' + dirty));

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rtc-harness-fresh-'));
const commit = (await $({ cwd: root })`git rev-parse --short HEAD`).stdout.trim();
await $`git clone --quiet ${root} ${dir}`;
console.log(`test:fresh: ${commit} cloned into ${dir}`);
let code = 0;
for (let i = 1; i <= runs && code === 0; i++) {
  const log = path.join(dir, `ci-run-${i}.log`);
  const started = Date.now();
  const out = fs.createWriteStream(log);
  const p = $({ cwd: dir, env: { ...process.env, CI: 'true' } })`bash .ci/run`.nothrow();
  p.stdout.pipe(process.stdout);
  p.stderr.pipe(process.stderr);
  p.stdout.pipe(out);
  p.stderr.pipe(out);
  code = (await p).exitCode ?? 1;
  console.log(`test:fresh: run ${i}: .ci/run exited ${code} in ${Math.round((Date.now() - started) / 1000)} s (log: ${log})`);
}
if (argv.keep || code !== 0) console.log(`test:fresh: the clone stays in ${dir}`);
else await fs.rm(dir, { recursive: true, force: true });
process.exit(code);
