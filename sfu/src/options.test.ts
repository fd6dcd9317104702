import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { resolveSfuOptions } from './options.ts';

describe('resolveSfuOptions', () => {
  it('applies the documented defaults', () => {
    const o = resolveSfuOptions();
    expect(o).toMatchObject({
      listenIp: '127.0.0.1',
      announcedAddress: undefined,
      httpPort: 0,
      rtcPort: 0,
      numWorkers: availableParallelism(),
      logLevel: 'warn',
      tokenSecret: undefined,
      turn: undefined,
      activeSpeakerIntervalMs: 300,
      initialOutgoingBitrateBps: 1_000_000,
      minOutgoingBitrateBps: 150_000,
      maxTokenLifetimeSeconds: 86_400,
      allowAnonymousJoins: false,
      limits: {
        maxConnections: 2000,
        maxConnectionsPerAddress: 200,
        maxRooms: 500,
        maxPeersPerRoom: 100,
        joinTimeoutMs: 10_000,
        messagesPerSecond: 100,
        messageBurst: 400,
        maxBufferedBytes: 1_048_576,
        maxErrorMessageChars: 300,
        maxJsonDepth: 16,
        maxJsonNodes: 2000,
      },
    });
    expect([...o.hostPolicy.hosts]).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect([...o.hostPolicy.origins]).toEqual([]);
    expect(o.clientDir).toMatch(/sfu\/client\/dist$/);
  });

  it('fills the TURN lifetime', () => {
    expect(resolveSfuOptions({ turn: { urls: ['turn:127.0.0.1:3478'], secret: 's' } }).turn).toEqual({
      urls: ['turn:127.0.0.1:3478'],
      secret: 's',
      ttlSeconds: 3600,
    });
  });

  it.each([
    [{ listenIp: 'localhost' }, /listenIp must be an IPv4 or IPv6 address/],
    [{ listenIp: '0.0.0.0' }, /announcedAddress is required when listenIp is 0\.0\.0\.0/],
    [{ numWorkers: 0 }, /numWorkers must be an integer from 1/],
    [{ httpPort: 70000 }, /httpPort must be an integer from 0 to 65535/],
    [{ rtcPort: 80 }, /rtcPort must be 0 or at least 1024/],
    [{ numWorkers: 4, rtcPort: 65534 }, /rtcPort must be an integer from 0 to 65532/],
    [{ logLevel: 'loud' as never }, /logLevel must be one of/],
    [{ tokenSecret: 'short' }, /tokenSecret must be at least 8/],
    [{ turn: { urls: [], secret: 's' } }, /turn\.urls must list at least one/],
    [{ turn: { urls: ['stun:x'], secret: 's' } }, /turn\.urls\[0\] must start with turn:/],
    [{ turn: { urls: ['turn:x'], secret: '' } }, /turn\.secret/],
    [{ listenIp: '0.0.0.0', announcedAddress: '192.0.2.10' }, /tokenSecret is required when listening on 0\.0\.0\.0 .*SFU_TOKEN_SECRET.*SFU_ALLOW_ANONYMOUS_JOINS/],
    [{ listenIp: '192.0.2.10' }, /tokenSecret is required when listening on 192\.0\.2\.10/],
    [{ limits: { maxRooms: 0 } }, /limits\.maxRooms must be an integer from 1 to 100000, got 0/],
    [{ limits: { joinTimeoutMs: 1.5 } }, /limits\.joinTimeoutMs must be an integer/],
    [{ limits: { maxRoom: 5 } as never }, /limits\.maxRoom is not a limit; known: maxConnections/],
    [{ maxTokenLifetimeSeconds: 10 }, /maxTokenLifetimeSeconds must be an integer from 60/],
    [{ allowedHosts: ['http://x'] }, /allowedHosts\[0\] must be a host name or IP without port or scheme/],
    [{ allowedOrigins: ['https://app.example.com/path'] }, /allowedOrigins\[0\] must be an origin like/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveSfuOptions(options)).toThrow(message);
  });

  it('listens beyond loopback with a token secret, or anonymously only when told to', () => {
    expect(resolveSfuOptions({ listenIp: '192.0.2.10', tokenSecret: 'long-enough' }).tokenSecret).toBe('long-enough');
    expect(resolveSfuOptions({ listenIp: '192.0.2.10', allowAnonymousJoins: true }).allowAnonymousJoins).toBe(true);
    expect(resolveSfuOptions({ listenIp: '::1' }).tokenSecret).toBeUndefined();
  });

  it('answers to its own addresses and the configured hosts and origins', () => {
    const o = resolveSfuOptions({
      listenIp: '0.0.0.0',
      announcedAddress: 'sfu.example.com',
      tokenSecret: 'long-enough',
      allowedHosts: ['SFU.internal'],
      allowedOrigins: ['https://app.example.com'],
      limits: { maxRooms: 3 },
    });
    expect([...o.hostPolicy.hosts]).toEqual(['localhost', '127.0.0.1', '[::1]', 'sfu.example.com', 'sfu.internal']);
    expect([...o.hostPolicy.origins]).toEqual(['https://app.example.com']);
    expect(o.limits.maxRooms).toBe(3);
    expect(o.limits.maxPeersPerRoom).toBe(100);
  });

  it('filters a custom logger by level and survives a throwing one', () => {
    const lines: string[] = [];
    const { logger } = resolveSfuOptions({
      logLevel: 'warn',
      logger: {
        debug: (m) => lines.push(`debug ${m}`),
        info: (m) => lines.push(`info ${m}`),
        warn: (m) => lines.push(`warn ${m}`),
        error: () => {
          throw new Error('sink broke');
        },
      },
    });
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    expect(() => logger.error('d')).not.toThrow();
    expect(lines).toEqual(['warn c']);
  });
});
