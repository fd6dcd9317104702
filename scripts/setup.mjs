#!/usr/bin/env zx
// One idempotent set-up for a fresh Debian 12 machine with no internet but the npm registry and
// apt: Debian packages, the mediasoup worker built from source (cached outside the work tree),
// npm dependencies, the call page bundle. A second run only checks, and takes seconds.
//
// Run it with `npm run setup` (the README's commands and .ci/run do).
import { $, fs, path, os, chalk } from 'zx';
import { createHash } from 'node:crypto';
import { ensureWorker, defaultCacheDir } from './mediasoup-worker/build.mjs';
import { buildPackages } from './mediasoup-worker/patches.mjs';
import { ensureSimpleWhipServerSources } from './simple-whip-server.mjs';

$.verbose = false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const started = Date.now();
const log = (msg) => console.log(`${chalk.cyan('setup')} ${msg}`);
const fail = (msg) => {
  console.error(`${chalk.red('setup failed:')} ${msg}`);
  process.exit(1);
};

/** Debian packages the harness runs with; the worker's build dependencies come from patches.mjs. */
// docker-compose (1.29) only validates docker-compose.yml in the tests: Docker's v2 plugin is not in Debian.
// openssl makes the bundled TURN server's certificate for each run (priority optional: not always there).
// chromium-headless-shell runs the participants; chromium is the browser of --headful runs;
// firefox-esr runs the groups with browser: 'firefox'.
// janus and janus-demos: the Janus VideoRoom demo, the third-party call app the janus-videoroom page adapter drives.
const runtimePackages = ['chromium-headless-shell', 'chromium', 'firefox-esr', 'coturn', 'openssl', 'prometheus', 'prometheus-pushgateway', 'docker-compose', 'janus', 'janus-demos'];
// libxml2-utils: xmllint checks the JUnit report against its schema in the tests.
const toolPackages = ['build-essential', 'python3', 'libxml2-utils'];

async function missingPackages(names) {
  const out = await $`dpkg-query -W -f=${'${Package} ${db:Status-Status}\n'} ${names}`.nothrow().quiet();
  const installed = new Set(
    out.stdout
      .split('\n')
      .filter((l) => l.endsWith(' installed'))
      .map((l) => l.split(' ')[0]),
  );
  return names.filter((n) => !installed.has(n.replace(/:.*$/, '')));
}

async function ensureDebianPackages() {
  if (!(await $`command -v dpkg-query`.nothrow().quiet()).ok) {
    fail('this set-up needs a Debian-based system (dpkg and apt-get); see README.md, "Other systems"');
  }
  const wanted = [...runtimePackages, ...toolPackages, ...buildPackages];
  const missing = await missingPackages(wanted);
  if (missing.length === 0) return;
  const cmd = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    fail(`missing Debian packages: ${missing.join(', ')}. Run as root:\n  sudo sh -c '${cmd}'\nthen run 'npm run setup' again.`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await $({ env })`apt-get update -qq`.nothrow().quiet();
  if (!update.ok) fail(`'apt-get update' failed:\n${update.stderr.slice(-2000)}`);
  const install = await $({ env })`apt-get install -y -qq --no-install-recommends ${missing}`.nothrow().quiet();
  if (!install.ok) {
    fail(`'apt-get install ${missing.join(' ')}' failed (is each package in this system's apt sources?):\n${install.stderr.slice(-2000)}`);
  }
  const still = await missingPackages(missing);
  if (still.length > 0) fail(`packages still missing after apt-get install: ${still.join(', ')}`);
}

async function ensureCompiler() {
  const cxx = await $`c++ --version`.nothrow().quiet();
  if (!cxx.ok) fail("no C++ compiler found (needed once, to build the mediasoup worker). Run as root: apt-get install -y build-essential");
}

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function ensureNodeModules(workerBin) {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.rtc-harness-lock-sha256');
  const want = sha256(lock);
  const have = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : '';
  if (have === want) return;
  // `npm run setup` installs once before this script can run (zx is a dependency); don't repeat it.
  if (process.env.RTC_HARNESS_FRESH_NPM_CI !== '1') {
    log('installing npm dependencies (npm ci)');
    // mediasoup's install would download a prebuilt worker; this variable makes it skip that.
    const ci = await $({ cwd: root, env: { ...process.env, MEDIASOUP_WORKER_BIN: workerBin } })`npm ci --no-audit --no-fund`.nothrow();
    if (!ci.ok) fail(`'npm ci' failed:\n${ci.stderr.slice(-3000)}`);
  }
  fs.writeFileSync(stamp, `${want}\n`);
}

/** mediasoup looks for its worker at this path unless MEDIASOUP_WORKER_BIN is set at run time. */
function placeWorker(workerBin) {
  const dest = path.join(root, 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker');
  if (fs.existsSync(dest) && sha256(dest) === sha256(workerBin)) return;
  fs.mkdirpSync(path.dirname(dest));
  fs.copyFileSync(workerBin, `${dest}.tmp`);
  fs.chmodSync(`${dest}.tmp`, 0o755);
  fs.renameSync(`${dest}.tmp`, dest);
  log(`placed mediasoup-worker at ${path.relative(root, dest)}`);
}

/** Debian's simple-whip-server for its e2e test (scripts/simple-whip-server.mjs); a failure warns: the test tries again. */
function ensureSimpleWhipServer() {
  try {
    ensureSimpleWhipServerSources();
  } catch (err) {
    log(chalk.yellow(`${err.message}; its e2e test will try again`));
  }
}

async function buildCallPage() {
  const script = path.join(root, 'scripts', 'build-client.mjs');
  if (!fs.existsSync(script)) return;
  const { buildClient } = await import(script);
  await buildClient({});
}

try {
  await ensureDebianPackages();
  await ensureCompiler();
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies.mediasoup;
  const worker = await ensureWorker({ version, cacheDir: process.env.RTC_HARNESS_CACHE_DIR ?? defaultCacheDir(), log });
  await ensureNodeModules(worker.bin);
  placeWorker(worker.bin);
  ensureSimpleWhipServer();
  await buildCallPage();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (mediasoup-worker ${version}, ${worker.built ? 'built now' : 'cached'} in ${path.dirname(worker.bin)}; ${os.cpus().length} cores)`);
} catch (err) {
  fail(err?.message ?? String(err));
}
