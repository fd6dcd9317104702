// Signaling under load (npm run bench:signaling): the bundled SFU, in this process with its
// default limits and one mediasoup worker, and SIGNALING_BENCH_CLIENTS (default 500) WebSocket
// clients joining, opening a receive transport and leaving for SIGNALING_BENCH_SECONDS (default
// 60). Prints joins, errors, join latency p50/p99 and the process's memory before and after
// (after a GC when run with --expose-gc, as the npm script does). Exits 1 on any error.
import { readFileSync } from 'node:fs';
import { startSfu } from '../src/server.ts';
import { quantile, runSignalingLoad } from './signaling-load.ts';

function envInt(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  return value;
}

const CLIENTS = envInt('SIGNALING_BENCH_CLIENTS', 500, 1, 5000);
const SECONDS = envInt('SIGNALING_BENCH_SECONDS', 60, 5, 3600);

function memory(workerPid: number): { heapMiB: number; rssMiB: number; workerRssMiB: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  const status = readFileSync(`/proc/${workerPid}/status`, 'utf8');
  return { heapMiB: heapUsed / 2 ** 20, rssMiB: rss / 2 ** 20, workerRssMiB: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024 };
}

const sfu = await startSfu({ numWorkers: 1, logLevel: 'error' });
try {
  const workerPid = sfu.workerPids[0]!;
  const before = memory(workerPid);
  const started = Date.now();
  const result = await runSignalingLoad({ wsUrl: sfu.wsUrl, clients: CLIENTS, durationMs: SECONDS * 1000 });
  const elapsedSeconds = (Date.now() - started) / 1000;
  const stats = sfu.stats();
  const after = memory(workerPid);
  const fmt = (n: number) => n.toFixed(1);
  process.stdout.write(
    [
      `signaling load: ${CLIENTS} clients, ${SECONDS} s (${fmt(elapsedSeconds)} s with the last cycles), 1 worker, default limits`,
      `joins            ${result.joins} (${fmt(result.joins / elapsedSeconds)}/s)`,
      `errors           ${result.errors.length}`,
      `join latency     p50 ${fmt(quantile(result.joinLatenciesMs, 0.5))} ms, p99 ${fmt(quantile(result.joinLatenciesMs, 0.99))} ms, max ${fmt(result.joinLatenciesMs.at(-1) ?? Number.NaN)} ms`,
      `memory (node)    heap ${fmt(before.heapMiB)} → ${fmt(after.heapMiB)} MiB, RSS ${fmt(before.rssMiB)} → ${fmt(after.rssMiB)} MiB${(globalThis as { gc?: unknown }).gc ? ' (after GC)' : ''} (SFU and clients share it)`,
      `memory (worker)  RSS ${fmt(before.workerRssMiB)} → ${fmt(after.workerRssMiB)} MiB`,
      `left open        rooms ${stats.rooms}, peers ${stats.peers}, transports ${stats.transports}, connections ${stats.connections}`,
      ...result.errors.slice(0, 10).map((e) => `  error: ${e}`),
      '',
    ].join('\n'),
  );
  if (result.errors.length > 0) process.exitCode = 1;
} finally {
  await sfu.close();
}
