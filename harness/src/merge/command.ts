// `rtc-harness merge <dir>...`: reads the output folders of a run's shards (results.json,
// points.jsonl, samples.jsonl), merges them (merge.ts) into one output folder as a run writes it
// (results.json, samples.jsonl, points.jsonl) and runs the reporters on it, so that the summary,
// report.html, junit.xml and `compare` work on merged results as on any run. Each shard's times
// are moved onto the call server's clock when the shard measured its offset.
import { createReadStream, createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createReporters, type ReporterChoice } from '../reporters/select.ts';
import { ReporterMux } from '../reporters/reporter.ts';
import { loadResults } from '../results/load.ts';
import { POINTS_FILE, readPoints, writePoints } from '../results/points.ts';
import type { RunResults } from '../results/schema.ts';
import { SeriesStore } from '../stats/aggregate.ts';
import { checkShards, MergeError, mergeShards, type ShardResults } from './merge.ts';

export interface MergeFlags {
  out: string;
  reporter: ReporterChoice[];
  quiet?: boolean;
}

/** Merges the shards into `flags.out`; returns the merged results. Throws MergeError or ResultsFileError on bad input. */
export async function mergeRun(dirs: readonly string[], flags: MergeFlags): Promise<RunResults> {
  const shards: ShardResults[] = dirs.map((dir) => ({ dir, results: loadResults(dir, 'shard results') as unknown as RunResults }));
  const ordered = checkShards(shards);
  for (const s of ordered) {
    if (!existsSync(join(s.dir, POINTS_FILE))) throw new MergeError(`${s.dir}: no ${POINTS_FILE} (the shard did not finish, or ran without --shard)`);
  }
  const store = new SeriesStore();
  for (const s of ordered) {
    for await (const points of readPoints(join(s.dir, POINTS_FILE), s.results.shard!.clock?.offsetMs ?? 0)) store.ingest(points);
  }
  const results = mergeShards(ordered, store);

  mkdirSync(flags.out, { recursive: true });
  await mergeSamples(ordered, join(flags.out, 'samples.jsonl'));
  await writePoints(join(flags.out, POINTS_FILE), store.series());
  writeFileSync(join(flags.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const { reporters } = createReporters(flags.reporter, { outDir: flags.out, quiet: flags.quiet ?? false });
  const mux = new ReporterMux(reporters);
  const groups = results.groups.map((g) => ({ name: g.name, count: g.count }));
  await mux.onStart({ scenario: results.scenario, scenarioFile: results.scenarioFile, outDir: flags.out, durationMs: results.durationSeconds * 1000, groups, seed: results.seed });
  mux.onLog('info', `merged ${ordered.length} shard(s) of run '${results.merged!.runId}': ${ordered.map((s) => s.dir).join(', ')}`);
  await mux.onEnd(results, flags.out);
  return results;
}

/** samples.jsonl of every shard, in shard order, each sample's time moved onto the common clock. */
async function mergeSamples(ordered: readonly ShardResults[], path: string): Promise<void> {
  const out = createWriteStream(path);
  for (const s of ordered) {
    const file = join(s.dir, 'samples.jsonl');
    if (!existsSync(file)) continue;
    const offsetMs = s.results.shard!.clock?.offsetMs ?? 0;
    for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
      if (!line) continue;
      let text = line;
      if (offsetMs !== 0) {
        try {
          const sample = JSON.parse(line) as { t?: unknown };
          if (typeof sample.t === 'number') sample.t += offsetMs;
          text = JSON.stringify(sample);
        } catch {
          // A shard killed mid-write leaves half a last line: kept as is, readers skip it.
        }
      }
      if (!out.write(`${text}\n`)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
}
