// `export-k6` as the CLI runs it: on a commander program of its own, writing into a temp folder.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScenarioError } from '../scenario/errors.ts';
import { registerExportK6Command } from './command.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('rtc-harness export-k6', () => {
  let dir: string;
  let out: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-harness-k6-cmd-'));
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...argv: string[]): Promise<number | undefined> => {
    let code: number | undefined;
    const program = new Command().exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) });
    registerExportK6Command(program, (c) => (code = c));
    await program.parseAsync(argv, { from: 'user' });
    return code;
  };

  it('writes <scenario name>.k6.js in the current folder, applies --set and --sfu-url, and says what it left out', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(await cli('export-k6', join(REPO, 'scenarios/churn.scenario.ts'), '--set', 'guests.count=3', '--sfu-url', 'http://sfu.test:3000')).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    const script = readFileSync(join(dir, 'churn.k6.js'), 'utf8');
    expect(script).toContain("guests: { executor: 'per-vu-iterations', vus: 3, iterations: 1, startTime: '1s'");
    expect(script).toContain("const SFU_URL = (__ENV.RTC_SFU_URL || 'http://sfu.test:3000')");
    const said = out.join('');
    expect(said).toMatch(/^wrote churn\.k6\.js: 5 VUs in 2 k6 scenarios \(hosts, guests\), 3 of 5 thresholds, \d+ metrics$/m);
    expect(said).toMatch(/left out: threshold 'action_failure_count_total': 'max == 0': action_failure_count_total is not recorded in k6/);
    expect(said).toMatch(/^run it: K6_BROWSER_ARGS='use-fake-ui-for-media-stream,.*' RTC_SFU_URL=http:\/\/sfu\.test:3000 k6 run churn\.k6\.js$/m);
  });

  it('--out names the file; --duration changes the call', async () => {
    const file = join(dir, 'load.js');
    expect(await cli('export-k6', join(REPO, 'scenarios/smoke.scenario.ts'), '--out', file, '--duration', '2m')).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('const DURATION_MS = 120000;');
  });

  it('refuses a target k6 cannot drive, naming the file (the CLI exits 1 on a ScenarioError)', async () => {
    const file = join(dir, 'whip.scenario.ts');
    writeFileSync(
      file,
      `import { defineScenario } from ${JSON.stringify(join(REPO, 'harness/src/index.ts'))};
export default defineScenario({ name: 'w', duration: '10s', target: { whip: 'http://127.0.0.1:1/whip' }, participants: { a: { count: 1 } } });
`,
    );
    const error = await cli('export-k6', file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toMatch(/whip\.scenario\.ts: target has a WHIP\/WHEP target; export-k6 drives the reference page's control surface/);
  });

  it('--help teaches what is exported, what is left out, and how to run it', async () => {
    await cli('export-k6', '--help').catch(() => {});
    const help = out.join('');
    for (const words of ['k6/browser', 'RTC_SFU_URL', 'K6_BROWSER_ARGS', 'k6-operator', 'Left out', 'checks: rate==1', 'k6 run smoke.k6.js']) {
      expect(help).toContain(words);
    }
  });
});
