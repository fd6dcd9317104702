// Temporary folders the harness makes (Chromium profiles, Firefox's profile, HOME and TMPDIR, coturn's folder with the TURN secret and
// its TLS key, Prometheus's configuration) are removed when their owner stops, and also when the
// process exits any other way that runs JavaScript: a second Ctrl-C, process.exit() on an error.
// SIGKILL and the OOM killer run nothing: their folders stay. Each name carries its owner's pid
// (`rtc-harness-chromium-<pid>-XXXXXX`), and the first folder a process makes sweeps those whose
// owner is gone (sweepStaleTempDirs), so they do not pile up on a CI runner.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let hooked = false;
let swept = false;

/** The folders the harness makes, by the prefix its callers give; only these are ever swept. */
const OWNED = /^rtc-harness-(chromium|firefox|turn|prometheus)-(?:(\d+)-)?[A-Za-z0-9]{6}$/;
/** A folder from before names carried a pid is stale once it is this old: no run lasts a day. */
const UNNAMED_STALE_MS = 24 * 3600_000;
/** Linux's USER_HZ, the unit of a process's start time in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_S = 100;

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // A browser still writing into its profile as the process ends: nothing more can be done.
  }
}

export interface TempDir {
  readonly path: string;
  /** Removes the folder now. Idempotent. */
  remove(): void;
}

/**
 * When process `pid` started, unix ms; null when there is no such process (or no /proc to ask).
 * Its age is measured on the boot clock (/proc/uptime against its start tick), then taken from
 * now: /proc/stat's btime is whole seconds and drifts from the wall clock over a long uptime.
 */
function processStartMs(pid: number, nowMs: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): starttime is the 20th.
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    if (!Number.isFinite(startTicks) || !Number.isFinite(uptimeS)) return null;
    return nowMs - (uptimeS - startTicks / CLOCK_TICKS_PER_S) * 1000;
  } catch {
    return null;
  }
}

/**
 * Removes the harness's folders in `dir` whose owner has exited: its pid is gone, or now names a
 * process started after the folder was made (the pid was reused). Folders of live runs, of other
 * users, and anything not named by the harness are left alone. Returns the paths removed.
 */
export function sweepStaleTempDirs(dir = tmpdir(), nowMs = Date.now()): string[] {
  const removed: string[] = [];
  const uid = process.getuid?.();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = OWNED.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      let stale: boolean;
      if (m[2] === undefined) {
        stale = nowMs - st.mtimeMs > UNNAMED_STALE_MS;
      } else {
        const pid = Number(m[2]);
        const started = pid === process.pid ? null : processStartMs(pid, Date.now());
        const madeMs = st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs;
        // Half a second of slack: start times are in 10 ms ticks, and a folder comes after its process.
        stale = pid !== process.pid && (started === null || started > madeMs + 500);
      }
      if (!stale || live.has(path)) continue;
      removeQuietly(path);
      removed.push(path);
    } catch {
      // Gone meanwhile, or not ours to read: leave it.
    }
  }
  return removed;
}

/**
 * A new folder `<tmp>/<prefix><pid>-XXXXXX`, removed by remove() or, at the latest, when the
 * process exits. The first call also sweeps stale folders of processes that were killed.
 */
export function makeTempDir(prefix: string): TempDir {
  if (!swept) {
    swept = true;
    sweepStaleTempDirs();
  }
  const path = mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
  live.add(path);
  if (!hooked) {
    hooked = true;
    // 'exit' listeners must be synchronous, which rmSync is.
    process.on('exit', () => {
      for (const p of live) removeQuietly(p);
    });
  }
  return {
    path,
    remove() {
      if (!live.delete(path)) return;
      removeQuietly(path);
    },
  };
}
