// Builds mediasoup's C++ worker from the npm tarball's sources against Debian's libraries, with no
// download beyond the npm registry, and caches the binary under a key of every build input.
import { $, fs, path, os } from 'zx';
import { createHash } from 'node:crypto';
import { patches, mesonOptions, buildPackages } from './patches.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const shimsDir = path.join(here, 'shims');

function listFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** A hash of everything that changes the binary: version, patches, shims, compiler, libraries. */
export async function workerCacheKey(version) {
  const hash = createHash('sha256');
  hash.update(`mediasoup@${version}\n`);
  hash.update(JSON.stringify({ patches, mesonOptions }));
  for (const file of listFiles(shimsDir)) {
    hash.update(path.relative(shimsDir, file));
    hash.update(fs.readFileSync(file));
  }
  const versions = await $`dpkg-query -W -f=${'${Package} ${Version}\n'} ${buildPackages}`.quiet();
  hash.update(versions.stdout);
  hash.update(os.arch());
  return hash.digest('hex').slice(0, 16);
}

export function defaultCacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'rtc-harness', 'mediasoup-worker');
}

/** Returns the cached worker binary's path, building it first if the cache has none for this key. */
export async function ensureWorker({ version, cacheDir = defaultCacheDir(), log = console.log }) {
  const key = await workerCacheKey(version);
  const bin = path.join(cacheDir, `${version}-${key}`, 'mediasoup-worker');
  if (fs.existsSync(bin)) return { bin, built: false, key };

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rtc-harness-worker-'));
  const started = Date.now();
  try {
    log(`building mediasoup-worker ${version} from source (about 3 minutes on 2 cores; cached afterwards)`);
    await $({ cwd: work })`npm pack --silent mediasoup@${version}`.quiet();
    await $({ cwd: work })`tar xzf mediasoup-${version}.tgz`;
    const worker = path.join(work, 'package', 'worker');

    for (const p of patches) {
      const file = path.join(worker, p.file);
      const text = fs.readFileSync(file, 'utf8');
      const count = text.split(p.find).length - 1;
      if (count !== 1) {
        throw new Error(`patch for ${p.file} expected "${p.find}" once, found it ${count} times (mediasoup ${version})`);
      }
      fs.writeFileSync(file, text.replace(p.find, p.replace));
    }

    // Meson uses a subproject directory named as the wrap's `directory =` when it exists, and then
    // downloads nothing: put our shims there.
    const subprojects = path.join(worker, 'subprojects');
    for (const wrap of fs.readdirSync(subprojects).filter((f) => f.endsWith('.wrap'))) {
      const name = wrap.slice(0, -'.wrap'.length);
      const dirLine = fs.readFileSync(path.join(subprojects, wrap), 'utf8').match(/^directory\s*=\s*(\S+)/m);
      const shim = path.join(shimsDir, name);
      if (!dirLine || !fs.existsSync(shim)) continue; // e.g. liburing, disabled by a meson option
      fs.copySync(shim, path.join(subprojects, dirLine[1]));
    }

    const out = path.join(work, 'out');
    await $({ cwd: worker })`meson setup ${mesonOptions} ${out} ${worker}`.quiet();
    // The generated flatbuffers headers must exist before any worker source compiles.
    await $`ninja -C ${out} fbs/FBS`.quiet();
    await $`ninja -C ${out} mediasoup-worker`.quiet();

    fs.mkdirpSync(path.dirname(bin));
    const tmp = `${bin}.tmp-${process.pid}`;
    fs.copyFileSync(path.join(out, 'mediasoup-worker'), tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, bin); // atomic: a concurrent set-up never sees half a binary
    log(`built mediasoup-worker in ${((Date.now() - started) / 1000).toFixed(0)} s -> ${bin}`);
    return { bin, built: true, key };
  } catch (err) {
    const output = err?.stderr || err?.stdout ? `\n${String(err.stdout ?? '').slice(-4000)}${String(err.stderr ?? '').slice(-4000)}` : '';
    throw new Error(`mediasoup-worker build failed in ${work} (left there for inspection): ${err.message ?? err}${output}`);
  } finally {
    if (fs.existsSync(bin)) fs.removeSync(work);
  }
}
