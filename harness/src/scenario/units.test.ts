import { describe, expect, it } from 'vitest';
import { formatDuration, parseBitrateKbps, parseDurationMs, UnitError } from './units.ts';

describe('parseDurationMs', () => {
  it.each([
    ['30s', 30_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['1h2m3s', 3_723_000],
    ['1s250ms', 1250],
    ['0s', 0],
    [' 20s ', 20_000],
    [30, 30_000],
    [0.25, 250],
    [0, 0],
  ] as const)('%j -> %i ms', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it.each([['30'], ['30 s'], ['30sec'], ['-5s'], ['s'], [''], ['30s1m'], ['1s1s'], [-1], [Number.NaN], [Infinity], [null], [{}]])(
    'rejects %j, saying what is allowed',
    (input) => {
      expect(() => parseDurationMs(input)).toThrow(UnitError);
      expect(() => parseDurationMs(input)).toThrow(/a duration like '500ms', '30s', '1m30s' or a number of seconds/);
    },
  );

  it('suggests the unit a bare number string lacks', () => {
    expect(() => parseDurationMs('30')).toThrow("(a string needs a unit: '30s'?)");
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1500, '1.5s'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_723_000, '1h2m3s'],
  ])('%i ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('parseBitrateKbps', () => {
  it.each([
    ['2mbit', 2000],
    ['300kbps', 300],
    ['1.5 Mbps', 1500],
    ['64kbit', 64],
    ['500bps', 0.5],
    ['1gbit', 1_000_000],
    ['2MBIT', 2000],
    [800, 800],
  ] as const)('%j -> %d kbps', (input, kbps) => {
    expect(parseBitrateKbps(input)).toBe(kbps);
  });

  it.each([['2mb'], ['300'], ['fast'], ['1.5 MBps/s'], ['-1kbps'], [-5], [null]])('rejects %j, saying what is allowed', (input) => {
    expect(() => parseBitrateKbps(input)).toThrow(/a bitrate like '300kbps', '2mbit', '1.5 Mbps' or a number of kbps/);
  });
});
