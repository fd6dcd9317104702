// A results.json for tests of reporters and comparisons: the shape and figures of a real smoke
// run on this machine (three callers, 20 s), with helpers to change what a test needs.
import type { Aggregate, RunResults } from './schema.ts';

export function agg(p50: number, spread = 0.1, count = 40): Aggregate {
  return {
    count,
    min: p50 * (1 - 3 * spread),
    max: p50 * (1 + 3 * spread),
    avg: p50,
    p50,
    p90: p50 * (1 + spread),
    p95: p50 * (1 + 1.5 * spread),
    p99: p50 * (1 + 2 * spread),
    last: p50,
  };
}

export function groupAggregates(scale = 1): Record<string, Aggregate> {
  return {
    video_recv_fps: agg(29.9 * scale),
    video_recv_bitrate_kbps: agg(185 * scale),
    video_send_bitrate_kbps: agg(270 * scale),
    rtt_ms: agg(2 / scale),
    recv_loss_percent: agg(0),
    join_to_first_frame_ms: agg(2100 / scale, 0.1, 6),
    video_freeze_seconds_total: { ...agg(0), max: 0 },
    connected: { ...agg(1, 0), avg: 0.97 },
    audio_recv_bitrate_kbps: agg(32),
  };
}

/** A passing smoke run; `patch` replaces top-level fields. */
export function exampleResults(patch: Partial<RunResults> = {}): RunResults {
  const start = Date.parse('2026-11-26T10:03:16.764Z');
  return {
    verdict: 'pass',
    scenario: 'smoke',
    scenarioFile: 'scenarios/smoke.scenario.ts',
    startedAt: new Date(start).toISOString(),
    endedAt: new Date(start + 22_070).toISOString(),
    durationSeconds: 20.001,
    interrupted: false,
    seed: 486607365,
    thresholds: [
      { key: 'join_to_first_frame_ms', metric: 'join_to_first_frame_ms', filter: {}, expression: 'p(95) < 5000', ok: true, actual: 2122.5 },
      { key: 'video_recv_fps{group:callers}', metric: 'video_recv_fps', filter: { group: 'callers' }, expression: 'p(5) > 20', ok: true, actual: 27.4 },
      { key: 'video_freeze_seconds_total', metric: 'video_freeze_seconds_total', filter: {}, expression: 'max < 1', ok: true, actual: 0 },
    ],
    participants: [0, 1, 2].map((i) => ({
      id: `callers[${i}]`,
      group: 'callers',
      connected: true,
      joinedAtMs: start + 2_200 + 1000 * i,
      browserIndex: 0,
      aggregates: groupAggregates(),
    })),
    groups: [{ name: 'callers', count: 3, aggregates: groupAggregates() }],
    actions: [0, 1, 2].map((i) => ({ atMs: 1000 * i, startedMs: 1000 * i + 1, do: 'join', participant: `callers[${i}]`, ok: true, durationMs: 300 })),
    networkChanges: [],
    loadGenerator: { maxCpuPercent: 100, avgCpuPercent: 77.9, browsers: 1, invalidReason: null },
    sampleCount: 57,
    storedPoints: 1900,
    droppedPoints: 0,
    environment: {
      harnessVersion: '0.1.0',
      node: 'v20.20.2',
      chromium: 'Chrome/156.0.8078.108',
      mediasoup: '3.14.16',
      platform: 'linux 6.18.44',
      cores: 2,
      memoryGiB: 23.5,
      arch: 'x64',
      cpuModel: 'Example CPU',
      gitCommit: '73b21df0c0ffee0000000000000000000000abcd',
      gitDirty: false,
      ciJobUrl: null,
    },
    timelineStartUnixMs: start + 2_200,
    overrides: ['--duration 20s'],
    ...patch,
  };
}
