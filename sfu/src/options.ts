// What a caller of startSfu may pass (SfuOptions, all optional) and what the server runs with
// (ResolvedSfuOptions), resolved and checked once here so nothing downstream re-validates.
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createConsoleLogger, filterLogger, type Logger, type LogLevel } from './logger.ts';
import { DEFAULT_TURN_TTL_SECONDS, type TurnOptions } from './turn.ts';
import { DEFAULT_SIGNALING_LIMITS, SIGNALING_LIMIT_RANGES, type ResolvedSignalingLimits, type SignalingLimits } from './limits.ts';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from './tokens.ts';
import { createHostPolicy, type HostPolicy } from './hosts.ts';

export interface SfuOptions {
  /** IP the HTTP/WebSocket server and the media sockets bind to. Default '127.0.0.1'. */
  listenIp?: string;
  /**
   * Address (IP or host name) announced in ICE candidates and used in `Sfu.url`: set it when
   * peers reach the SFU at another address (NAT, listenIp 0.0.0.0). Default: none (listenIp).
   */
  announcedAddress?: string;
  /** HTTP and WebSocket port. Default 0: an ephemeral port, read it from `Sfu.httpPort`. */
  httpPort?: number;
  /**
   * Media port of the first worker: worker i listens on rtcPort + i, UDP and TCP on the same
   * port. 0 picks a free port per worker (read them from `Sfu.rtcPorts`). Default 0.
   */
  rtcPort?: number;
  /** Number of mediasoup workers (processes, one core each). Default os.availableParallelism(). */
  numWorkers?: number;
  /** Lowest level logged, for the SFU and its workers. Default 'warn'. */
  logLevel?: LogLevel;
  /** Where log lines at logLevel and above go. Default: stderr. */
  logger?: Logger;
  /**
   * When set, every join needs a token minted with this secret (see tokens.ts), and only such
   * verified joins get TURN credentials. Required when listenIp is not a loopback address, unless
   * allowAnonymousJoins is set. Default: none (anyone who reaches the SFU may join).
   */
  tokenSecret?: string;
  /** Longest lifetime a token may claim, seconds (a longer one is refused). Default 86_400 (24 h). */
  maxTokenLifetimeSeconds?: number;
  /**
   * Lets an SFU listening on a non-loopback address run without tokenSecret: anyone who reaches
   * it may join and receives TURN credentials. For closed networks (a test cluster) only. Default false.
   */
  allowAnonymousJoins?: boolean;
  /**
   * Host names (or IPs) HTTP requests and WebSocket upgrades may name in `Host`, besides loopback
   * names, listenIp and announcedAddress: add the DNS name peers use. '*' turns the check off.
   * Default: none.
   */
  allowedHosts?: string[];
  /**
   * Origins whose pages may open signaling, e.g. 'https://app.example.com', besides the SFU's
   * own (pages it served). Clients that send no Origin (not browsers) are always let in. '*'
   * admits every site. Default: none.
   */
  allowedOrigins?: string[];
  /** Caps on sockets, rooms, peers, message rate and size (limits.ts, each with its default). */
  limits?: SignalingLimits;
  /** TURN servers whose credentials the SFU issues in join responses (see turn.ts). Default: none. */
  turn?: TurnOptions;
  /** Directory of the built call page, served at `/`. Default: sfu/client/dist. */
  clientDir?: string;
  /** How often the active speaker is re-evaluated, ms. Default 300. */
  activeSpeakerIntervalMs?: number;
  /** Bandwidth estimate a new transport starts sending at, bits per second. Default 1_000_000. */
  initialOutgoingBitrateBps?: number;
  /**
   * Floor of the bandwidth estimate of every receive transport, bits per second; 0 turns it off.
   * Under loss, mediasoup's estimate can fall below what the lowest simulcast layer needs on a
   * link that could carry it, and the viewer then gets no video for seconds; the floor keeps the
   * lowest layer (~150 kbps with the call page's defaults) flowing. Default 150_000.
   */
  minOutgoingBitrateBps?: number;
}

export interface ResolvedSfuOptions {
  listenIp: string;
  announcedAddress: string | undefined;
  httpPort: number;
  rtcPort: number;
  numWorkers: number;
  logLevel: LogLevel;
  logger: Logger;
  tokenSecret: string | undefined;
  maxTokenLifetimeSeconds: number;
  allowAnonymousJoins: boolean;
  hostPolicy: HostPolicy;
  limits: ResolvedSignalingLimits;
  turn: Required<TurnOptions> | undefined;
  clientDir: string;
  activeSpeakerIntervalMs: number;
  initialOutgoingBitrateBps: number;
  minOutgoingBitrateBps: number;
}

export const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../client/dist', import.meta.url));

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function fail(field: string, problem: string): never {
  throw new TypeError(`startSfu: ${field} ${problem}`);
}

function integer(field: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(field, `must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function isLoopback(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1';
}

function hostList(field: string, value: string[] | undefined): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(field, 'must be an array of host names');
  value.forEach((host, i) => {
    if (typeof host !== 'string' || !/^(\*|[A-Za-z0-9.:_-]{1,253})$/.test(host)) fail(`${field}[${i}]`, `must be a host name or IP without port or scheme, got '${String(host)}'`);
  });
  return [...value];
}

function originList(field: string, value: string[] | undefined): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(field, 'must be an array of origins');
  value.forEach((origin, i) => {
    if (origin === '*') return;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      fail(`${field}[${i}]`, `must be an origin like 'https://app.example.com' (scheme, host, optional port; no path), got '${String(origin)}'`);
    }
  });
  return [...value];
}

function resolveLimits(limits: SignalingLimits | undefined): ResolvedSignalingLimits {
  const resolved = { ...DEFAULT_SIGNALING_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {}) as [keyof SignalingLimits, number | undefined][]) {
    if (!Object.hasOwn(SIGNALING_LIMIT_RANGES, key)) fail(`limits.${key}`, `is not a limit; known: ${Object.keys(DEFAULT_SIGNALING_LIMITS).join(', ')}`);
    const [min, max] = SIGNALING_LIMIT_RANGES[key];
    resolved[key] = integer(`limits.${key}`, value, DEFAULT_SIGNALING_LIMITS[key], min, max);
  }
  return resolved;
}

/** Applies defaults and checks every field; throws a TypeError naming the field on bad input. */
export function resolveSfuOptions(options: SfuOptions = {}): ResolvedSfuOptions {
  const listenIp = options.listenIp ?? '127.0.0.1';
  if (isIP(listenIp) === 0) fail('listenIp', `must be an IPv4 or IPv6 address, got '${listenIp}'`);
  const wildcard = listenIp === '0.0.0.0' || listenIp === '::';
  if (options.announcedAddress !== undefined && options.announcedAddress.trim() === '') {
    fail('announcedAddress', 'must not be empty (omit it to announce listenIp)');
  }
  if (wildcard && options.announcedAddress === undefined) {
    fail('announcedAddress', `is required when listenIp is ${listenIp}: pass the address peers reach (e.g. announcedAddress: '192.0.2.10')`);
  }
  const numWorkers = integer('numWorkers', options.numWorkers, availableParallelism(), 1, 64);
  const rtcPort = integer('rtcPort', options.rtcPort, 0, 0, 65535 - numWorkers + 1);
  if (rtcPort !== 0 && rtcPort < 1024) fail('rtcPort', `must be 0 or at least 1024, got ${rtcPort}`);
  const logLevel = options.logLevel ?? 'warn';
  if (!LOG_LEVELS.includes(logLevel)) fail('logLevel', `must be one of ${LOG_LEVELS.join(', ')}, got '${String(logLevel)}'`);
  if (options.tokenSecret !== undefined && (typeof options.tokenSecret !== 'string' || options.tokenSecret.length < 8)) {
    fail('tokenSecret', 'must be at least 8 characters (omit it to let anyone join)');
  }
  const allowAnonymousJoins = options.allowAnonymousJoins ?? false;
  if (options.tokenSecret === undefined && !isLoopback(listenIp) && !allowAnonymousJoins) {
    fail(
      'tokenSecret',
      `is required when listening on ${listenIp} (not loopback): anyone on the network could join and get TURN credentials; ` +
        'set a token secret (SFU_TOKEN_SECRET or --token-secret-file) or, on a closed network, allowAnonymousJoins (SFU_ALLOW_ANONYMOUS_JOINS=1)',
    );
  }
  let turn: Required<TurnOptions> | undefined;
  if (options.turn) {
    const { urls, secret } = options.turn;
    if (!Array.isArray(urls) || urls.length === 0) fail('turn.urls', 'must list at least one TURN URL');
    urls.forEach((url, i) => {
      if (typeof url !== 'string' || !/^turns?:/.test(url)) fail(`turn.urls[${i}]`, `must start with turn: or turns:, got '${String(url)}'`);
    });
    if (typeof secret !== 'string' || secret.length === 0) fail('turn.secret', "must be coturn's static-auth-secret");
    const ttlSeconds = integer('turn.ttlSeconds', options.turn.ttlSeconds, DEFAULT_TURN_TTL_SECONDS, 60, 7 * 24 * 3600);
    turn = { urls: [...urls], secret, ttlSeconds };
  }
  return {
    listenIp,
    announcedAddress: options.announcedAddress,
    httpPort: integer('httpPort', options.httpPort, 0, 0, 65535),
    rtcPort,
    numWorkers,
    logLevel,
    logger: options.logger ? filterLogger(options.logger, logLevel) : createConsoleLogger(logLevel),
    tokenSecret: options.tokenSecret,
    maxTokenLifetimeSeconds: integer('maxTokenLifetimeSeconds', options.maxTokenLifetimeSeconds, DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, 60, 30 * 24 * 3600),
    allowAnonymousJoins,
    hostPolicy: createHostPolicy({
      listenIp,
      announcedAddress: options.announcedAddress,
      allowedHosts: hostList('allowedHosts', options.allowedHosts),
      allowedOrigins: originList('allowedOrigins', options.allowedOrigins),
    }),
    limits: resolveLimits(options.limits),
    turn,
    clientDir: options.clientDir ?? DEFAULT_CLIENT_DIR,
    activeSpeakerIntervalMs: integer('activeSpeakerIntervalMs', options.activeSpeakerIntervalMs, 300, 100, 10_000),
    initialOutgoingBitrateBps: integer('initialOutgoingBitrateBps', options.initialOutgoingBitrateBps, 1_000_000, 100_000, 100_000_000),
    minOutgoingBitrateBps: integer('minOutgoingBitrateBps', options.minOutgoingBitrateBps, 150_000, 0, 100_000_000),
  };
}
