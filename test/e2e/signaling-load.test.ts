// A smaller signaling load than npm run bench:signaling (500 clients, 60 s): 100 clients joining,
// opening a receive transport and leaving for 15 s against a real SFU with its default limits.
// Every join must succeed and nothing may be left open afterwards.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerBin } from 'mediasoup';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { quantile, runSignalingLoad } from '../../sfu/bench/signaling-load.ts';
import { waitFor } from '../support/wait.ts';

describe('signaling under load', () => {
  let sfu: Sfu;
  beforeAll(async () => {
    if (!existsSync(workerBin)) throw new Error(`no mediasoup worker at ${workerBin}; run npm run setup`);
    sfu = await startSfu({ numWorkers: 1, logLevel: 'error' });
  });
  afterAll(async () => {
    await sfu?.close();
  });

  it('100 clients join and leave for 15 s with no error', async () => {
    const result = await runSignalingLoad({ wsUrl: sfu.wsUrl, clients: 100, durationMs: 15_000 });
    const p50 = quantile(result.joinLatenciesMs, 0.5);
    const p99 = quantile(result.joinLatenciesMs, 0.99);
    process.stdout.write(`signaling load: ${result.joins} joins, join latency p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms\n`);
    expect(result.errors).toEqual([]);
    expect(result.joins).toBeGreaterThanOrEqual(100);
    // Loopback, one worker: a join is a router lookup or creation; seconds would mean a queue.
    expect(p99).toBeLessThan(2000);
    await waitFor(() => {
      const s = sfu.stats();
      return s.rooms === 0 && s.peers === 0 && s.transports === 0 && s.connections === 0;
    }, 5000, 'every room, peer, transport and socket to go', 50);
  }, 60_000);
});
