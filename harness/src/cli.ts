// argv -> a run. Exit codes, as a CI job reads them:
//   0  every threshold passed
//   99 a threshold failed (k6's code), or a baseline comparison regressed
//   1  bad input: the scenario file, a field in it, or a command-line option (one line says which)
//   2  the run could not be carried out, or its result is invalid (the load generator was
//      saturated, the run was interrupted): the line says why
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from './scenario/errors.ts';
import { loadScenario } from './scenario/load.ts';
import { resolvePlan } from './scenario/resolve.ts';
import { runScenario } from './runner/run.ts';
import { defaultOutDir } from './runner/output.ts';
import { ConsoleReporter } from './reporters/console.ts';
import { METRICS } from './stats/catalogue.ts';

export const EXIT = { pass: 0, fail: 99, badInput: 1, runFailed: 2 } as const;

function version(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
  return String(pkg.version);
}

const RUN_HELP = `
Examples:
  $ rtc-harness run scenarios/smoke.scenario.ts
  $ rtc-harness run scenarios/smoke.scenario.ts --duration 60s --set callers.count=4
  $ rtc-harness run my.scenario.ts --out results/nightly --quiet

A scenario is a TypeScript (or JavaScript) module whose default export is defineScenario({...}):
  import { defineScenario } from 'rtc-harness';
  export default defineScenario({
    name: 'two-callers',
    duration: '30s',
    participants: { callers: { count: 2 } },
    thresholds: { 'video_recv_fps{group:callers}': ['p(10) > 20'] },
  });

Output (in --out, default results/<scenario>-<time>/):
  results.json    verdict, thresholds with measured values, per-participant and per-group aggregates
  samples.jsonl   every sample, one JSON object a line (written as the run goes)

Exit codes: 0 passed, 99 a threshold failed, 1 bad input, 2 the run failed or is invalid.
Ctrl-C stops the run early and still writes what was measured.
List the metrics thresholds can use with: rtc-harness metrics`;

interface RunFlags {
  out?: string;
  duration?: string;
  set: string[];
  headful?: boolean;
  quiet?: boolean;
  seed?: string;
}

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.pass;
  const program = new Command()
    .name('rtc-harness')
    .description('Load and quality tests for WebRTC: scripted headless participants, a bundled SFU, simulated networks, thresholds.')
    .version(version())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('run a scenario and decide pass/fail from its thresholds')
    .argument('<scenario>', 'path of a *.scenario.ts file')
    .option('-o, --out <dir>', 'output folder (default: results/<scenario>-<time>)')
    .option('-d, --duration <duration>', "override the scenario's duration, e.g. 30s, 2m")
    .addOption(
      new Option('-s, --set <group.field=value>', 'override a group field, e.g. viewers.count=4 (repeatable)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('--seed <n>', 'seed for every random choice (network loss, jitter), for a repeatable run')
    .option('--headful', 'show the browser windows (needs a display)')
    .option('-q, --quiet', 'print only the final summary')
    .addHelpText('after', RUN_HELP)
    .action(async (file: string, flags: RunFlags) => {
      exitCode = await runCommand(file, flags);
    });

  program
    .command('validate')
    .description('check a scenario file without running it; prints the resolved plan')
    .argument('<scenario>', 'path of a *.scenario.ts file')
    .addOption(
      new Option('-s, --set <group.field=value>', 'override a group field, as for run')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('-d, --duration <duration>', "override the scenario's duration")
    .action(async (file: string, flags: RunFlags) => {
      const spec = await loadScenario(file);
      const plan = resolvePlan(spec, { file, duration: flags.duration, set: flags.set });
      process.stdout.write(`${file}: ok\n${JSON.stringify(plan, null, 2)}\n`);
    });

  program
    .command('metrics')
    .description('list the metrics that thresholds, reports and dashboards use')
    .action(() => {
      const rows = Object.entries(METRICS).map(([name, def]) => `  ${name.padEnd(44)} ${def.unit.padEnd(10)} ${def.kind.padEnd(8)} ${def.help}`);
      process.stdout.write(`${'  metric'.padEnd(46)} ${'unit'.padEnd(10)} ${'kind'.padEnd(8)} help\n${rows.join('\n')}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? EXIT.pass : EXIT.badInput;
    }
    if (err instanceof ScenarioError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`rtc-harness: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.runFailed;
  }
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const spec = await loadScenario(file);
  const plan = resolvePlan(spec, {
    file,
    duration: flags.duration,
    set: flags.set,
    seed: flags.seed,
    headful: flags.headful,
  });
  const outDir = flags.out ?? defaultOutDir(plan.name);

  // Ctrl-C stops the run and still writes what was measured; a second Ctrl-C forces the exit
  // (the runner's teardown has already been asked to kill the browsers and the SFU).
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      process.stderr.write(`\nrtc-harness: ${sig}: stopping, writing results (press Ctrl-C again to force)\n`);
      abort.abort(new Error(`interrupted by ${sig}`));
    } else {
      process.exit(EXIT.runFailed);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const results = await runScenario(plan, {
      outDir,
      signal: abort.signal,
      reporters: [new ConsoleReporter({ quiet: flags.quiet ?? false })],
    });
    // Stopped by a signal: the thresholds saw only part of the run, so neither pass nor fail holds.
    if (abort.signal.aborted) return EXIT.runFailed;
    if (results.verdict === 'pass') return EXIT.pass;
    if (results.verdict === 'fail') return EXIT.fail;
    return EXIT.runFailed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
