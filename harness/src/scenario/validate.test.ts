// Malformed scenarios, written as real files and loaded the way the CLI loads them: each must
// produce exactly the one line that names the file, the field and what is allowed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../network/profiles.ts';
import { ScenarioError } from './errors.ts';
import { loadScenario } from './load.ts';

const dir = mkdtempSync(join(tmpdir(), 'rtc-scenario-validate-'));
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A valid scenario; each case changes one thing. */
const BASE = {
  duration: '30s',
  participants: {
    presenter: { count: 1, publish: { audio: true, video: { simulcast: true } } },
    viewers: { count: 4, network: 'lte' },
  },
  timeline: [
    { at: '10s', do: 'mute', who: 'presenter', source: 'mic' },
    { at: '12s', do: 'leave', who: 'viewers[3]' },
    { at: '15s', do: 'network', who: 'viewers', set: { down: { lossPct: 2 } } },
  ],
  thresholds: {
    'video_recv_fps{group:viewers}': ['p(10) > 20'],
    join_to_first_frame_ms: ['p(95) < 5000'],
  },
};

type Spec = Record<string, unknown>;
const clone = (): Spec => structuredClone(BASE) as Spec;
const group = (s: Spec, name: string) => (s.participants as Record<string, Spec>)[name]!;
const timeline = (s: Spec) => s.timeline as Spec[];

let counter = 0;
async function load(source: string): Promise<{ file: string; message: string | null }> {
  const file = join(dir, `case-${counter++}.scenario.ts`);
  writeFileSync(file, source);
  try {
    await loadScenario(file);
    return { file, message: null };
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return { file, message: err.message };
  }
}
/** The scenario as a module's source; functions (page adapters' hooks, script steps) as their code. */
const asModule = (spec: unknown) => {
  const code: string[] = [];
  const json = JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'function' ? `__code${code.push(v.toString()) - 1}__` : v), 2);
  return `export default ${json.replace(/"__code(\d+)__"/g, (_m, i: string) => code[Number(i)]!)};\n`;
};

const cases: { name: string; edit: (s: Spec) => void; expected: string }[] = [
  {
    name: 'count below 1',
    edit: (s) => (group(s, 'viewers').count = 0),
    expected: 'participants.viewers.count must be an integer from 1 to 10000, got 0',
  },
  {
    name: 'count not an integer',
    edit: (s) => (group(s, 'viewers').count = 2.5),
    expected: 'participants.viewers.count must be an integer from 1 to 10000, got 2.5',
  },
  {
    name: 'who names an unknown group',
    edit: (s) => (timeline(s)[2]!.who = 'viewrs'),
    expected: "timeline[2].who: unknown group 'viewrs' (groups: presenter, viewers)",
  },
  {
    name: 'who names a participant out of range',
    edit: (s) => (timeline(s)[1]!.who = 'viewers[7]'),
    expected: 'timeline[1].who: viewers[7] is out of range (viewers has 4 participants: viewers[0]..viewers[3])',
  },
  {
    name: 'unknown metric in a threshold',
    edit: (s) => (s.thresholds = { video_recv_fpz: ['avg > 20'] }),
    expected: "thresholds['video_recv_fpz']: unknown metric 'video_recv_fpz' (did you mean video_recv_fps?)",
  },
  {
    name: 'typo in a top-level field',
    edit: (s) => {
      s.partcipants = s.participants;
      delete s.participants;
      delete s.timeline;
      delete s.thresholds;
    },
    expected: 'partcipants: unknown field (did you mean participants?)',
  },
  {
    name: 'typo in a group field',
    edit: (s) => (s.participants = { viewers: { cont: 4 } }) && delete s.timeline && delete s.thresholds,
    expected: 'participants.viewers.cont: unknown field (did you mean count?)',
  },
  {
    name: 'an action after the end',
    edit: (s) => (timeline(s)[0]!.at = '45s'),
    expected: "timeline[0].at must be before the end of the run (duration 30s), got '45s'",
  },
  {
    name: 'a threshold expression cut short',
    edit: (s) => (s.thresholds = { join_to_first_frame_ms: ['p(95) <'] }),
    expected: "thresholds['join_to_first_frame_ms'][0]: 'p(95) <': expected a number at column 8, found the end",
  },
  {
    name: 'a threshold expression with a bad aggregation',
    edit: (s) => (s.thresholds = { video_recv_fps: [{ threshold: 'p95 > 20', abortOnFail: true }] }),
    expected:
      "thresholds['video_recv_fps'][0].threshold: 'p95 > 20': unknown aggregation 'p95' at column 1 " +
      '(did you mean p(95)? allowed: avg, min, max, med, count, last or p(N))',
  },
  {
    name: 'a duration without a unit',
    edit: (s) => (s.duration = '30 seconds'),
    expected: "duration must be a duration like '500ms', '30s', '1m30s' or a number of seconds, got '30 seconds'",
  },
  {
    name: 'no duration',
    edit: (s) => delete s.duration,
    expected: "duration is missing; it must be a duration like '500ms', '30s', '1m30s' or a number of seconds",
  },
  {
    name: 'a misspelt action',
    edit: (s) => (timeline(s)[1]!.do = 'levae'),
    expected:
      'timeline[1].do must be one of join, leave, publish, unpublish, mute, unmute, network, layers, iceRestart, ' +
      "screenShare, forceTurn, switchCamera, changeCodec, rejoin, churn, script (did you mean leave?), got 'levae'",
  },
  {
    name: 'a count no machine could allocate',
    edit: (s) => (group(s, 'viewers').count = 4294967296),
    expected: 'participants.viewers.count must be an integer from 1 to 10000, got 4294967296',
  },
  {
    name: 'an unknown receive mode',
    edit: (s) => (group(s, 'viewers').receive = 'counting'),
    expected: "participants.viewers.receive must be 'decode' or 'count', got 'counting'",
  },
  {
    name: 'an unknown browser',
    edit: (s) => (group(s, 'viewers').browser = 'safari'),
    expected: "participants.viewers.browser must be 'chromium' or 'firefox', got 'safari'",
  },
  {
    name: 'count mode in Firefox',
    edit: (s) => Object.assign(group(s, 'viewers'), { browser: 'firefox', receive: 'count' }),
    expected:
      "participants.viewers.receive 'count' is not possible in Firefox: its stand-in decoder is measured in Chromium only (drop receive, or use browser: 'chromium')",
  },
  {
    name: 'the clip camera in Firefox',
    edit: (s) => Object.assign(group(s, 'presenter'), { browser: 'firefox', publish: { video: { source: 'clip' } } }),
    expected: "participants.presenter.publish.video.source 'clip' is not possible in Firefox: the clip camera is a Chromium flag (drop source, or use browser: 'chromium')",
  },
  {
    name: 'stamped video published later by a Firefox participant',
    edit: (s) => {
      group(s, 'viewers').browser = 'firefox';
      timeline(s)[1] = { at: '12s', do: 'publish', who: 'viewers[1]', what: { video: { source: 'stamped' } } };
    },
    expected:
      "timeline[1].what.video.source 'stamped' is not possible in Firefox (who: 'viewers[1]'): stamped video needs MediaStreamTrackGenerator, which Firefox lacks (drop source, or use browser: 'chromium')",
  },
  {
    name: 'the replay camera with simulcast',
    edit: (s) => Object.assign(group(s, 'presenter'), { publish: { video: { simulcast: true, source: 'replay' } } }),
    expected: "participants.presenter.publish.video.source 'replay' sends one pre-encoded stream: drop simulcast, or use source 'clip'",
  },
  {
    name: 'the replay camera with another codec',
    edit: (s) => Object.assign(group(s, 'presenter'), { publish: { video: { source: 'replay', codec: 'vp9' } } }),
    expected: "participants.presenter.publish.video.source 'replay' replays a VP8 clip: drop codec or use 'vp8', got 'vp9'",
  },
  {
    name: 'a codec change for replay senders',
    edit: (s) => {
      Object.assign(group(s, 'presenter'), { publish: { video: { source: 'replay' } } });
      timeline(s)[1] = { at: '12s', do: 'changeCodec', who: 'presenter', codec: 'vp9' };
    },
    expected: "timeline[1].codec 'vp9': presenter sends the replay camera, a VP8 clip (use source 'clip' to change codecs)",
  },
  {
    name: 'the replay camera in Firefox',
    edit: (s) => Object.assign(group(s, 'presenter'), { browser: 'firefox', publish: { video: { source: 'replay' } } }),
    expected: "participants.presenter.publish.video.source 'replay' is not possible in Firefox: the replay camera needs MediaStreamTrackGenerator, which Firefox lacks (drop source, or use browser: 'chromium')",
  },
  {
    name: 'a threshold on an unknown browser',
    edit: (s) => ((s.thresholds as Spec)['video_recv_fps{browser:safari}'] = ['med > 20']),
    expected: "thresholds['video_recv_fps{browser:safari}']: unknown browser 'safari' (browsers: chromium, firefox)",
  },
  {
    name: 'an unknown media source',
    edit: (s) => (timeline(s)[0]!.source = 'speaker'),
    expected: "timeline[0].source must be 'mic', 'camera' or 'screen', got 'speaker'",
  },
  {
    name: 'a field another action has',
    edit: (s) => (timeline(s)[1]!.source = 'mic'),
    expected: 'timeline[1].source: unknown field (allowed: at, who, do)',
  },
  {
    name: 'a join spread past the end',
    edit: (s) => (group(s, 'viewers').joinSpread = '40s'),
    expected:
      "participants.viewers.joinSpread must end before the end of the run (duration 30s): viewers[3] would join at 30s, got '40s'",
  },
  {
    name: 'an unknown network profile',
    edit: (s) => (group(s, 'viewers').network = 'wfi'),
    expected: `participants.viewers.network must be a network profile (${PROFILE_NAMES.join(', ')}) or settings (did you mean wifi?), got 'wfi'`,
  },
  {
    name: 'network settings out of range (checked by the network module)',
    edit: (s) => (timeline(s)[2]!.set = { down: { lossPct: 150 } }),
    expected: 'timeline[2].set.down.lossPct must be a number in 0..100 (got 150)',
  },
  {
    name: 'a threshold on an unknown group',
    edit: (s) => (s.thresholds = { 'video_recv_fps{group:viewer}': ['med > 15'] }),
    expected: "thresholds['video_recv_fps{group:viewer}']: unknown group 'viewer' (groups: presenter, viewers)",
  },
  {
    name: 'a threshold selector left open',
    edit: (s) => (s.thresholds = { 'video_recv_fps{group:viewers': ['med > 15'] }),
    expected: "thresholds['video_recv_fps{group:viewers']: expected ',' or '}' at column 29, found the end",
  },
  {
    name: 'the bundled SFU and a URL at once',
    edit: (s) => (s.target = { sfu: 'bundled', url: 'https://meet.example.com/{room}' }),
    expected:
      "target must be { sfu: 'bundled', workers?: n, iceRestart?: boolean }, { url: 'https://…/{room}?name={name}', page? } " +
      "or { whip: 'https://…/whip/{room}', whep?: '…' }, " +
      'got {"sfu":"bundled","url":"https://meet.example.com/{room}"}',
  },
  {
    name: 'a page adapter without join',
    edit: (s) => (s.target = { url: 'https://meet.example.com/{room}', page: { name: 'my-app', leave: async () => {} } }),
    expected: 'target.page.join must be a function join(page, ctx) that joins the call',
  },
  {
    name: 'a misspelt hook of a page adapter',
    edit: (s) => (s.target = { url: 'https://meet.example.com/{room}', page: { name: 'my-app', join: async () => {}, mutе: async () => {} } }),
    expected: 'target.page.mutе is not a hook (hooks: join, leave, publish, unpublish, mute, unmute, screenShare, switchCamera, iceRestart, layers)',
  },
  {
    name: "a timeline action the page adapter has no hook for (refused before any browser starts)",
    edit: (s) => (s.target = { url: 'https://meet.example.com/{room}', page: { name: 'my-app', join: async () => {}, leave: async () => {} } }),
    expected:
      "timeline[0]: 'mute' needs the page adapter 'my-app' to have mute(page, ctx, source); add it to the adapter, or drive the page with a 'script' step",
  },
  {
    name: 'an unknown built-in page adapter',
    edit: (s) => (s.target = { url: 'https://meet.example.com/{room}', page: 'janus-videorom' }),
    expected: "target.page must be a page adapter, a module path like './my-app.adapter.ts', or a built-in adapter (reference, janus-videoroom) (did you mean janus-videoroom?), got 'janus-videorom'",
  },
  {
    name: 'a script step without code',
    edit: (s) => timeline(s).push({ at: '5s', do: 'script', who: 'viewers', run: 'click' }),
    expected: "timeline[3].run must be a function async (page, ctx) => { ... }, got 'click'",
  },
  {
    name: 'a publishing group over WHEP only',
    edit: (s) => {
      s.target = { whep: 'http://127.0.0.1:8080/whep/{room}' };
      group(s, 'viewers').publish = false;
    },
    expected: 'participants.presenter publishes, which over WHIP needs target.whip (or publish: false, to view over target.whep)',
  },
  {
    name: 'a media port range too wide',
    edit: (s) => (s.target = { url: 'https://meet.example.com/{room}', media: ['10.0.0.5:20000-29999'] }),
    expected: 'target.media[0]: a range may name at most 256 ports, got 10000',
  },
  {
    name: 'a misspelt SFU kind (reported through the matching branch of the union)',
    edit: (s) => (s.target = { sfu: 'bundeld' }),
    expected: "target.sfu must be 'bundled', got 'bundeld'",
  },
  {
    name: 'a video setting that is neither a flag nor settings',
    edit: (s) => (group(s, 'presenter').publish = { video: 'hd' }),
    expected: "participants.presenter.publish.video must be true, false or { simulcast?, width?, height?, fps?, encodings?, codec?, scalabilityMode?, source? }, got 'hd'",
  },
  {
    name: 'a bad delayAbortEval',
    edit: (s) => (s.thresholds = { video_recv_fps: [{ threshold: 'avg > 1', abortOnFail: true, delayAbortEval: 'soon' }] }),
    expected:
      "thresholds['video_recv_fps'][0].delayAbortEval must be a duration like '500ms', '30s', '1m30s' or a number of seconds, got 'soon'",
  },
  {
    name: 'a target URL that is not http(s)',
    edit: (s) => (s.target = { url: 'meet.example.com/{room}' }),
    expected: "target.url must be an http(s) URL like 'https://meet.example.com/{room}?name={name}', got 'meet.example.com/{room}'",
  },
  {
    name: 'video fps out of range',
    edit: (s) => (group(s, 'presenter').publish = { video: { fps: 0 } }),
    expected: 'participants.presenter.publish.video.fps must be an integer from 1 to 60, got 0',
  },
  {
    name: 'a simulcast layer without its bitrate cap',
    edit: (s) => (group(s, 'presenter').publish = { video: { simulcast: true, encodings: [{ maxBitrate: '150kbps' }, { scaleResolutionDownBy: 1 }] } }),
    expected:
      "participants.presenter.publish.video.encodings[1].maxBitrate is missing; it must be a bitrate like '300kbps', '2mbit', '1.5 Mbps' or a number of kbps, above 0",
  },
  {
    name: 'a bitrate with a byte unit',
    edit: (s) => (group(s, 'presenter').publish = { video: { simulcast: true, encodings: [{ maxBitrate: '150kB/s' }] } }),
    expected:
      "participants.presenter.publish.video.encodings[0].maxBitrate must be a bitrate like '300kbps', '2mbit', '1.5 Mbps' or a number of kbps, above 0, got '150kB/s'",
  },
  {
    name: 'an unknown codec',
    edit: (s) => (group(s, 'presenter').publish = { video: { codec: 'av1' } }),
    expected: "participants.presenter.publish.video.codec must be one of 'vp8', 'vp9', 'h264', got 'av1'",
  },
  {
    name: 'SVC without VP9',
    edit: (s) => (group(s, 'presenter').publish = { video: { scalabilityMode: 'L3T3_KEY' } }),
    expected:
      "participants.presenter.publish.video.scalabilityMode 'L3T3_KEY' has 3 spatial layers (SVC), which needs codec: 'vp9', got none (the default is 'vp8')",
  },
  {
    name: 'spatial layers in a simulcast layer',
    edit: (s) => (group(s, 'presenter').publish = { video: { simulcast: true, codec: 'vp9', scalabilityMode: 'L2T3' } }),
    expected:
      "participants.presenter.publish.video.scalabilityMode with simulcast sets each layer's temporal layers ('L1T1', 'L1T2' or 'L1T3'), got 'L2T3'; spatial layers in one stream are SVC: drop simulcast and use codec 'vp9'",
  },
  {
    name: 'several layers without simulcast',
    edit: (s) => (group(s, 'presenter').publish = { video: { encodings: [{ maxBitrate: 150 }, { maxBitrate: 500 }] } }),
    expected:
      'participants.presenter.publish.video.encodings has 2 layers, which needs simulcast: true (without simulcast, give one entry to cap the single stream)',
  },
  {
    name: 'a scalability mode that is none',
    edit: (s) => (group(s, 'presenter').publish = { video: { simulcast: true, scalabilityMode: 'L1T5' } }),
    expected:
      "participants.presenter.publish.video.scalabilityMode must be a scalability mode like 'L1T3' (simulcast layers) or 'L3T3_KEY' (VP9 SVC), got 'L1T5'",
  },
  {
    name: 'a name with spaces',
    edit: (s) => (s.name = 'my test'),
    expected: "name must be letters, digits, '.', '_' or '-', starting with a letter or digit, got 'my test'",
  },
  {
    name: 'a group named all',
    edit: (s) => (s.participants = { all: { count: 2 } }) && delete s.timeline && delete s.thresholds,
    expected: "participants.all: 'all' is reserved (who: 'all' means every participant), rename the group",
  },
  {
    name: 'a participant tag naming a whole group',
    edit: (s) => (s.thresholds = { 'video_recv_fps{participant:viewers}': ['med > 15'] }),
    expected:
      "thresholds['video_recv_fps{participant:viewers}']: participant:viewers is not one participant; write " +
      'group:viewers for a whole group, or one participant (viewers has 4 participants: viewers[0]..viewers[3])',
  },
  {
    name: 'a sender tag naming a whole group',
    edit: (s) => (s.thresholds = { 'video_e2e_latency_ms{from:viewers}': ['med < 300'] }),
    expected:
      "thresholds['video_e2e_latency_ms{from:viewers}']: from:viewers is not one participant; name " +
      'one participant (viewers has 4 participants: viewers[0]..viewers[3])',
  },
];

describe('validation errors name the file and the field', () => {
  it.each(cases)('$name', async ({ edit, expected }) => {
    const spec = clone();
    edit(spec);
    const { file, message } = await load(asModule(spec));
    expect(message).toBe(`${file}: ${expected}`);
  });

  it('accepts the unedited base scenario', async () => {
    expect((await load(asModule(clone()))).message).toBeNull();
  });

  it('reports every problem, one line each', async () => {
    const spec = clone();
    group(spec, 'viewers').count = 0;
    timeline(spec)[0]!.source = 'speaker';
    const { file, message } = await load(asModule(spec));
    expect(message?.split('\n')).toEqual([
      `${file}: participants.viewers.count must be an integer from 1 to 10000, got 0`,
      `${file}: timeline[0].source must be 'mic', 'camera' or 'screen', got 'speaker'`,
    ]);
  });
});

describe('loading', () => {
  it('reports a missing file', async () => {
    const file = join(dir, 'nope.scenario.ts');
    await expect(loadScenario(file)).rejects.toThrow(`${file}: file not found (looked for ${file})`);
  });

  it('rejects a file that is not a scenario', async () => {
    const file = join(dir, 'plain.ts');
    writeFileSync(file, 'export default {};\n');
    await expect(loadScenario(file)).rejects.toThrow(
      `${file}: not a scenario file (expected a name ending in .scenario.ts, .scenario.mts, .scenario.js or .scenario.mjs)`,
    );
  });

  it('rejects a folder, naming the scenarios in it', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'b.scenario.ts'), asModule(clone()));
    writeFileSync(join(folder, 'a.scenario.js'), asModule(clone()));
    writeFileSync(join(folder, 'notes.md'), '');
    await expect(loadScenario(folder)).rejects.toThrow(
      `${folder}: is a folder; give one scenario file: ${join(folder, 'a.scenario.js')}, ${join(folder, 'b.scenario.ts')}`,
    );
  });

  it('reports a missing default export, naming what the file exports', async () => {
    const { file, message } = await load('export const scenario = { duration: "10s" };\n');
    expect(message).toBe(`${file}: no default export (it exports scenario); end the file with export default defineScenario({ ... })`);
  });

  it('reports a default export that is not an object', async () => {
    const { file, message } = await load('export default () => ({ duration: "10s" });\n');
    expect(message).toBe(
      `${file}: the default export must be a scenario object, export default defineScenario({ ... }), got a function`,
    );
  });

  it('reports a syntax error in one line with its place', async () => {
    const { file, message } = await load('export default {\n  duration: "10s",\n  participants: { a: { count: 1 } ,\n};\n');
    expect(message).toMatch(new RegExp(`^${file}: syntax error: .+ \\(at line 4, column \\d\\)$`));
  });

  it('reports an exception thrown while importing, with its line, without a stack', async () => {
    const { file, message } = await load('const n: number = 1;\nif (n) throw new RangeError("no rooms left");\nexport default {};\n');
    expect(message).toBe(`${file}: failed while loading: RangeError: no rooms left (at line 2, column 14)`);
  });

  it('reports an import that cannot be resolved', async () => {
    const { file, message } = await load("import { x } from 'no-such-package-here';\nexport default { x };\n");
    expect(message).toMatch(new RegExp(`^${file}: failed while loading: Error: .*no-such-package-here`));
    expect(message).not.toContain('\n');
  });
});
