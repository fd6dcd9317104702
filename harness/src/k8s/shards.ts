// The shards: one Indexed Job whose pod k runs `rtc-harness run <scenario> --shard k+1/N`, with
// its own folder on the shared results volume, once every shard is ready (start.ts). When the
// harness exits, the pod writes its exit code to /results/shard-<k+1>/exit-code: the merge waits
// for N of those files.
import { IMAGE_WORKDIR } from './options.ts';
import { metadata, resultsMount, resultsVolume, shardDir, shardOutDir, shardsDeadlineSeconds, type ManifestContext } from './context.ts';
import { prometheusUrl, pushgatewayUrl } from './prometheus.ts';
import { participantsPerShard, shardResources } from './resources.ts';
import { shellLine } from './shell.ts';
import { startScript } from './start.ts';
import type { Job } from './types.ts';

/** The harness's entry point in the image (the Dockerfile's ENTRYPOINT). */
export const HARNESS_BIN = ['node', 'harness/bin/rtc-harness.mjs'] as const;
/** The file a shard leaves beside its results once the harness has exited: its exit code. */
export const EXIT_CODE_FILE = 'exit-code';
/** How long a stopped shard has to write its results before it is killed. */
export const SHARD_GRACE_SECONDS = 60;
/** Chromium needs more shared memory than a container's default 64 MB (docker-compose.yml gives 1 GB). */
export const SHM_SIZE = '1Gi';

/** Command-line arguments every shard passes on, as the k8s command was given them ('--set', 'a.count=4'...). */
export interface ShardRunFlags {
  /** The SFU every shard joins (run --target-url). Default: each shard starts its own. */
  targetUrl?: string;
  /** --set values as written. Default none. */
  set?: readonly string[];
  /** --duration as written. Default: the scenario's. */
  duration?: string;
  /** --seed as written. Default: the seed run draws from the run id, the same in every shard. */
  seed?: string;
}

/** `rtc-harness run ...` of one shard, as words; `index` is a shell expression for its 1-based index. */
export function shardRunArgs(ctx: ManifestContext, flags: ShardRunFlags, index: string): string[] {
  return [
    'run',
    ctx.options.scenarioPath,
    '--shard',
    `${index}/${ctx.options.shards}`,
    '--run-id',
    ctx.options.runId,
    ...(flags.targetUrl !== undefined ? ['--target-url', flags.targetUrl] : []),
    '--out',
    shardOutDir(ctx, index),
    ...(flags.duration !== undefined ? ['--duration', flags.duration] : []),
    ...(flags.set ?? []).flatMap((s) => ['--set', s]),
    ...(flags.seed !== undefined ? ['--seed', flags.seed] : []),
    '--pushgateway-url',
    pushgatewayUrl(ctx),
    '--prometheus-url',
    prometheusUrl(ctx),
  ];
}

/**
 * The shard pod's script: its 1-based index from the Job's JOB_COMPLETION_INDEX (0-based), the
 * run, then the exit-code file. The pod exits with the harness's code, so a failed shard shows
 * as a failed index of the Job. The shell is the container's first process, which ignores
 * SIGTERM unless it traps it: it hands the signal to the harness, which stops the run and still
 * writes what was measured (as on Ctrl-C), e.g. on `kubectl delete job`.
 */
export function shardScript(ctx: ManifestContext, flags: ShardRunFlags): string {
  const run = shellLine([...HARNESS_BIN, ...shardRunArgs(ctx, flags, '@INDEX@')]).replaceAll('@INDEX@', '$i');
  return [
    'set -u',
    'i=$((JOB_COMPLETION_INDEX + 1))',
    `mkdir -p ${shardOutDir(ctx, '$i')}`,
    `trap 'kill -TERM "$pid" 2>/dev/null' TERM INT`,
    `${run} &`,
    'pid=$!',
    'wait "$pid"',
    'code=$?',
    // Interrupted by the trap: wait for the harness itself to finish.
    'if kill -0 "$pid" 2>/dev/null; then wait "$pid"; code=$?; fi',
    `echo "$code" > ${shardDir('$i')}/${EXIT_CODE_FILE}`,
    'exit "$code"',
    '',
  ].join('\n');
}

/** What a shard needs up before it starts: the SFU it joins (its /healthz), the Pushgateway and Prometheus. */
export function readyUrls(ctx: ManifestContext, flags: ShardRunFlags): string[] {
  return [...(flags.targetUrl !== undefined ? [`${flags.targetUrl}/healthz`] : []), `${pushgatewayUrl(ctx)}/-/ready`, `${prometheusUrl(ctx)}/-/ready`];
}

export function shardJob(ctx: ManifestContext, flags: ShardRunFlags): Job {
  const meta = metadata(ctx, 'shard');
  const shards = ctx.options.shards;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta,
    spec: {
      completionMode: 'Indexed',
      completions: shards,
      parallelism: shards,
      // A shard runs once: re-running it later would put its participants in a call the others
      // have left. A failed shard (99: a threshold failed) does not stop the others.
      backoffLimitPerIndex: 0,
      maxFailedIndexes: shards,
      activeDeadlineSeconds: shardsDeadlineSeconds(ctx),
      template: {
        metadata: { labels: meta.labels },
        spec: {
          restartPolicy: 'Never',
          // The harness's end: its results, and up to 16 s for Prometheus to have the last values.
          terminationGracePeriodSeconds: SHARD_GRACE_SECONDS,
          initContainers: [
            {
              name: 'wait-to-start',
              image: ctx.options.image,
              workingDir: IMAGE_WORKDIR,
              command: ['sh', '-c', startScript(shards, readyUrls(ctx, flags))],
              volumeMounts: [resultsMount()],
            },
          ],
          containers: [
            {
              name: 'shard',
              image: ctx.options.image,
              workingDir: IMAGE_WORKDIR,
              command: ['sh', '-c', shardScript(ctx, flags)],
              resources: shardResources(participantsPerShard(ctx.plan.participants.length, shards)),
              volumeMounts: [resultsMount(), { name: 'dshm', mountPath: '/dev/shm' }],
            },
          ],
          volumes: [resultsVolume(ctx), { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: SHM_SIZE } }],
        },
      },
    },
  };
}
