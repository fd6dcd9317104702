// `rtc-harness export-k6 <scenario>`: writes the scenario as a k6 browser script. Registered on
// the CLI's commander program by cli.ts; bad input (the scenario, a field, an override, a target
// k6 cannot drive) is a ScenarioError, which the CLI prints in one line with exit code 1.
import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { exportK6Script, type ExportK6Options } from './export.ts';
import { DEFAULT_SFU_URL, type K6Model } from './model.ts';
import { defaultScriptName, K6_BROWSER_ARGS } from './render.ts';

const HELP = `
Examples:
  $ rtc-harness export-k6 scenarios/smoke.scenario.ts
  $ rtc-harness export-k6 scenarios/smoke.scenario.ts --set callers.count=50 --duration 5m --out load/smoke.k6.js
  $ K6_BROWSER_ARGS='${K6_BROWSER_ARGS}' \\
    RTC_SFU_URL=http://sfu.internal:3000 k6 run smoke.k6.js

What the script does (k6 with its browser module, k6/browser):
  - one VU per participant, each with its own Chromium page on the call page
    (http://<RTC_SFU_URL>/?room=<room>&name=<participant>); each group is a k6 scenario
    (per-vu-iterations) starting at its first join, and each VU waits for its own join time;
  - joins and publishes through the page's window.rtcHarness, as 'run' does, replays the timeline's
    page actions (leave, rejoin, publish, mute, screenShare, layers...) and stays for the duration;
  - every stats interval, the page's getStats() goes through rtc-harness's own stats derivation
    (bundled into the script) into k6 Trend/Gauge/Counter metrics of the same names and tags
    (group, participant; per stream also stream, kind, direction, rid);
  - the scenario's thresholds as k6 thresholds ('p(95) < 5000' -> 'p(95)<5000', 'last == 0' on a
    Gauge -> 'value==0'), plus checks: rate==1 (every VU joined), since k6 passes a threshold
    whose metric got no samples.

Left out, and listed at the top of the script with the reason:
  - metrics the harness computes around the pages: action effects (renegotiation_seconds,
    remote_join_leave_seconds, layer_downswitch_seconds...), simulated links (link_*), coturn's
    log, the load generator's CPU; and thresholds on them;
  - thresholds k6 cannot express ('last' or 'count' on a metric that needs a Trend);
  - simulated networks, network and forceTurn steps, the run's TURN server, script steps.

Running it:
  RTC_SFU_URL    the bundled SFU (npm run sfu, port 3000); default: --sfu-url
  K6_BROWSER_ARGS  must give Chromium a fake camera and microphone (above); for a page neither on
                 localhost nor https add unsafely-treat-insecure-origin-as-secure=<its origin>
  k6-operator    put the script in a ConfigMap and both variables in the TestRun's runner env;
                 'parallelism' splits the VUs over pods. k6 exits 99 when a threshold fails.`;

interface ExportFlags {
  out?: string;
  set: string[];
  duration?: string;
  sfuUrl: string;
}

/** Adds `export-k6` to the CLI. `setExitCode` receives the command's exit code. */
export function registerExportK6Command(program: Command, setExitCode: (code: number) => void): Command {
  return program
    .command('export-k6')
    .description('write a scenario as a k6 browser script (k6/browser, k6/metrics, thresholds) for k6 or the k6-operator')
    .argument('<scenario>', 'path of a *.scenario.ts file')
    .option('-o, --out <file>', 'the script to write (default: <scenario name>.k6.js in the current folder)')
    .addOption(
      new Option('-s, --set <group.field=value>', 'override a group field, as for run, e.g. viewers.count=50 (repeatable)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('-d, --duration <duration>', "override the scenario's duration, e.g. 5m")
    .option('--sfu-url <url>', 'the SFU the script calls when RTC_SFU_URL is not set', DEFAULT_SFU_URL)
    .addHelpText('after', HELP)
    .action(async (file: string, flags: ExportFlags) => {
      const options: ExportK6Options = { set: flags.set, sfuUrl: flags.sfuUrl, ...(flags.duration === undefined ? {} : { duration: flags.duration }) };
      const { script, model } = await exportK6Script(file, options);
      const out = flags.out ?? defaultScriptName(model.name);
      try {
        await writeFile(out, script);
      } catch (err) {
        process.stderr.write(`rtc-harness: could not write ${out}: ${(err as Error).message} (give another --out)\n`);
        setExitCode(1);
        return;
      }
      process.stdout.write(summary(model, out));
      setExitCode(0);
    });
}

/** What was written and what was left out, in a few lines. */
export function summary(model: K6Model, out: string): string {
  const vus = model.groups.reduce((n, g) => n + g.participants.length, 0);
  const { thresholds, run } = model.leftOut;
  const lines = [
    `wrote ${out}: ${vus} VU${vus === 1 ? '' : 's'} in ${model.groups.length} k6 scenario${model.groups.length === 1 ? '' : 's'} (${model.groups.map((g) => g.name).join(', ')}), ` +
      `${model.thresholds.length} of ${model.thresholds.length + thresholds.length} thresholds, ${model.metrics.length} metrics`,
  ];
  for (const t of thresholds) lines.push(`  left out: threshold '${t.key}': '${t.expression}': ${t.reason}`);
  for (const r of run) lines.push(`  left out: ${r.what}: ${r.reason}`);
  const env = model.page.kind === 'sfu' ? `RTC_SFU_URL=${model.page.defaultSfuUrl}` : `RTC_PAGE_URL='${model.page.template}'`;
  lines.push(`run it: K6_BROWSER_ARGS='${K6_BROWSER_ARGS}' ${env} k6 run ${out}`);
  return `${lines.join('\n')}\n`;
}
