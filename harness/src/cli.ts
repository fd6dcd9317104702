// argv -> a run. Exit codes, as a CI job reads them:
//   0  every threshold passed
//   99 a threshold failed (k6's code), or a baseline comparison regressed
//   1  bad input: the scenario file, a field in it, or a command-line option (one line says which)
//   2  the run could not be carried out, or its result is invalid (the load generator was
//      saturated, the run was interrupted): the line says why
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from './scenario/errors.ts';
import { loadScenario } from './scenario/load.ts';
import { resolvePlan } from './scenario/resolve.ts';
import { parseShard, seedOfRun, shardPlan } from './scenario/shard.ts';
import { parseTargetMedia, withTargetUrl } from './scenario/target-url.ts';
import { formatTimeout, runScenario, runTimeoutMs } from './runner/run.ts';
import { parseDurationMs } from './scenario/units.ts';
import { defaultOutDir } from './runner/output.ts';
import { createReporters, DEFAULT_REPORTERS, parseReporterList, ReporterListError, type ReporterChoice } from './reporters/select.ts';
import { baselineFinisher, compareCommand, COMPARE_FORMATS, type CompareFlags } from './compare/command.ts';
import { ResultsFileError } from './results/load.ts';
import { mergeRun, type MergeFlags } from './merge/command.ts';
import { MergeError } from './merge/merge.ts';
import { registerExportK6Command } from './k6/command.ts';
import { registerK8sCommand } from './k8s/command.ts';
import { parseTolerances, ToleranceError } from './compare/tolerance.ts';
import { METRICS } from './stats/catalogue.ts';
import { BROWSER_NAMES, missingField } from './stats/browsers.ts';
import { prometheusOptions, serveHistory, startPrometheusReporter, type PrometheusFlags } from './prometheus/cli.ts';

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
  $ rtc-harness run my.scenario.ts --reporter console,junit=reports/junit.xml --baseline main/results.json

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
  report.html     charts per group and participant, network settings, timeline, thresholds (offline)
  junit.xml       a test case per threshold, participant and baseline figure, for CI test reports
  summary.md      a Markdown summary (also appended to $GITHUB_STEP_SUMMARY when set)

Exit codes: 0 passed, 99 a threshold failed, 1 bad input, 2 the run failed or is invalid.
With --baseline, 99 also when a metric regressed past its tolerance (see: rtc-harness compare --help).
Ctrl-C stops the run early and still writes what was measured.
List the metrics thresholds can use with: rtc-harness metrics`;

interface RunFlags extends PrometheusFlags {
  out?: string;
  duration?: string;
  set: string[];
  headful?: boolean;
  quiet?: boolean;
  seed?: string;
  reporter: ReporterChoice[];
  baseline?: string;
  tolerance?: string[];
  shard?: string;
  runId?: string;
  targetUrl?: string;
  browserEndpoint: string[];
  targetMedia: string[];
  timeout?: string;
}

/** After the run's timeout, how long its orderly stop may take before the process exits regardless, ms. */
const TIMEOUT_STOP_GRACE_MS = 60_000;

const MERGE_HELP = `
Examples (one scenario over two machines, both joining an SFU started with npm run sfu):
  machine A $ rtc-harness run smoke.scenario.ts --target-url http://10.0.0.5:3000 --shard 1/2 --run-id nightly --out shard-1
  machine B $ rtc-harness run smoke.scenario.ts --target-url http://10.0.0.5:3000 --shard 2/2 --run-id nightly --out shard-2
  anywhere  $ rtc-harness merge shard-1 shard-2 --out merged

Every shard runs the same scenario with the same options; --shard i/n keeps participant k of the
plan when k mod n = i - 1, and the run id seeds every shard alike. Merged: every participant,
actions and network changes on one time axis (each shard measures its clock against the SFU's),
thresholds and group figures computed again over all shards' points (exact percentiles, not an
average of the shards'). A shard that was invalid makes the merged run invalid.
Exit codes: as run's (0 pass, 99 a threshold failed, 2 invalid, 1 bad input: a missing shard,
shards of different runs, a folder without results.json or points.jsonl).`;

const COMPARE_HELP = `
Examples:
  $ rtc-harness compare baseline/results.json results/smoke-20261126T101500Z
  $ rtc-harness compare base.json now.json --tolerance video_recv_fps=15% --tolerance rtt_ms=20 --format markdown

Compared: each threshold's measured value, and per group the figures a release is judged on
(received fps, bitrate, resolution and layer and sent fps and bitrate at p50; RTT and loss at p95;
freezes at max; time to first frame and to connect at p95; share of time connected); any other
metric once given a --tolerance. A figure regresses when it is worse than the baseline by more
than max(relative% of the baseline, the absolute floor of its unit).
Tolerances: metric=15% (relative), metric=20 (absolute, in the metric's unit), metric=15%:20
(both), *=20% (the default relative part). Default: 10%, with floors such as 1 fps, 25 kbps,
10 ms, 1 percentage point; 25% and 250 ms for the time to first frame.

Exit codes: 0 no regression, 99 a metric regressed, 1 bad input.`;

/** --tolerance and --set collect every occurrence. */
const collect = (v: string, prev: string[] = []) => [...prev, v];

function reporterList(value: string): ReporterChoice[] {
  try {
    return parseReporterList(value);
  } catch (err) {
    if (err instanceof ReporterListError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

function toleranceOption(): Option {
  return new Option(
    '--tolerance <metric=value>',
    'how much worse than the baseline a metric may get: video_recv_fps=15%, rtt_ms=20, *=20% (repeatable; without it: 10%, with a floor per unit)',
  ).argParser(collect);
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

  const runCommandDef = program
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
    .addOption(
      new Option('--reporter <list>', 'reporters, comma-separated, each optionally name=path: console, json, junit, markdown, html')
        .argParser(reporterList)
        .default(parseReporterList(DEFAULT_REPORTERS), DEFAULT_REPORTERS),
    )
    .option('--baseline <results.json>', 'compare with an earlier run at the end; a metric that regressed past its tolerance exits 99')
    .addOption(toleranceOption())
    .option('--target-url <url>', 'join a call server already running (an rtc-harness SFU from npm run sfu, or a page URL with {room} and {name}) instead of starting the bundled SFU')
    .addOption(
      new Option('--target-media <host:port>', "with --target-url: the server's media address as its ICE candidates name it, or a port range host:first-last, for simulated networks (repeatable)")
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('--shard <index/count>', 'run one slice of the participants, e.g. 1/3 (every shard: same scenario, same options); rtc-harness merge puts them together')
    .addOption(
      new Option('--browser-endpoint <url>', 'drive Chromium already running elsewhere (its CDP address: ws://host:9222/devtools/browser/<id> or http://host:9222) instead of launching it here (repeatable: the pages are spread over them)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('--run-id <id>', 'names the run every shard belongs to, and seeds it when neither --seed nor the scenario does (default with --shard: the scenario name)')
    .option('--timeout <duration>', "the most the whole run may take, set-up included, e.g. 20m; past it the run stops, keeps what was measured and exits 2 (default: the scenario's duration + 15m)")
    .addHelpText('after', RUN_HELP)
    .action(async (file: string, flags: RunFlags) => {
      exitCode = await runCommand(file, flags);
    });
  for (const option of prometheusOptions()) runCommandDef.addOption(option);

  program
    .command('prometheus')
    .description("serve a finished run's Prometheus data (kept by run --prometheus) until Ctrl-C")
    .argument('<dir>', "the run's output folder, or a Prometheus data folder")
    .option('-p, --port <port>', 'port on 127.0.0.1', '9090')
    .action(async (dir: string, flags: { port: string }) => {
      await serveHistory(dir, Number(flags.port));
    });

  program
    .command('compare')
    .description('compare a run with a baseline run, metric by metric; exits 99 when a metric regressed past its tolerance')
    .argument('<baseline>', "the baseline run's results.json (or its output folder)")
    .argument('<results>', "the run to judge: its results.json (or its output folder)")
    .addOption(toleranceOption())
    .addOption(new Option('--format <format>', 'output format').choices(COMPARE_FORMATS).default('text'))
    .addHelpText('after', COMPARE_HELP)
    .action((baseline: string, results: string, flags: CompareFlags) => {
      exitCode = compareCommand(baseline, results, flags);
    });

  program
    .command('merge')
    .description("merge the output folders of a run's shards (run --shard i/n) into the results of one run; exits as run would")
    .argument('<dirs...>', "every shard's output folder")
    .requiredOption('-o, --out <dir>', 'output folder of the merged run')
    .option('-q, --quiet', 'print only the final summary')
    .addOption(
      new Option('--reporter <list>', 'reporters, comma-separated, each optionally name=path: console, json, junit, markdown, html')
        .argParser(reporterList)
        .default(parseReporterList(DEFAULT_REPORTERS), DEFAULT_REPORTERS),
    )
    .addHelpText('after', MERGE_HELP)
    .action(async (dirs: string[], flags: MergeFlags) => {
      const results = await mergeRun(dirs, flags);
      exitCode = results.verdict === 'pass' ? EXIT.pass : results.verdict === 'fail' ? EXIT.fail : EXIT.runFailed;
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
      // A TURN server's shared secret (or any credential) must not end up in a CI log.
      const redacted = JSON.stringify(plan, (key, value) => (/^(secret|credential|password|token)$/i.test(key) && typeof value === 'string' ? '<redacted>' : value), 2);
      process.stdout.write(`${file}: ok\n${redacted}\n`);
    });

  program
    .command('metrics')
    .description('list the metrics that thresholds, reports and dashboards use')
    .action(() => {
      const lacking = (name: string) => {
        const in_ = BROWSER_NAMES.filter((b) => missingField(b, name) !== undefined);
        return in_.length > 0 ? ` (not available in ${in_.join(', ')})` : '';
      };
      const rows = Object.entries(METRICS).map(([name, def]) => `  ${name.padEnd(44)} ${def.unit.padEnd(10)} ${def.kind.padEnd(8)} ${def.help}${lacking(name)}`);
      process.stdout.write(`${'  metric'.padEnd(46)} ${'unit'.padEnd(10)} ${'kind'.padEnd(8)} help\n${rows.join('\n')}\n`);
    });

  registerExportK6Command(program, (code) => (exitCode = code));
  registerK8sCommand(program, (code) => (exitCode = code));

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
    if (err instanceof ResultsFileError || err instanceof ToleranceError || err instanceof MergeError) {
      process.stderr.write(`rtc-harness: ${err.message}\n`);
      return EXIT.badInput;
    }
    process.stderr.write(`rtc-harness: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.runFailed;
  }
}

/** --browser-endpoint drives Chromium over CDP: a Firefox group would only fail when its page opens. */
function refuseFirefoxOnRemoteBrowsers(file: string, participants: readonly { group: string; browser?: string }[]): void {
  const groups = [...new Set(participants.filter((p) => (p.browser ?? 'chromium') === 'firefox').map((p) => p.group))];
  if (groups.length === 0) return;
  throw new ScenarioError(
    `${file}: participants.${groups[0]}.browser is 'firefox'` +
      `${groups.length > 1 ? ` (also ${groups.slice(1).join(', ')})` : ''}, and --browser-endpoint drives remote Chromium over CDP: run Firefox groups without it, or make them 'chromium'`,
  );
}

function parseTimeout(text: string): number {
  let ms: number;
  try {
    ms = parseDurationMs(text);
  } catch {
    throw new ScenarioError(`--timeout ${text}: must be a duration such as 90s, 20m or 1h`);
  }
  if (ms < 1000) throw new ScenarioError(`--timeout ${text}: must be at least 1s`);
  return ms;
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const spec = await loadScenario(file);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : null;
  const runId = flags.runId ?? (shard ? (spec.name ?? file) : undefined);
  let plan = resolvePlan(spec, {
    file,
    duration: flags.duration,
    set: flags.set,
    seed: flags.seed,
    headful: flags.headful,
    // Shards on different machines must draw the same numbers: the seed comes from the run id.
    ...(runId !== undefined ? { randomSeed: () => seedOfRun(runId) } : {}),
  });
  if (flags.targetMedia.length > 0 && !flags.targetUrl) throw new ScenarioError('--target-media goes with --target-url (the media addresses of the server it names)');
  if (flags.targetUrl) plan = withTargetUrl(plan, flags.targetUrl, parseTargetMedia(flags.targetMedia));
  if (shard) plan = shardPlan(plan, { ...shard, runId: runId! });
  if (flags.browserEndpoint.length > 0) refuseFirefoxOnRemoteBrowsers(file, plan.participants);
  const outDir = flags.out ?? defaultOutDir(plan.name);
  const timeoutMs = flags.timeout === undefined ? runTimeoutMs(plan) : parseTimeout(flags.timeout);
  // The baseline and tolerances are checked now, so that a typo fails before the run, not after.
  parseTolerances(flags.tolerance ?? []);
  const finish = flags.baseline ? baselineFinisher(flags.baseline, flags.tolerance ?? []) : undefined;

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
  // A closed terminal or SSH session: stop and keep what was measured, as for Ctrl-C.
  process.on('SIGHUP', onSignal);
  // The runner stops itself at the timeout; should that stop hang too, the process goes anyway
  // (its exit handlers still remove the temporary folders and kill coturn).
  const hardStop = setTimeout(() => {
    process.stderr.write(`\nrtc-harness: the run did not stop within ${formatTimeout(TIMEOUT_STOP_GRACE_MS)} of its timeout (${formatTimeout(timeoutMs)}): exiting\n`);
    process.exit(EXIT.runFailed);
  }, timeoutMs + TIMEOUT_STOP_GRACE_MS);
  hardStop.unref();
  const { console: consoleReporter, reporters } = createReporters(flags.reporter, { outDir, quiet: flags.quiet ?? false });
  let prometheus: Awaited<ReturnType<typeof startPrometheusReporter>> = null;
  try {
    try {
      prometheus = await startPrometheusReporter(flags, { plan, outDir, onLog: (level, message) => consoleReporter.onLog(level, message) });
    } catch (err) {
      if (err instanceof ScenarioError) throw err;
      process.stderr.write(`rtc-harness: could not start the Prometheus export: ${(err as Error).message}\n`);
      return EXIT.runFailed;
    }
    const results = await runScenario(plan, {
      outDir,
      signal: abort.signal,
      reporters: [...reporters, ...(prometheus ? [prometheus] : [])],
      finish,
      timeoutMs,
      onTargetStarted: (target) => prometheus?.addTarget(target),
      ...(flags.browserEndpoint.length > 0 ? { browserEndpoints: flags.browserEndpoint } : {}),
    });
    // Stopped by a signal: the thresholds saw only part of the run, so neither pass nor fail holds.
    if (abort.signal.aborted) return EXIT.runFailed;
    if (results.verdict === 'pass') return results.baseline?.regressed ? EXIT.fail : EXIT.pass;
    if (results.verdict === 'fail') return EXIT.fail;
    return EXIT.runFailed;
  } finally {
    clearTimeout(hardStop);
    await prometheus?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
