// The shards' start line, run by each shard pod's init container. The pods of an Indexed Job
// start when each is scheduled and has pulled the image, seconds or minutes apart, while a
// shard's participants join at the plan's times from its own start: without a common start the
// shards would overlap only in part of the call. So each shard waits for the services it needs
// (the SFU, the Pushgateway, Prometheus), says it is ready with a file on the shared volume, and
// waits for every other shard's file.
import { shardDir } from './context.ts';

/** The file a shard leaves once its services answer. */
export const READY_FILE = 'ready';
/** A shard starts anyway after this long without every other shard (one that is never scheduled must not hold the run for ever). */
export const START_TIMEOUT_SECONDS = 600;
/** How often a waiting shard looks again. */
export const START_POLL_SECONDS = 1;
/** A service that does not answer within this long is asked again. */
export const SERVICE_TIMEOUT_MS = 3000;

/** A service is up when this answers 2xx: Node's fetch, since the image has Node and no curl is promised. */
export const SERVICE_PROBE = `fetch(process.argv[1], { signal: AbortSignal.timeout(${SERVICE_TIMEOUT_MS}) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;

/** The init container's script: the services at `readyUrls`, then every one of `shards` shards ready. */
export function startScript(shards: number, readyUrls: readonly string[]): string {
  return [
    'set -u',
    'i=$((JOB_COMPLETION_INDEX + 1))',
    ...(readyUrls.length > 0
      ? [
          `for url in ${readyUrls.join(' ')}; do`,
          `  until node -e '${SERVICE_PROBE}' "$url"; do echo "waiting for $url"; sleep 2; done`,
          'done',
        ]
      : []),
    `mkdir -p ${shardDir('$i')}`,
    `: > ${shardDir('$i')}/${READY_FILE}`,
    'waited=0',
    'while :; do',
    '  ready=0',
    `  for k in $(seq 1 ${shards}); do [ -e ${shardDir('$k')}/${READY_FILE} ] && ready=$((ready + 1)); done`,
    `  [ "$ready" -ge ${shards} ] && break`,
    `  if [ "$waited" -ge ${START_TIMEOUT_SECONDS} ]; then echo "only $ready of ${shards} shards ready after ${START_TIMEOUT_SECONDS} s: starting without the others"; break; fi`,
    `  [ $((waited % 10)) -eq 0 ] && echo "waiting for the other shards: $ready of ${shards} ready"`,
    `  sleep ${START_POLL_SECONDS}`,
    `  waited=$((waited + ${START_POLL_SECONDS}))`,
    'done',
    `echo "shard $i starts: $ready of ${shards} shards ready"`,
    '',
  ].join('\n');
}
