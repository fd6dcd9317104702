// After the shards: a Job that waits until every shard has left its exit-code file, then runs
// `rtc-harness merge` over the N shard folders into /results/merged; and a small pod that mounts
// the results volume so that `kubectl cp` can copy the merged results out. Both are applied with
// the rest: the merge's init container does the waiting, so one `kubectl apply` runs it all.
import { IMAGE_WORKDIR, RESULTS_DIR } from './options.ts';
import { metadata, resultsMount, resultsVolume, shardDir, shardOutDir, shardsDeadlineSeconds, type ManifestContext } from './context.ts';
import { SERVICE_REQUESTS } from './resources.ts';
import { EXIT_CODE_FILE, HARNESS_BIN } from './shards.ts';
import type { Container, Job, Pod } from './types.ts';

export const MERGED_DIR = `${RESULTS_DIR}/merged`;
/** How often the merge looks for the shards' exit-code files. */
export const MERGE_POLL_SECONDS = 10;
/**
 * The merge's own time after the shards' deadline: the shards' last results, then the merge. A
 * shard killed before it could write its exit-code file (evicted, OOM) would otherwise keep the
 * merge waiting for ever.
 */
export const MERGE_AFTER_SHARDS_SECONDS = 900;

/** The merge's command: every shard's folder, by name, so a missing one fails loudly. */
export function mergeArgs(ctx: ManifestContext): string[] {
  const dirs = Array.from({ length: ctx.options.shards }, (_, k) => shardOutDir(ctx, k + 1));
  return ['merge', ...dirs, '--out', MERGED_DIR];
}

/** The init container's script: until N shard folders hold an exit-code file. */
export function waitForShardsScript(shards: number): string {
  return [
    'while :; do',
    '  finished=0',
    `  for i in $(seq 1 ${shards}); do [ -e ${shardDir('$i')}/${EXIT_CODE_FILE} ] && finished=$((finished + 1)); done`,
    `  [ "$finished" -ge ${shards} ] && break`,
    `  echo "waiting for the shards: $finished of ${shards} finished"`,
    `  sleep ${MERGE_POLL_SECONDS}`,
    'done',
    `echo "all ${shards} shards finished"`,
    '',
  ].join('\n');
}

export function mergeJob(ctx: ManifestContext): Job {
  const meta = metadata(ctx, 'merge');
  const container = (name: string, command: string[]): Container => ({
    name,
    image: ctx.options.image,
    workingDir: IMAGE_WORKDIR,
    command,
    volumeMounts: [resultsMount()],
    resources: { requests: { ...SERVICE_REQUESTS.merge } },
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta,
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: shardsDeadlineSeconds(ctx) + MERGE_AFTER_SHARDS_SECONDS,
      template: {
        metadata: { labels: meta.labels },
        spec: {
          restartPolicy: 'Never',
          initContainers: [container('wait-for-shards', ['sh', '-c', waitForShardsScript(ctx.options.shards)])],
          containers: [container('merge', [...HARNESS_BIN, ...mergeArgs(ctx)])],
          volumes: [resultsVolume(ctx)],
        },
      },
    },
  };
}

/** A pod that only holds the results volume open, for `kubectl cp <pod>:/results/merged <dir>`. */
export function fetchPod(ctx: ManifestContext): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(ctx, 'fetch'),
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'fetch',
          // The harness image: kubectl cp needs tar in the container, which it has.
          image: ctx.options.image,
          command: ['sleep', 'infinity'],
          volumeMounts: [resultsMount(true)],
          resources: { requests: { ...SERVICE_REQUESTS.fetch } },
        },
      ],
      volumes: [resultsVolume(ctx)],
    },
  };
}
