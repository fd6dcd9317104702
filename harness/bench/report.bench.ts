// Cost of the end-of-run reports for a large run (npx tsx harness/bench/report.bench.ts): a
// synthetic samples.jsonl of P participants in two groups sampled every second for D seconds
// (each sample with 2 outbound and P-1 inbound video streams, capped at 8, plus audio), then the
// HTML report (read samples.jsonl, bucket, render, bundle), JUnit and Markdown. Prints the time,
// the memory the Node process grew by and the size of each file.
//
// Environment: REPORT_BENCH_PARTICIPANTS (default 50), REPORT_BENCH_SECONDS (default 600).
import { mkdtempSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { writeHtmlReport } from '../src/reporters/html/reporter.ts';
import { renderJUnit } from '../src/reporters/junit.ts';
import { renderMarkdown } from '../src/reporters/markdown.ts';
import { exampleResults, groupAggregates } from '../src/results/example.fixture.ts';
import type { Sample, StreamSample } from '../src/stats/types.ts';

const P = Number(process.env.REPORT_BENCH_PARTICIPANTS ?? 50);
const D = Number(process.env.REPORT_BENCH_SECONDS ?? 600);
const START = Date.parse('2026-11-26T10:00:00Z');

function sample(i: number, t: number): Sample {
  const group = i % 5 === 0 ? 'presenters' : 'viewers';
  const streams: StreamSample[] = [];
  for (let k = 0; k < Math.min(8, P - 1); k++) {
    streams.push({ id: `pc1/in/video/${k}`, kind: 'video', direction: 'in', values: { video_recv_fps: 28 + Math.sin(t + k), video_recv_bitrate_kbps: 300 + 20 * Math.cos(t), video_recv_height_px: 360, recv_loss_percent: 0.5, recv_jitter_ms: 4 } });
    streams.push({ id: `pc1/in/audio/${k}`, kind: 'audio', direction: 'in', values: { audio_recv_bitrate_kbps: 32, recv_loss_percent: 0.3, audio_concealment_percent: 0.1 } });
  }
  for (const rid of ['l', 'h']) streams.push({ id: `pc0/out/video/0/${rid}`, kind: 'video', direction: 'out', rid, values: { video_send_bitrate_kbps: rid === 'h' ? 900 : 150, video_send_fps: 30, video_send_height_px: rid === 'h' ? 720 : 180 } });
  return { t: START + t * 1000 + i * 17, participant: `${group}[${i}]`, group, intervalMs: 1000, values: { rtt_ms: 20 + (i % 7), connected: 1, send_bitrate_kbps: 1100, recv_bitrate_kbps: 2600 }, streams };
}

const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-report-bench-'));
try {
  const out = createWriteStream(join(dir, 'samples.jsonl'));
  for (let t = 0; t < D; t++) for (let i = 0; i < P; i++) if (!out.write(`${JSON.stringify(sample(i, t))}\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  const ids = Array.from({ length: P }, (_, i) => (i % 5 === 0 ? `presenters[${i}]` : `viewers[${i}]`));
  const results = exampleResults({
    durationSeconds: D,
    timelineStartUnixMs: START,
    sampleCount: P * D,
    groups: ['presenters', 'viewers'].map((name) => ({ name, count: ids.filter((id) => id.startsWith(name)).length, aggregates: groupAggregates() })),
    participants: ids.map((id) => ({ id, group: id.split('[')[0]!, connected: true, joinedAtMs: START, browserIndex: 0, aggregates: groupAggregates() })),
    actions: ids.map((id, i) => ({ atMs: i * 100, startedMs: i * 100 + 2, do: 'join', participant: id, ok: true, durationMs: 300 })),
  });
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
  console.log(`samples.jsonl: ${P} participants x ${D} s = ${P * D} samples, ${mb(statSync(join(dir, 'samples.jsonl')).size)}`);

  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let t0 = performance.now();
  const html = await writeHtmlReport(results, dir);
  const htmlMs = performance.now() - t0;
  const rss1 = process.memoryUsage().rss;
  console.log(`report.html: ${htmlMs.toFixed(0)} ms, ${mb(statSync(html).size)}, rss +${mb(rss1 - rss0)}`);
  t0 = performance.now();
  writeFileSync(join(dir, 'junit.xml'), renderJUnit(results));
  console.log(`junit.xml: ${(performance.now() - t0).toFixed(0)} ms, ${mb(statSync(join(dir, 'junit.xml')).size)}`);
  t0 = performance.now();
  writeFileSync(join(dir, 'summary.md'), renderMarkdown(results));
  console.log(`summary.md: ${(performance.now() - t0).toFixed(0)} ms, ${(statSync(join(dir, 'summary.md')).size / 1024).toFixed(1)} KB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
