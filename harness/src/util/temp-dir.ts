// Temporary folders the harness makes (Chromium profiles, coturn's folder with the TURN secret and
// its TLS key, Prometheus's configuration) are removed when their owner stops, and also when the
// process exits any other way that runs JavaScript: a second Ctrl-C, process.exit() on an error.
// (SIGKILL runs nothing; the folders are small and named rtc-harness-*.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let hooked = false;

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

/** A new folder `<tmp>/<prefix>XXXXXX`, removed by remove() or, at the latest, when the process exits. */
export function makeTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
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
