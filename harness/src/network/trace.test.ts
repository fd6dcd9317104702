import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrace, parseTrace, replayTrace, traceUpdates, TraceParseError } from './trace.ts';
import type { LinkChange } from './types.ts';

function errorOf(fn: () => unknown): TraceParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TraceParseError) return error;
    throw error;
  }
  throw new Error('expected a TraceParseError');
}

const CSV = `# a drive through a tunnel
timeSeconds,rateKbps,delayMs,lossPct,direction
0,2000,40,0,both
10.5,300,,3,down

`;

describe('CSV traces', () => {
  it('parses points, skipping comments and blank lines; empty cells leave a field unchanged', () => {
    const trace = parseTrace(CSV, 'tunnel.csv');
    expect(trace.points).toEqual([
      { timeSeconds: 0, direction: 'both', rateKbps: 2000, delayMs: 40, lossPct: 0, line: 3 },
      { timeSeconds: 10.5, direction: 'down', rateKbps: 300, lossPct: 3, line: 4 },
    ]);
  });

  it('needs a value in every point', () => {
    const error = errorOf(() => parseTrace(`${CSV}20,,,,up\n`, 'tunnel.csv'));
    expect(error.message).toBe('tunnel.csv:6: a point needs at least one of rateKbps, delayMs, lossPct, jitterMs');
  });

  it.each([
    ['timeSeconds,rateKbps,bandwidth\n0,1,2', 'x.csv:1: unknown column \'bandwidth\''],
    ['rateKbps\n100', 'x.csv:1: the header needs a timeSeconds column'],
    ['timeSeconds,rateKbps\n0,100\n1,100,5', 'x.csv:3: 3 cells for 2 columns'],
    ['timeSeconds,rateKbps\n0,fast', "x.csv:2: rateKbps must be a number (got 'fast')"],
    ['timeSeconds,lossPct\n0,1\n5,150', 'x.csv:3: lossPct must be a number in 0..100 (got 150)'],
    ['timeSeconds,lossPct\n5,1\n2,1', 'x.csv:3: timeSeconds 2 is before the previous point\'s 5'],
    ['timeSeconds,lossPct,direction\n0,1,sideways', 'x.csv:2: direction must be up, down or both'],
    ['', 'x.csv:1: empty trace'],
    // A file that is not a trace (a secret given by mistake) is never quoted in the message.
    ['root:$y$j9T$abc:19000:0:99999:7:::\n', 'x.csv:1: unknown column a 34-character value (not shown)'],
    ['timeSeconds,rateKbps\n0,-----BEGIN PRIVATE KEY-----', 'x.csv:2: rateKbps must be a number (got a 27-character value (not shown))'],
  ])('reports %j as %s', (text, message) => {
    expect(errorOf(() => parseTrace(text, 'x.csv')).message).toContain(message);
  });
});

describe('JSON traces', () => {
  const JSON_TRACE = `{
  "note": ["recorded on a train"], "points": [
    { "timeSeconds": 0, "rateKbps": 1000 },
    { "timeSeconds": 5, "lossPct": 2, "direction": "up" },
    { "timeSeconds": 9, "delayMs": -3 }
  ]
}`;

  it('gives each point its line, and errors name it', () => {
    const error = errorOf(() => parseTrace(JSON_TRACE, 'trace.json'));
    expect(error.message).toBe('trace.json:5: delayMs must be a number in 0..60000 (got -3)');
    const ok = parseTrace(JSON_TRACE.replace('-3', '30'), 'trace.json');
    expect(ok.points.map((p) => p.line)).toEqual([3, 4, 5]);
  });

  it('reports a syntax error with its line', () => {
    const error = errorOf(() => parseTrace('[\n{ "timeSeconds": 0, },\n]', 'bad.json'));
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^bad\.json:2: invalid JSON/);
  });

  it('refuses unknown fields', () => {
    expect(errorOf(() => parseTrace('[{"timeSeconds":0,"rate":5}]', 't.json')).message).toContain("t.json:1: unknown field 'rate'");
  });
});

describe('updates and replay', () => {
  it('turns points into link updates by direction', () => {
    const trace = parseTrace('timeSeconds,rateKbps,lossPct,direction\n0,500,,both\n1.5,,2,down', 't.csv');
    expect(traceUpdates(trace)).toEqual([
      { atMs: 0, update: { rateKbps: 500 }, line: 2 },
      { atMs: 1500, update: { down: { lossPct: 2 } }, line: 3 },
    ]);
  });

  it('applies each point at its time', async () => {
    const trace = parseTrace('timeSeconds,rateKbps\n0,100\n0.05,200\n0.1,300', 't.csv');
    const calls: Array<{ atMs: number; change: LinkChange }> = [];
    const start = performance.now();
    const replay = replayTrace({ set: (change) => calls.push({ atMs: performance.now() - start, change }) }, trace);
    await replay.done;
    expect(calls.map((c) => c.change.both?.rateKbps)).toEqual([100, 200, 300]);
    expect(calls[1]?.atMs).toBeGreaterThanOrEqual(45);
    expect(calls[2]?.atMs).toBeGreaterThanOrEqual(95);
    expect(calls[2]?.atMs).toBeLessThan(400);
  });

  it('stops', async () => {
    const trace = parseTrace('timeSeconds,rateKbps\n0,100\n5,200', 't.csv');
    const calls: LinkChange[] = [];
    const replay = replayTrace({ set: (change) => calls.push(change) }, trace, { loop: true });
    replay.stop();
    await replay.done;
    expect(calls).toEqual([{ both: { rateKbps: 100 } }]);
  });
});

describe('loadTrace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file in errors', async () => {
    const file = join(dir, 'cell.csv');
    writeFileSync(file, 'timeSeconds,rateKbps\n0,-1\n');
    await expect(loadTrace(file)).rejects.toThrow(`${file}:2: rateKbps must be a number in 0..10000000 (got -1)`);
  });
});
