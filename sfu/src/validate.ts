// Every inbound frame is checked here, once, before anything acts on it: JSON, the envelope
// {kind, id, method, data}, then the method's data (strict: an unknown field is an error, so a
// page's typo fails loudly instead of being ignored). Errors name the field path, e.g.
// `data.rtpParameters.codecs: expected array, received string`.
//
// mediasoup's own structures (RTP/DTLS parameters, capabilities) are checked here only as far as
// needed to name a missing field; mediasoup validates the rest when it parses them.
import { z } from 'zod';
import { PROTOCOL_LIMITS, type ErrorInfo, type Request, type RequestMethod } from './protocol.ts';
import { DEFAULT_SIGNALING_LIMITS, type ResolvedSignalingLimits } from './limits.ts';

const { maxIdLength } = PROTOCOL_LIMITS;

/** Room and peer ids: printable, no whitespace, so they are safe in logs, tokens and TURN usernames. */
const id = z
  .string()
  .min(1, 'must not be empty')
  .max(maxIdLength, `must be at most ${maxIdLength} characters`)
  .regex(/^[^\s\p{C}]+$/u, 'must not contain whitespace or control characters');

/** What is wrong with a room or peer id given outside signaling (a WHIP URL), or undefined if nothing. */
export function idProblem(value: string): string | undefined {
  const result = id.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** What is wrong with a display name given outside signaling (a WHIP URL's ?name=), or undefined if nothing. */
export function displayNameProblem(value: string): string | undefined {
  const result = displayName.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

/** Ids the SFU issued (transports, producers, consumers): only length is checked; lookup does the rest. */
const issuedId = z.string().min(1, 'must not be empty').max(maxIdLength, `must be at most ${maxIdLength} characters`);

const displayName = z
  .string()
  .max(maxIdLength, `must be at most ${maxIdLength} characters`)
  .regex(/^[^\p{C}]*$/u, 'must not contain control characters');

const jsonObject = z.record(z.string(), z.unknown());

const rtpCapabilities = z.looseObject({
  codecs: z.array(jsonObject),
  headerExtensions: z.array(jsonObject).optional(),
});

const rtpParameters = z.looseObject({
  codecs: z.array(jsonObject).min(1, 'must list at least one codec'),
  encodings: z.array(jsonObject).optional(),
  headerExtensions: z.array(jsonObject).optional(),
  rtcp: jsonObject.optional(),
  mid: z.string().max(32).optional(),
});

const dtlsParameters = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z.array(z.looseObject({ algorithm: z.string(), value: z.string().max(256) })).min(1, 'must list at least one fingerprint'),
});

const layer = z.number().int().min(0).max(15);
const empty = z.strictObject({});

/** Data schemas, one per method. Keys must match protocol.ts's RequestMap exactly. */
const dataSchemas = {
  join: z.strictObject({
    roomId: id,
    peerId: id.optional(),
    displayName: displayName.optional(),
    token: z.string().max(1024).optional(),
  }),
  createTransport: z.strictObject({ direction: z.enum(['send', 'recv']) }),
  connectTransport: z.strictObject({ transportId: issuedId, dtlsParameters }),
  ready: z.strictObject({ rtpCapabilities }),
  produce: z
    .strictObject({
      transportId: issuedId,
      kind: z.enum(['audio', 'video']),
      rtpParameters,
      source: z.enum(['mic', 'camera', 'screen']),
      paused: z.boolean().optional(),
    })
    .refine((d) => (d.source === 'mic') === (d.kind === 'audio'), {
      path: ['source'],
      message: "must match kind: 'mic' is audio, 'camera' and 'screen' are video",
    }),
  closeProducer: z.strictObject({ producerId: issuedId }),
  pauseProducer: z.strictObject({ producerId: issuedId }),
  resumeProducer: z.strictObject({ producerId: issuedId }),
  resumeConsumer: z.strictObject({ consumerId: issuedId }),
  pauseConsumer: z.strictObject({ consumerId: issuedId }),
  setConsumerPreferredLayers: z.strictObject({ consumerId: issuedId, spatialLayer: layer, temporalLayer: layer.optional() }),
  restartIce: z.strictObject({ transportId: issuedId }),
  getConsumerState: empty,
  leave: empty,
} satisfies Record<RequestMethod, z.ZodType>;

export const REQUEST_METHODS = Object.keys(dataSchemas) as RequestMethod[];

export type DecodeResult =
  | { ok: true; request: Request }
  /** `id` is null when the request's id could not be read; `method` when it was a known one. */
  | { ok: false; id: number | null; method: RequestMethod | undefined; error: ErrorInfo };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function formatIssues(prefix: string, issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = [prefix, ...issue.path.map(String)].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
    // Unrecognized keys are listed by name: quote a few, each cut short, never the client's input in full.
    const message =
      issue.code === 'unrecognized_keys'
        ? `unexpected field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.slice(0, 3).map(quote).join(', ')}${issue.keys.length > 3 ? ` (and ${issue.keys.length - 3} more)` : ''}`
        : issue.message.replace(/^Invalid input: /, '').slice(0, 200);
    return `${path.slice(0, 120)}: ${message}`;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}

/** Keys that mean something to JavaScript objects: a copy or merge of a request by any code could turn them into a prototype change. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Longest piece of the client's own text quoted back in an error, characters. */
const QUOTE_CHARS = 40;

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text);
}

/**
 * What is wrong with the shape of a parsed frame, or undefined: nesting deeper than maxJsonDepth
 * (the frame object itself is level 0, `data` level 1), more than maxJsonNodes keys and items in
 * all, or a prototype key anywhere. Iterative, so a 64 KiB frame of `[[[[...` costs no stack.
 */
function shapeProblem(root: unknown, limits: Pick<ResolvedSignalingLimits, 'maxJsonDepth' | 'maxJsonNodes'>): string | undefined {
  const stack: [value: unknown, depth: number, path: string][] = [[root, 0, '']];
  let nodes = 0;
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limits.maxJsonDepth) return `${path || 'request'}: nested deeper than ${limits.maxJsonDepth} levels`;
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [k, v]);
    nodes += entries.length;
    if (nodes > limits.maxJsonNodes) return `request has more than ${limits.maxJsonNodes} fields and items in all`;
    for (const [key, child] of entries) {
      if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) return `${path || 'request'}: field ${quote(key)} is not accepted anywhere`;
      const childPath = Array.isArray(value) ? `${path}${key}` : path ? `${path}.${key.slice(0, QUOTE_CHARS)}` : key.slice(0, QUOTE_CHARS);
      stack.push([child, depth + 1, childPath]);
    }
  }
  return undefined;
}

function isMethod(value: string): value is RequestMethod {
  return Object.hasOwn(dataSchemas, value);
}

/** Parses one text frame into a request, or says precisely what is wrong with it. */
export function decodeFrame(
  text: string,
  limits: Pick<ResolvedSignalingLimits, 'maxJsonDepth' | 'maxJsonNodes'> = DEFAULT_SIGNALING_LIMITS,
): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 120);
    return { ok: false, id: null, method: undefined, error: { code: 'bad_json', message: `frame is not valid JSON: ${reason}` } };
  }
  const bad = (id: number | null, message: string, method?: RequestMethod): DecodeResult => ({
    ok: false,
    id,
    method,
    error: { code: 'bad_message', message },
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(null, `a request must be a JSON object {kind, id, method, data}, got ${describe(value)}`);
  }
  const frame = value as Record<string, unknown>;
  const rawId = frame.id;
  const shape = shapeProblem(frame, limits);
  if (shape !== undefined) {
    const knownId = typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0 ? rawId : null;
    return bad(knownId, shape);
  }
  if (rawId === undefined) return bad(null, 'id: missing; every request needs a numeric id to match its response');
  if (typeof rawId !== 'number' || !Number.isSafeInteger(rawId) || rawId < 0) {
    return bad(null, `id: expected a non-negative integer, got ${typeof rawId === 'number' ? rawId : describe(rawId)}`);
  }
  const requestId = rawId;
  if (frame.kind !== 'request') {
    return bad(requestId, `kind: expected 'request', got ${frame.kind === undefined ? 'nothing' : typeof frame.kind === 'string' ? quote(frame.kind) : describe(frame.kind)}`);
  }
  const extra = Object.keys(frame).filter((key) => !['kind', 'id', 'method', 'data'].includes(key));
  if (extra.length > 0) return bad(requestId, `unexpected field(s) ${extra.slice(0, 3).map(quote).join(', ')}; a request has kind, id, method, data`);
  const method = frame.method;
  if (typeof method !== 'string') return bad(requestId, `method: expected a string, got ${describe(method)}`);
  if (!isMethod(method)) {
    return {
      ok: false,
      id: requestId,
      method: undefined,
      error: { code: 'unknown_method', message: `unknown method ${quote(method)}; known methods: ${REQUEST_METHODS.join(', ')}` },
    };
  }
  const parsed = dataSchemas[method].safeParse(frame.data);
  if (!parsed.success) {
    return { ok: false, id: requestId, method, error: { code: 'bad_request', message: formatIssues('data', parsed.error.issues) } };
  }
  // The schemas mirror RequestMap field by field; the opaque mediasoup structures came from
  // JSON.parse, so they are JSON values as the protocol types say.
  const request = { kind: 'request', id: requestId, method, data: parsed.data } as unknown as Request;
  return { ok: true, request };
}
