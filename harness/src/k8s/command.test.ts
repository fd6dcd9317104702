// `rtc-harness k8s` as the CLI runs it: the file it writes, what it prints, its help and its errors.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ScenarioError } from '../scenario/errors.ts';
import { registerK8sCommand } from './command.ts';

let tmp: string | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/** Runs the command on a program of its own; what it printed, and the exit code it set. */
async function k8s(args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let code: number | undefined;
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const program = new Command().name('rtc-harness').exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerK8sCommand(program, (c) => (code = c));
  try {
    await program.parseAsync(['k8s', ...args], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = err.exitCode === 0 ? 0 : 1;
  }
  return { code, stdout, stderr };
}

describe('rtc-harness k8s', () => {
  it('writes the manifests to --out and says how to apply them and get the merged results', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rtc-k8s-cmd-'));
    const out = join(tmp, 'deep', 'smoke.yaml');
    const { code, stdout } = await k8s(['scenarios/smoke.scenario.ts', '--shards', '2', '--run-id', 'smoke-1', '--image', 'registry.example/rtc-harness:1', '--out', out]);
    expect(code).toBe(0);
    const docs = parseAllDocuments(readFileSync(out, 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toContain('smoke-1-shards');
    expect(JSON.stringify(docs)).toContain('registry.example/rtc-harness:1');
    expect(stdout).toContain(`${out}: run smoke-1, 2 shards of up to 2 participants; a results volume, the SFU, Prometheus and a Pushgateway, a merge Job`);
    expect(stdout).toContain(`kubectl apply -f ${out}`);
    expect(stdout).toContain('kubectl cp smoke-1-fetch:/results/merged results/smoke-1/merged');
    expect(stdout).not.toContain('note:');
  });

  it('says when each shard has to start its own SFU, and why', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'rtc-k8s-cmd-'));
    const { code, stdout } = await k8s(['scenarios/lossy-network.scenario.ts', '--shards', '2', '--run-id', 'lossy-1', '--out', join(tmp, 'm.yaml')]);
    expect(code).toBe(0);
    expect(stdout).toContain('a results volume, Prometheus and a Pushgateway, a merge Job');
    expect(stdout).toContain("note: good[0], roaming[0] have a simulated network, which needs the SFU's media addresses");
  });

  it("writes to standard output with --out -, the summary to stderr", async () => {
    const { code, stdout, stderr } = await k8s(['scenarios/smoke.scenario.ts', '--shards', '1', '--run-id', 'smoke-2', '--out', '-']);
    expect(code).toBe(0);
    expect(parseAllDocuments(stdout).length).toBeGreaterThan(5);
    expect(stderr).toContain('manifests: run smoke-2, 1 shard of up to 3 participants');
  });

  it('needs --shards, a whole number', async () => {
    expect((await k8s(['scenarios/smoke.scenario.ts'])).stderr).toContain("required option '-n, --shards <n>' not specified");
    const bad = await k8s(['scenarios/smoke.scenario.ts', '--shards', 'two']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('must be a whole number of at least 1');
  });

  it('reports a scenario or option the plan rules out as bad input (the CLI prints it and exits 1)', async () => {
    await expect(k8s(['scenarios/smoke.scenario.ts', '--shards', '9'])).rejects.toThrow(ScenarioError);
    await expect(k8s(['scenarios/nope.scenario.ts', '--shards', '1'])).rejects.toThrow(/file not found/);
  });

  it('teaches in --help: what is generated, how to build the image, apply, and collect the merged results', async () => {
    const { code, stdout } = await k8s(['--help']);
    expect(code).toBe(0);
    for (const text of ['Indexed Job', '--shard k+1/N', 'docker build', 'kubectl apply', 'kubectl cp <id>-fetch:/results/merged results/<id>/merged', 'rtc-harness merge', 'ReadWriteMany', '400m and 160Mi each']) {
      expect(stdout).toContain(text);
    }
  });
});

describe("README's Kubernetes section", () => {
  it('quotes the manifests of smoke --shards 2 as the command writes them (every line, in order)', async () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('\n## Kubernetes\n'));
    const excerpt = /```yaml\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 1)))![1]!;
    tmp = mkdtempSync(join(tmpdir(), 'rtc-k8s-cmd-'));
    const out = join(tmp, 'smoke.yaml');
    await k8s(['scenarios/smoke.scenario.ts', '--shards', '2', '--run-id', 'smoke-1', '--image', 'registry.example/rtc-harness:1', '--out', out]);
    const lines = readFileSync(out, 'utf8').split('\n');
    let at = 0;
    for (const line of excerpt.split('\n').filter((l) => l.trim() !== '...' && l !== '')) {
      const found = lines.indexOf(line, at);
      expect(found, `README line not in the generated file, or out of order: ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});
