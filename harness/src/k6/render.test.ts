// The scripts of shipped scenarios, read as a k6 user reads them: the scenarios and thresholds in
// options, and the README's copy of the smoke script, which must be what the exporter writes.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenario/load.ts';
import { resolvePlan } from '../scenario/resolve.ts';
import { k6Model } from './model.ts';
import { renderScript } from './render.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The script of a shipped scenario, with a stand-in page side (its bundle is tested elsewhere). */
async function script(name: string): Promise<string> {
  const file = `scenarios/${name}.scenario.ts`;
  const plan = resolvePlan(await loadScenario(join(REPO, file)), { file });
  return renderScript(k6Model(plan), '/* page side */');
}

describe('exported scripts', () => {
  it('start each group at its first join, and carry abortOnFail in k6 form', async () => {
    const s = await script('simulcast-under-loss');
    expect(s).toContain("presenter: { executor: 'per-vu-iterations', vus: 1, iterations: 1, startTime: '0s', maxDuration: '120s',");
    expect(s).toContain("viewers: { executor: 'per-vu-iterations', vus: 4, iterations: 1, startTime: '2s', maxDuration: '118s',");
    expect(s).toContain("'video_recv_fps{participant:viewers[0]}': [{ threshold: 'med>5', abortOnFail: true, delayAbortEval: '10s' }],");
    expect(s).toContain("'video_recv_spatial_layer{participant:viewers[0]}': ['min>=0'],");
    // Its network steps are listed, not replayed.
    expect(s).toMatch(/^\/\/ {3}- timeline\[0\] at 20s: network viewers\[0\]: /m);
    expect(s).not.toMatch(/do: 'network'/);
  });

  it('list the cameras the harness sets up as left out: k6 sends its own', async () => {
    const file = 'test/fixtures/replay-pairs.scenario.ts';
    const s = renderScript(k6Model(resolvePlan(await loadScenario(join(REPO, file)), { file })), '/* page side */');
    expect(s).toMatch(/^\/\/ {3}- video source 'replay' of callers: the harness sets these cameras up/m);
  });

  it("make a metric read with 'last' only a Gauge, and write its threshold with value", async () => {
    const s = await script('simulcast-low-layer');
    expect(s).toContain("video_recv_height_px: new Gauge('video_recv_height_px'),");
    expect(s).toContain("'video_recv_height_px{participant:viewers[1]}': ['value==180'],");
    expect(s).toContain("'video_recv_spatial_layer{participant:viewers[1]}': ['value==0'],");
    expect(s).toContain("{ atMs: 12000, action: { do: 'layers', spatial: 0, temporal: null } },");
  });

  it("README's copy of the smoke script is what the exporter writes", async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Running scenarios with k6'));
    const shown = /```js\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(shown, 'a js block in the README section').toBeDefined();
    const lines = shown!.split('\n');
    expect((await script('smoke')).split('\n').slice(0, lines.length)).toEqual(lines);
  });
});
