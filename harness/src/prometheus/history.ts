// Reopens the Prometheus data a run kept (`--prometheus`) so it can be queried, or graphed by a
// Grafana pointed at it, after the run: `rtc-harness prometheus results/smoke-.../`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../util/temp-dir.ts';
import { startEmbeddedPrometheus, type EmbeddedPrometheus } from './embedded.ts';

/** The TSDB folder in `dir`: a run's output folder (its prometheus/data) or a data folder itself. */
export function findDataDir(dir: string): string {
  for (const candidate of [join(dir, 'prometheus', 'data'), dir]) {
    if (existsSync(join(candidate, 'wal')) || existsSync(join(candidate, 'chunks_head'))) return candidate;
  }
  throw new Error(`no Prometheus data in ${dir}: pass a run's output folder from a run with --prometheus, or a Prometheus data folder`);
}

/**
 * Serves the data in `dir` (scraping nothing) until stop(). The generated config lives in a
 * temporary folder, removed on stop.
 */
export async function openHistory(dir: string, options: { port?: number } = {}): Promise<EmbeddedPrometheus> {
  const dataDir = findDataDir(dir);
  const config = makeTempDir('rtc-harness-prometheus-');
  const configDir = config.path;
  try {
    const prometheus = await startEmbeddedPrometheus({ configDir, dataDir, port: options.port });
    return {
      ...prometheus,
      stop: async () => {
        await prometheus.stop();
        config.remove();
      },
    };
  } catch (err) {
    config.remove();
    throw err;
  }
}
