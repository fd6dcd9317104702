// Simulated networks on a call page that is not the harness's own target: the test starts an SFU
// by itself (standing in for the user's deployment), and the scenario only knows its page URL and
// its media address. The shaped participant's RTT must show the link's delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSfu, type Sfu } from '../../sfu/src/server.ts';
import { buildClient } from '../../scripts/build-client.mjs';
import { validateScenario } from '../../harness/src/scenario/validate.ts';
import { resolvePlan } from '../../harness/src/scenario/resolve.ts';
import { runScenario } from '../../harness/src/runner/run.ts';
import { tempOutDir } from '../support/results.ts';

describe("simulated networks on your own call page (target.url + target.media)", () => {
  let sfu: Sfu;
  beforeAll(async () => {
    await buildClient();
    sfu = await startSfu({ numWorkers: 1 });
  });
  afterAll(async () => {
    await sfu?.close();
  });

  it('relays the shaped participant through its link to the named media address', async () => {
    const spec = validateScenario(
      {
        name: 'own-page',
        duration: '12s',
        target: { url: `${sfu.url}/?room={room}&name={name}`, media: [`127.0.0.1:${sfu.rtcPorts[0]}`] },
        participants: {
          far: { count: 1, network: { delayMs: 100 } },
          near: { count: 1 },
        },
        // The test measures the link's delay, not this machine: a saturated run still counts.
        guard: { cpuPercent: 100, sustainedSeconds: 3600 },
      },
      'own-page (inline)',
    );
    const plan = resolvePlan(spec, { file: 'own-page.scenario.ts' });
    const results = await runScenario(plan, { outDir: tempOutDir('own-page'), reporters: [] });
    const far = results.participants.find((p) => p.id === 'far[0]')!;
    const near = results.participants.find((p) => p.id === 'near[0]')!;
    console.log(`rtt p50: far ${far.aggregates.rtt_ms?.p50} ms, near ${near.aggregates.rtt_ms?.p50} ms`);
    expect(far.connected && near.connected).toBe(true);
    expect(far.network?.counters.up.packetsForwarded).toBeGreaterThan(100);
    expect(near.network).toBeUndefined();
    // 100 ms each way: the selected pair's RTT grows by 200 ± 30 ms over the unshaped participant's.
    const delta = far.aggregates.rtt_ms!.p50 - near.aggregates.rtt_ms!.p50;
    expect(delta).toBeGreaterThan(170);
    expect(delta).toBeLessThan(230);
  });
});
