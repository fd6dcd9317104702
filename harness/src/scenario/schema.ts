// The shape of a scenario, checked at run time (a scenario may be plain JavaScript, and types
// vanish at run time anyway). Each field's error says what is allowed; validate.ts adds the file,
// the field path and the value. Relations between fields (a `who` naming a group, times within the
// duration, threshold syntax) are checked afterwards, in check.ts.
//
// The schema's output type is the ScenarioSpec of types.ts, checked at compile time at the end of
// this file, so the two cannot drift. Where zod sees only part of a value (a network is "a name
// or an object", a page adapter "an object", a script "a function"), `checkedLater` names the
// type that validateScenario guarantees once check.ts has checked the rest.
import { z } from 'zod';
import type { PageAdapter, PageScript } from '../pages/adapter.ts';
import type { Bitrate, Duration, NetworkSpec, ScenarioSpec, Thresholds, VideoPublishSpec } from './types.ts';
import { forceTurnAction, groupTurnSchema, turnSchema } from './turn.ts';
import { rateSchema } from './churn.ts';
import { BITRATE_ALLOWED, DURATION_ALLOWED, isDuration, parseBitrateKbps } from './units.ts';
import { SCALABILITY_MODE, SCALABILITY_MODE_ALLOWED, VIDEO_CODECS } from './video.ts';

const must = (allowed: string) => ({ error: `must be ${allowed}` });

/** The most participants a group may have. */
export const MAX_GROUP_COUNT = 10_000;

function int(min: number, max?: number) {
  const allowed = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  const schema = z.number(must(allowed)).int(must(allowed)).min(min, must(allowed));
  return max === undefined ? schema : schema.max(max, must(allowed));
}

function num(min: number, max: number, unit = '') {
  const allowed = `a number from ${min} to ${max}${unit}`;
  return z.number(must(allowed)).min(min, must(allowed)).max(max, must(allowed));
}

const bool = z.boolean(must('true or false'));

/**
 * A schema whose check is partial: its output is typed `T`, which validateScenario only promises
 * once `checkedIn` (named at each use, so a reader finds it) has checked what zod could not.
 */
function checkedLater<T>(schema: z.ZodType, checkedIn: string): z.ZodType<T> {
  return schema as unknown as z.ZodType<T>;
}

export const durationSchema = z.custom<Duration>((v) => isDuration(v), must(DURATION_ALLOWED));

// Names end up in room ids, participant ids ('viewers[0]'), tags and file names.
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NAME_ALLOWED = "letters, digits, '.', '_' or '-', starting with a letter or digit";
const name = z.string(must(NAME_ALLOWED)).max(100, must(`at most 100 characters of ${NAME_ALLOWED}`)).regex(NAME_PATTERN, must(NAME_ALLOWED));

// The network module owns the settings; here only "a name or an object" is checked.
const network = checkedLater<NetworkSpec>(
  z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
    error: "must be a profile name like 'lte', or network settings like { delayMs: 40, lossPct: 1, up: {...}, down: {...} }",
  }),
  'check.ts checkNetwork: profile names, settings (network/settings.ts), trace fields',
);

const isPositiveBitrate = (v: unknown) => {
  try {
    return parseBitrateKbps(v) > 0;
  } catch {
    return false;
  }
};
const bitrate = z.custom<Bitrate>(isPositiveBitrate, must(`${BITRATE_ALLOWED}, above 0`));

const encoding = z.strictObject(
  { maxBitrate: bitrate, scaleResolutionDownBy: num(1, 16).optional() },
  must("an object like { maxBitrate: '500kbps', scaleResolutionDownBy: 2 }"),
);

const video = z.strictObject({
  simulcast: bool.optional(),
  width: int(16, 3840).optional(),
  height: int(16, 2160).optional(),
  fps: int(1, 60).optional(),
  encodings: z
    .array(encoding, must('a list of layers, lowest first'))
    .min(1, must('a list of 1 to 4 layers'))
    .max(4, must('a list of 1 to 4 layers'))
    .optional(),
  codec: z.enum(VIDEO_CODECS, must(`one of ${VIDEO_CODECS.map((c) => `'${c}'`).join(', ')}`)).optional(),
  scalabilityMode: z
    .string(must(SCALABILITY_MODE_ALLOWED))
    .regex(SCALABILITY_MODE, must(SCALABILITY_MODE_ALLOWED))
    .transform((mode) => mode as NonNullable<VideoPublishSpec['scalabilityMode']>) // SCALABILITY_MODE is this type's grammar
    .optional(),
  source: z.enum(['pattern', 'clip', 'stamped', 'replay'], must("'pattern', 'clip', 'stamped' or 'replay'")).optional(),
});

export const publishSchema = z.strictObject(
  {
    audio: bool.optional(),
    video: z
      .union([bool, video], must('true, false or { simulcast?, width?, height?, fps?, encodings?, codec?, scalabilityMode?, source? }'))
      .optional(),
  },
  must('an object like { audio: true, video: { simulcast: true } }'),
);

const group = z.strictObject(
  {
    // Far beyond what one machine runs (shards split bigger runs), and what keeps a typo such as
    // 4294967296 a clear error rather than an array the runner cannot allocate.
    count: int(1, MAX_GROUP_COUNT),
    publish: z.union([z.literal(false), publishSchema], must("false or { audio?, video? }")).optional(),
    joinAt: durationSchema.optional(),
    joinSpread: durationSchema.optional(),
    network: network.optional(),
    room: name.optional(),
    turn: groupTurnSchema.optional(),
    receive: z.enum(['decode', 'count'], must("'decode' or 'count'")).optional(),
    browser: z.enum(['chromium', 'firefox'], must("'chromium' or 'firefox'")).optional(),
  },
  must('an object like { count: 4 }'),
);

const isUrlTemplate = (v: string) => {
  try {
    const url = new URL(v.replaceAll('{room}', 'room').replaceAll('{name}', 'name'));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

const urlTemplate = (example: string) =>
  z.string(must('a URL')).refine(isUrlTemplate, must(`an http(s) URL like '${example}'`));
// A port range ('host:40000-40099') stands for every port in it: an SFU with one port per connection.
const mediaAddresses = z
  .array(
    z.string().regex(/^[^\s:]+:\d{1,5}(-\d{1,5})?$/, must("'host:port' or 'host:firstPort-lastPort', as your SFU's ICE candidates name it")),
    must("a list of 'host:port'"),
  )
  .min(1, must("at least one 'host:port'"));
// The adapter's own fields are checked in check.ts (pages/adapter.ts says what a hook must be).
const pageAdapter = checkedLater<PageAdapter | string>(
  z.union(
    [z.string().min(1), z.custom<object>((v) => typeof v === 'object' && v !== null && !Array.isArray(v))],
    must("a page adapter { name, join(page, ctx), ... }, a built-in adapter's name like 'janus-videoroom', or a module path like './my-app.adapter.ts'"),
  ),
  "target.ts checkTarget: the adapter's name and hooks (pages/adapter.ts adapterProblems), a built-in adapter's name",
);

const whipFields = {
  token: z.string(must('a bearer token')).min(1, must('a bearer token')).optional(),
  media: mediaAddresses.optional(),
  joinTimeout: durationSchema.optional(),
};

const target = z.union(
  [
    z.strictObject({ sfu: z.literal('bundled', must("'bundled'")), workers: int(1, 64).optional(), iceRestart: bool.optional() }),
    z.strictObject({
      url: urlTemplate('https://meet.example.com/{room}?name={name}'),
      page: pageAdapter.optional(),
      media: mediaAddresses.optional(),
      joinTimeout: durationSchema.optional(),
    }),
    // WHIP and/or WHEP: one of the two is required, so that an object naming neither is not taken for this branch.
    z.union([
      z.strictObject({ whip: urlTemplate('https://sfu.example.com/whip/{room}'), whep: urlTemplate('https://sfu.example.com/whep/{room}').optional(), ...whipFields }),
      z.strictObject({ whep: urlTemplate('https://sfu.example.com/whep/{room}'), ...whipFields }),
    ]),
  ],
  must("{ sfu: 'bundled', workers?: n, iceRestart?: boolean }, { url: 'https://…/{room}?name={name}', page? } or { whip: 'https://…/whip/{room}', whep?: '…' }"),
);

const source = z.enum(['mic', 'camera', 'screen'], must("'mic', 'camera' or 'screen'"));
const who = z.string(must("'all', a group name or a participant like 'viewers[0]'"));
const action = <const N extends string, S extends z.ZodRawShape>(name: N, shape: S) =>
  z.strictObject({ at: durationSchema, who, do: z.literal(name), ...shape });

export const timelineActionSchema = z.discriminatedUnion(
  'do',
  [
    action('join', {}),
    action('leave', {}),
    action('publish', { what: publishSchema }),
    action('unpublish', { source }),
    action('mute', { source }),
    action('unmute', { source }),
    action('network', { set: network }),
    action('layers', { spatial: int(0), temporal: int(0).optional() }),
    action('iceRestart', {}),
    action('screenShare', { on: bool }),
    action('forceTurn', forceTurnAction),
    action('switchCamera', { width: int(16, 3840).optional(), height: int(16, 2160).optional(), fps: int(1, 60).optional() }),
    action('changeCodec', { codec: z.enum(VIDEO_CODECS, must(`one of ${VIDEO_CODECS.map((c) => `'${c}'`).join(', ')}`)) }),
    action('rejoin', {
      away: durationSchema.optional(),
      publish: z.union([z.literal(false), publishSchema], must('false or { audio?, video? }')).optional(),
    }),
    action('churn', { for: durationSchema, rate: rateSchema, away: durationSchema.optional() }),
    action('script', {
      name: z.string(must('a name for the step')).min(1, must('a name for the step')).max(100, must('a name of at most 100 characters')).optional(),
      // Nothing can check a function's parameters at run time: it is called as a PageScript.
      run: checkedLater<PageScript>(
        z.custom((v) => typeof v === 'function', must('a function async (page, ctx) => { ... }')),
        'nowhere: a function is all zod or check.ts can see',
      ),
    }),
  ],
  must("an action like { at: '10s', do: 'leave', who: 'viewers[0]' }"),
);

const thresholdEntry = z.union(
  [
    z.string(),
    z.strictObject({ threshold: z.string(must("an expression like 'p(95) < 150'")), abortOnFail: bool.optional(), delayAbortEval: durationSchema.optional() }),
  ],
  must("an expression like 'p(95) < 150', or { threshold: 'p(95) < 150', abortOnFail: true }"),
);

export const scenarioSchema = z.strictObject(
  {
    name: name.optional(),
    duration: durationSchema,
    seed: int(0, 2 ** 32 - 1).optional(),
    target: target.optional(),
    turn: turnSchema.optional(),
    stats: z.strictObject({ intervalMs: int(100, 60_000).optional() }, must('an object like { intervalMs: 1000 }')).optional(),
    browser: z
      .strictObject(
        { participantsPerBrowser: int(1, 64).optional(), headful: bool.optional() },
        must('an object like { participantsPerBrowser: 8 }'),
      )
      .optional(),
    guard: z
      .strictObject(
        { cpuPercent: num(1, 100, ' (percent)').optional(), sustainedSeconds: num(1, 3600, ' (seconds)').optional() },
        must('an object like { cpuPercent: 90, sustainedSeconds: 10 }'),
      )
      .optional(),
    participants: z.record(z.string(), group, must('an object of groups like { viewers: { count: 4 } }')),
    timeline: z.array(timelineActionSchema, must('a list of actions like { at: \'10s\', do: \'leave\', who: \'viewers[0]\' }')).optional(),
    thresholds: checkedLater<Thresholds>(
      z.record(
        z.string(),
        z.array(thresholdEntry, must("a list of expressions like ['p(95) < 150']")),
        must("an object like { 'video_recv_fps{group:viewers}': ['p(10) > 20'] }"),
      ),
      'check.ts checkThreshold: the selector (metric and tags) and each expression',
    ).optional(),
  },
  must('an object: export default defineScenario({ duration, participants, ... })'),
);

/**
 * The fields allowed where an object sits in the scenario (for "unknown field" messages), found by
 * walking the schema along the path, guided by the input where the schema branches.
 */
export function allowedKeysAt(input: unknown, path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = scenarioSchema;
  let value = input;
  for (const segment of [...path, null]) {
    for (;;) {
      if (schema instanceof z.ZodOptional) schema = schema.unwrap() as z.ZodType;
      else if (schema instanceof z.ZodDiscriminatedUnion) {
        const discriminator = schema.def.discriminator;
        const tag = (value as Record<string, unknown> | undefined)?.[discriminator];
        const match = (schema.options as z.ZodType[]).find(
          (o) => o instanceof z.ZodObject && (o.shape[discriminator] as z.ZodLiteral).value === tag,
        );
        if (!match) return [];
        schema = match;
      } else if (schema instanceof z.ZodUnion) {
        // The object branch that accepts the most of the input's keys.
        const objects = (schema.options as z.ZodType[]).filter((o) => o instanceof z.ZodObject) as z.ZodObject[];
        const keys = value && typeof value === 'object' ? Object.keys(value) : [];
        const score = (o: z.ZodObject) => keys.filter((k) => k in o.shape).length;
        const best = objects.sort((a, b) => score(b) - score(a))[0];
        if (!best) return [];
        schema = best;
      } else break;
    }
    if (segment === null) return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    if (schema instanceof z.ZodObject) schema = schema.shape[segment as string] as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return [];
    if (!schema) return [];
    value = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
  }
  return [];
}

// The tie: what the schema lets through (once check.ts has passed) is exactly a ScenarioSpec.
// A field added, removed or retyped on one side only fails `tsc --noEmit -p .` here. Both sides
// are compared with every field made required (so an optional field missing on one side counts)
// and without the `?: never` fields types.ts uses to keep target kinds apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AllFields<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? AllFields<E>[]
    : T extends object
      ? { [K in keyof T as [Exclude<T[K], undefined>] extends [never] ? never : K]-?: AllFields<Exclude<T[K], undefined>> }
      : T;
const schemaIsSpec: Same<AllFields<z.output<typeof scenarioSchema>>, AllFields<ScenarioSpec>> = true;
void schemaIsSpec;
