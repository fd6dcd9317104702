// points.jsonl: every point a shard's thresholds and aggregates were computed from, one series a
// line ({"metric", "tags", "t": [unix ms...], "v": [values...]}). A sharded run writes it at the
// end so that `rtc-harness merge` can compute exact percentiles over all shards' points rather
// than average the shards' own percentiles.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { METRICS, type MetricName } from '../stats/catalogue.ts';
import type { Point, PointTags } from '../stats/types.ts';
import { ResultsFileError } from './load.ts';

export const POINTS_FILE = 'points.jsonl';

export interface PointSeries {
  metric: MetricName;
  tags: Readonly<PointTags>;
  t: readonly number[];
  v: readonly number[];
}

/** Writes the series, one a line; resolves once the file is complete. */
export async function writePoints(path: string, series: Iterable<PointSeries>): Promise<void> {
  const out = createWriteStream(path);
  for (const s of series) {
    if (!out.write(`${JSON.stringify({ metric: s.metric, tags: s.tags, t: s.t, v: s.v })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Reads a points file back as points, times shifted by `shiftMs`. A line that is not a series of
 * a known metric fails with the file and line (a points file is written by the harness only).
 */
export async function* readPoints(path: string, shiftMs = 0): AsyncGenerator<Point[]> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n += 1;
      if (line.trim() === '') continue;
      const s = parseSeries(line, `${path}:${n}`);
      yield s.t.map((t, i) => ({ metric: s.metric, value: s.v[i]!, t: t + shiftMs, tags: s.tags }));
    }
  } catch (err) {
    if (err instanceof ResultsFileError) throw err;
    throw new ResultsFileError(`cannot read the points file ${path}: ${(err as Error).message}`);
  }
}

function parseSeries(line: string, where: string): PointSeries {
  let s: unknown;
  try {
    s = JSON.parse(line);
  } catch {
    throw new ResultsFileError(`${where}: not JSON`);
  }
  const o = s as Partial<PointSeries> | null;
  if (!o || typeof o.metric !== 'string' || !(o.metric in METRICS)) throw new ResultsFileError(`${where}: 'metric' is not a metric of this harness`);
  if (!o.tags || typeof o.tags.group !== 'string' || typeof o.tags.participant !== 'string') throw new ResultsFileError(`${where}: 'tags' needs group and participant`);
  if (!Array.isArray(o.t) || !Array.isArray(o.v) || o.t.length !== o.v.length) throw new ResultsFileError(`${where}: 't' and 'v' must be arrays of the same length`);
  return o as PointSeries;
}
