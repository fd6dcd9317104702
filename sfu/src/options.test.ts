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
    });
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
  ])('rejects %j', (options, message) => {
    expect(() => resolveSfuOptions(options)).toThrow(message);
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
