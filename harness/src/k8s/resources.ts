// What each pod asks the scheduler for. A shard's share grows with its participants; the
// figures are those measured in README.md, "The load-generator guard" (`npm run
// bench:participants`, Chromium 156's headless shell, every caller sending 640x360 at 30 fps and
// receiving everyone else). What a participant costs moves with Chromium and with the scenario
// (viewers that only receive cost less): re-measure for yours.
import type { ResourceRequirements } from './types.ts';

/** Browser CPU per participant: 22–40% of a core measured; the worst unsaturated figure (4 callers), 40%. */
export const CPU_MILLICORES_PER_PARTICIPANT = 400;
/** Browser memory per participant: PSS 109–166 MB measured; the worst (2 callers), 166 MB ≈ 159 MiB. */
export const MEMORY_MIB_PER_PARTICIPANT = 160;
/**
 * The harness itself, and the SFU of a shard that starts its own (topology.ts): the smoke run
 * (3 callers, its own SFU) used 53–65% of 2 cores where its browsers took about 3 × 30%, which
 * leaves about 0.3 of a core.
 */
export const SHARD_BASE_CPU_MILLICORES = 300;
/** Node with the harness and the SFU's process: not measured separately; a margin over Node's own ~100 MiB. */
export const SHARD_BASE_MEMORY_MIB = 300;

/** A mediasoup worker is one single-threaded process: it saturates at one core. */
export const SFU_CPU_MILLICORES_PER_WORKER = 1000;
/** Not measured: a starting point for the standalone SFU's Node process and its workers. */
export const SFU_MEMORY_MIB = 512;
/** Small fixed requests for the run's services (not measured: a starting point). */
export const SERVICE_REQUESTS = {
  coturn: { cpu: '100m', memory: '64Mi' },
  prometheus: { cpu: '200m', memory: '512Mi' },
  pushgateway: { cpu: '50m', memory: '64Mi' },
  merge: { cpu: '500m', memory: '512Mi' },
  fetch: { cpu: '10m', memory: '16Mi' },
} as const;

/**
 * Participants of the largest shard. The shards of an Indexed Job share one pod template, so
 * every shard asks for what the largest needs; `run --shard i/N` gives each shard ⌊P/N⌋ or ⌈P/N⌉
 * of the P participants.
 */
export function participantsPerShard(participants: number, shards: number): number {
  return Math.ceil(participants / shards);
}

/** What one shard pod requests for `participants` browsers. */
export function shardResources(participants: number): ResourceRequirements {
  return {
    requests: {
      cpu: `${SHARD_BASE_CPU_MILLICORES + CPU_MILLICORES_PER_PARTICIPANT * participants}m`,
      memory: `${SHARD_BASE_MEMORY_MIB + MEMORY_MIB_PER_PARTICIPANT * participants}Mi`,
    },
  };
}

/** What the standalone SFU requests for its workers. */
export function sfuResources(workers: number): ResourceRequirements {
  return { requests: { cpu: `${SFU_CPU_MILLICORES_PER_WORKER * workers}m`, memory: `${SFU_MEMORY_MIB}Mi` } };
}
