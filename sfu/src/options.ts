// What a caller of startSfu may pass (SfuOptions, all optional) and what the server runs with
// (ResolvedSfuOptions), resolved and checked once here so nothing downstream re-validates.
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createConsoleLogger, filterLogger, type Logger, type LogLevel } from './logger.ts';
import { DEFAULT_TURN_TTL_SECONDS, type TurnOptions } from './turn.ts';

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
  /** When set, every join needs a token minted with this secret (see tokens.ts). Default: none. */
  tokenSecret?: string;
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
  if (options.tokenSecret !== undefined && options.tokenSecret.length < 8) {
    fail('tokenSecret', 'must be at least 8 characters (omit it to let anyone join)');
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
    turn,
    clientDir: options.clientDir ?? DEFAULT_CLIENT_DIR,
    activeSpeakerIntervalMs: integer('activeSpeakerIntervalMs', options.activeSpeakerIntervalMs, 300, 100, 10_000),
    initialOutgoingBitrateBps: integer('initialOutgoingBitrateBps', options.initialOutgoingBitrateBps, 1_000_000, 100_000, 100_000_000),
    minOutgoingBitrateBps: integer('minOutgoingBitrateBps', options.minOutgoingBitrateBps, 150_000, 0, 100_000_000),
  };
}
