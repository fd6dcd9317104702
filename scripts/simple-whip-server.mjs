// Debian's simple-whip-server (Meetecho's WHIP server in front of Janus), the third-party WHIP
// server of test/e2e/simple-whip-server.test.ts. Its package depends on Debian's nodejs, which
// conflicts with Node 20, so its .deb is only downloaded and unpacked into the cache (its npm
// modules are devDependencies). Used by the set-up (scripts/setup.mjs) and by the test's support
// module (test/support/simple-whip-server.ts), whichever comes first.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const PACKAGE = 'simple-whip-server';
/** Where the package's sources are, under the unpacked .deb. */
const SOURCES = join('usr', 'share', PACKAGE, 'src');

/** `$RTC_HARNESS_CACHE_DIR/simple-whip-server`, else `~/.cache/rtc-harness/simple-whip-server`. */
export function defaultSimpleWhipServerCacheDir() {
  if (process.env.RTC_HARNESS_CACHE_DIR) return join(process.env.RTC_HARNESS_CACHE_DIR, PACKAGE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rtc-harness', PACKAGE);
}

/**
 * The folder with server.js and whip-janus.js: unpacked from the cache, or downloaded with
 * `apt-get download` and unpacked now (into a temporary folder renamed into place, so two
 * callers at once cannot see half of it). Throws an Error saying what failed.
 * @param {string} [cacheDir]
 * @returns {string}
 */
export function ensureSimpleWhipServerSources(cacheDir = defaultSimpleWhipServerCacheDir()) {
  const root = join(cacheDir, 'root');
  const sources = join(root, SOURCES);
  if (existsSync(join(sources, 'server.js'))) return sources;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'download-'));
  try {
    try {
      execFileSync('apt-get', ['download', PACKAGE], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const stderr = String(err.stderr ?? err.message).trim();
      throw new Error(`could not fetch Debian's ${PACKAGE} with 'apt-get download ${PACKAGE}' (is it in this system's apt sources? try 'apt-get update', or run 'npm run setup'): ${stderr}`);
    }
    const deb = readdirSync(work).find((f) => f.startsWith(`${PACKAGE}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`'apt-get download ${PACKAGE}' left no .deb in ${work}`);
    execFileSync('dpkg-deb', ['-x', deb, 'root'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    if (!existsSync(join(work, 'root', SOURCES, 'server.js'))) throw new Error(`${deb} has no ${SOURCES}/server.js: not the package this harness knows`);
    copyFileSync(join(work, deb), join(cacheDir, deb));
    try {
      renameSync(join(work, 'root'), root);
    } catch (err) {
      // Another caller got there first: its copy is as good.
      if (!existsSync(join(sources, 'server.js'))) throw err;
    }
    return sources;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
