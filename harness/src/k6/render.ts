// Writes the k6 browser script of a K6Model. The script is plain JavaScript with JSDoc types, so
// it runs in k6 as is and type-checks against @types/k6 (typecheck.test.ts does). What runs in the
// page is the bundle of page/api.ts, passed in as `pageScript`. Pure.
import { k6Duration, type K6Threshold } from './thresholds.ts';
import { key, literal, str } from './literal.ts';
import type { K6Group, K6Model } from './model.ts';

/** Extra time a group's VUs get past the call's end: opening the page, joining, closing. */
const MAX_DURATION_MARGIN_MS = 60_000;

/** The Chromium flags the call page needs, as K6_BROWSER_ARGS takes them (no leading --). */
export const K6_BROWSER_ARGS = 'use-fake-ui-for-media-stream,use-fake-device-for-media-stream,autoplay-policy=no-user-gesture-required';

/** The file a script is written to by default: '<scenario name>.k6.js'. */
export function defaultScriptName(scenarioName: string): string {
  return `${scenarioName.replace(/[^A-Za-z0-9_.-]+/g, '-')}.k6.js`;
}

export function renderScript(model: K6Model, pageScript: string): string {
  return [
    ...header(model),
    '',
    "import { browser } from 'k6/browser';",
    "import { check } from 'k6';",
    "import exec from 'k6/execution';",
    "import { Counter, Gauge, Trend } from 'k6/metrics';",
    '',
    ...pageUrlCode(model),
    '',
    `const DURATION_MS = ${model.durationMs};`,
    `const STATS_INTERVAL_MS = ${model.statsIntervalMs};`,
    '',
    ...optionsCode(model),
    '',
    ...groupsCode(model.groups),
    '',
    ...metricsCode(model),
    '',
    ...VU_CODE,
    '',
    '// The page side: the stats agent, stats derivation and call-page driving of rtc-harness',
    '// (harness/src/k6/page/api.ts and what it imports), bundled when the script was exported.',
    `const PAGE_SCRIPT = ${JSON.stringify(pageScript)};`,
    '',
  ].join('\n');
}

function header(model: K6Model): string[] {
  const sfu = model.page.kind === 'sfu';
  const lines = [
    `// k6 browser script exported by rtc-harness from ${model.file} (scenario '${model.name}').`,
    `// One VU per participant, each with its own Chromium page joining the call; one k6 scenario per`,
    `// group, starting at its first join. Every ${model.statsIntervalMs / 1000}s each page's getStats() goes through rtc-harness's`,
    `// own stats derivation into k6 metrics of the same names and tags (group, participant; per stream`,
    `// also stream, kind, direction, rid), and the scenario's thresholds are k6 thresholds.`,
    '//',
    '// Run it with k6 (its browser module drives Chromium):',
    `//   K6_BROWSER_ARGS='${K6_BROWSER_ARGS}' \\`,
    model.page.kind === 'sfu'
      ? `//   RTC_SFU_URL=${model.page.defaultSfuUrl} k6 run ${defaultScriptName(model.name)}`
      : `//   RTC_PAGE_URL='${model.page.template}' k6 run ${defaultScriptName(model.name)}`,
    ...(sfu ? ['// RTC_SFU_URL is the bundled SFU (`npm run sfu` in rtc-harness; default shown).'] : []),
    "// A page neither on localhost nor on https also needs unsafely-treat-insecure-origin-as-secure=<its",
    "// origin> in K6_BROWSER_ARGS: the camera (getUserMedia) needs a secure origin. With the k6-operator,",
    "// set both variables in the TestRun's runner env; its parallelism splits the VUs over pods.",
    '//',
    "// k6 passes a threshold whose metric got no samples (rtc-harness fails it), so every VU must pass",
    "// the check 'joined the call' (checks: rate==1). The tag `group` is the participants' group: the",
    '// script calls no k6 group(), whose tag it would otherwise be.',
  ];
  const { thresholds, run, metrics } = model.leftOut;
  if (thresholds.length + run.length > 0) {
    lines.push('//', '// Left out: they have no k6 equivalent.');
    for (const t of thresholds) lines.push(...comment(`- threshold '${t.key}': '${t.expression}': ${t.reason}`));
    for (const r of run) lines.push(...comment(`- ${r.what}: ${r.reason}`));
  }
  lines.push('//', '// Metrics not recorded (no threshold here can use them):');
  for (const m of metrics) lines.push(...comment(`- ${m.what}: ${m.reason}`));
  return lines;
}

/** Width of the header's comment lines. */
const COMMENT_WIDTH = 100;

/** One item of a header list as comment lines, wrapped at word boundaries, continued under its text. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '//   ';
  for (const word of text.split(' ')) {
    if (line.trim() !== '//' && line.length + 1 + word.length > COMMENT_WIDTH) {
      lines.push(line);
      line = '//     ';
    }
    line += line.endsWith(' ') ? word : ` ${word}`;
  }
  lines.push(line);
  return lines;
}

function pageUrlCode(model: K6Model): string[] {
  if (model.page.kind === 'sfu') {
    return [
      '/** The SFU whose reference call page the VUs open (RTC_SFU_URL). */',
      `const SFU_URL = (__ENV.RTC_SFU_URL || ${str(model.page.defaultSfuUrl)}).replace(/\\/+$/, '');`,
      '',
      '/** @param {Participant} p */',
      'function pageUrl(p) {',
      `  return \`\${SFU_URL}/?room=\${encodeURIComponent(p.room)}&name=\${encodeURIComponent(p.id)}${model.page.query}\`;`,
      '}',
    ];
  }
  return [
    '/** The call page the VUs open (RTC_PAGE_URL): {room} and {name} are filled in per participant. */',
    `const PAGE_URL = __ENV.RTC_PAGE_URL || ${str(model.page.template)};`,
    '',
    '/** @param {Participant} p */',
    'function pageUrl(p) {',
    "  return PAGE_URL.split('{room}').join(encodeURIComponent(p.room)).split('{name}').join(encodeURIComponent(p.id));",
    '}',
  ];
}

function optionsCode(model: K6Model): string[] {
  const lines = ['/** @type {import(\'k6/options\').Options} */', 'export const options = {', '  scenarios: {'];
  for (const g of model.groups) {
    const scenario = {
      executor: 'per-vu-iterations',
      vus: g.participants.length,
      iterations: 1,
      startTime: k6Duration(g.startMs),
      maxDuration: k6Duration(model.durationMs - g.startMs + MAX_DURATION_MARGIN_MS),
      exec: 'participant',
      options: { browser: { type: 'chromium' } },
    };
    lines.push(`    ${key(g.name)}: ${literal(scenario)},`);
  }
  lines.push('  },', '  thresholds: {', "    checks: ['rate==1'],");
  const bySelector = new Map<string, K6Threshold[]>();
  for (const t of model.thresholds) bySelector.set(t.selector, [...(bySelector.get(t.selector) ?? []), t]);
  for (const [selector, list] of bySelector) {
    const items = list.map((t) =>
      t.abortOnFail ? literal({ threshold: t.expression, abortOnFail: true, delayAbortEval: t.delayAbortEval }) : str(t.expression),
    );
    lines.push(`    ${key(selector)}: [${items.join(', ')}],`);
  }
  lines.push('  },', '};');
  return lines;
}

function groupsCode(groups: readonly K6Group[]): string[] {
  const lines = [
    '/**',
    ' * @typedef {{ atMs: number, action: { do: string } & Record<string, unknown> }} Step',
    ' * @typedef {{ id: string, joinAtMs: number, room: string, publish: object, actions: Step[] }} Participant',
    ' * @typedef {{ startMs: number, participants: Participant[] }} Group',
    ' */',
    '',
    '/** The groups (k6 scenarios) and their participants (one VU each); times in ms from the call\'s start. @type {Record<string, Group>} */',
    'const GROUPS = {',
  ];
  for (const g of groups) {
    lines.push(`  ${key(g.name)}: {`, `    startMs: ${g.startMs},`, '    participants: [');
    for (const p of g.participants) {
      const head = `id: ${str(p.id)}, joinAtMs: ${p.joinAtMs}, room: ${str(p.room)}, publish: ${literal(p.publish)}`;
      if (p.actions.length === 0) {
        lines.push(`      { ${head}, actions: [] },`);
        continue;
      }
      lines.push(`      { ${head}, actions: [`);
      for (const a of p.actions) lines.push(`        ${literal(a)},`);
      lines.push('      ] },');
    }
    lines.push('    ],', '  },');
  }
  lines.push('};');
  return lines;
}

function metricsCode(model: K6Model): string[] {
  const lines = [
    "/** rtc-harness's metrics, by name (its catalogue: `rtc-harness metrics`). @type {Record<string, Trend | Gauge | Counter>} */",
    'const METRICS = {',
  ];
  for (const m of model.metrics) {
    const cls = m.type === 'gauge' ? 'Gauge' : m.type === 'counter' ? 'Counter' : 'Trend';
    lines.push(`  ${m.name}: new ${cls}(${str(m.name)}${m.isTime ? ', true' : ''}),`);
  }
  lines.push('};');
  const counted = model.metrics.filter((m) => m.type === 'counter').map((m) => m.name);
  lines.push('/** Metrics whose thresholds count samples: each sample adds 1. @type {Set<string>} */', `const COUNTED = new Set(${literal(counted)});`);
  return lines;
}

/** The VU: the same for every scenario, so it is written once, as code rather than data. */
const VU_CODE = `/** One participant: open the call page, join at its time, publish, act, sample until the call's end. */
export async function participant() {
  const group = GROUPS[exec.scenario.name];
  const me = group && group.participants[exec.scenario.iterationInTest];
  if (!group || !me) throw new Error(\`no participant for k6 scenario \${exec.scenario.name}, iteration \${exec.scenario.iterationInTest}\`);
  // The call's clock: this group's k6 scenario started at the group's first join.
  const callStartMs = exec.scenario.startTime - group.startMs;
  const callEndMs = callStartMs + DURATION_MS;
  const who = { participant: me.id, group: exec.scenario.name };
  const request = { room: me.room, name: me.id, publish: me.publish };
  const context = await browser.newContext();
  await context.addInitScript(PAGE_SCRIPT);
  const page = await context.newPage();
  try {
    let joined = false;
    try {
      await page.goto(pageUrl(me), { waitUntil: 'load' });
      await page.waitForTimeout(Math.max(0, callStartMs + me.joinAtMs - Date.now()));
      await page.evaluate((r) => /** @type {any} */ (globalThis).__rtcHarnessK6.join(r), request);
      joined = true;
    } catch (err) {
      console.error(\`\${me.id}: could not join: \${err}\`);
    }
    check(joined, { 'joined the call': (ok) => ok });
    if (!joined) return;
    const steps = me.actions.slice();
    // Timeline actions run in order beside the sampling: a rejoin's time away must not pause the stats.
    /** @type {Promise<unknown>} */
    let acting = Promise.resolve();
    let nextSampleMs = Date.now();
    while (Date.now() < callEndMs) {
      while (steps.length > 0 && callStartMs + steps[0].atMs <= Date.now()) {
        const step = /** @type {Step} */ (steps.shift());
        const arg = { action: step.action, request };
        acting = acting
          .then(() => page.evaluate((a) => /** @type {any} */ (globalThis).__rtcHarnessK6.act(a.action, a.request), arg))
          .catch((err) => console.warn(\`\${me.id}: \${step.action.do} at \${step.atMs / 1000}s failed: \${err}\`));
      }
      if (Date.now() >= nextSampleMs) {
        const startedMs = Date.now();
        await sample(page, who);
        nextSampleMs = startedMs + STATS_INTERVAL_MS;
      }
      const nextStepMs = steps.length > 0 ? callStartMs + steps[0].atMs : callEndMs;
      await page.waitForTimeout(Math.max(0, Math.min(nextSampleMs, nextStepMs, callEndMs) - Date.now()));
    }
    await acting;
  } finally {
    await page.close();
    await context.close();
  }
}

/**
 * Collects the page's stats once and records the interval's values.
 * @param {import('k6/browser').Page} page
 * @param {{ participant: string, group: string }} who
 */
async function sample(page, who) {
  try {
    /** @type {Array<{ metric: string, value: number, tags: Record<string, string> }>} */
    const points = await page.evaluate((w) => /** @type {any} */ (globalThis).__rtcHarnessK6.sample(w), who);
    for (const p of points) {
      const metric = METRICS[p.metric];
      if (metric) metric.add(COUNTED.has(p.metric) ? 1 : p.value, p.tags);
    }
  } catch (err) {
    // A busy page misses one interval; the next one's rates span both.
    console.warn(\`\${who.participant}: stats not collected: \${err}\`);
  }
}`.split('\n');
