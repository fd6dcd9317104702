// Where file reporters write: a path the user chose, else a fixed name in the run's folder.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Writes `content` to `path`, or to `defaultName` in `outDir` when no path was chosen, through a
 * temporary file so a reader (a CI upload step) never sees half a report. Returns the path.
 */
export function writeReportFile(path: string | undefined, outDir: string, defaultName: string, content: string): string {
  const target = path ?? join(outDir, defaultName);
  mkdirSync(dirname(target), { recursive: true });
  const tmp = `${target}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, target);
  return target;
}
