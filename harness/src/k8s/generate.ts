// A sharded run of a scenario as Kubernetes manifests: the function behind `rtc-harness k8s`.
// Which objects a run needs follows from its plan: the SFU when the shards can share the bundled
// one (topology.ts), coturn when that SFU hands out the bundled TURN server.
import type { RunPlan } from '../scenario/plan.ts';
import { coturnDeployment, coturnService, turnSecret } from './coturn.ts';
import type { ManifestContext } from './context.ts';
import { fetchPod, MERGED_DIR, mergeJob } from './merge.ts';
import { RunNames } from './names.ts';
import { resolveK8sOptions, type K8sOptions } from './options.ts';
import { prometheusConfigMap, prometheusDeployment, prometheusService, pushgatewayDeployment, pushgatewayService } from './prometheus.ts';
import { participantsPerShard } from './resources.ts';
import { sfuDeployment, sfuService, sfuUrl } from './sfu.ts';
import { shardJob, type ShardRunFlags } from './shards.ts';
import { storageClaim } from './storage.ts';
import { sfuPlacement, type SfuPlacement } from './topology.ts';
import type { Manifest } from './types.ts';
import { manifestsYaml, type Commented } from './yaml.ts';

export interface GeneratedRun {
  runId: string;
  shards: number;
  /** Participants of the largest shard, which every shard pod's requests are sized for. */
  participantsPerShard: number;
  /** Where the SFU runs: in the cluster for every shard, in each shard, or not ours. */
  sfu: SfuPlacement;
  /** Whether the run has its own coturn (the bundled TURN server, beside the shared SFU). */
  coturn: boolean;
  /** Every object, in the order they are applied, each with the comment written above it. */
  documents: Commented<Manifest>[];
  /** The multi-document YAML file. */
  yaml: string;
}

/** The manifests of a sharded run of `plan`. Throws ScenarioError on bad options. */
export function generateManifests(plan: RunPlan, options: K8sOptions, flags: ShardRunFlags = {}): GeneratedRun {
  const resolved = resolveK8sOptions(plan, options);
  const ctx: ManifestContext = { plan, options: resolved, names: new RunNames(resolved.runId) };
  const sfu = sfuPlacement(plan);
  const shared = sfu.kind === 'shared';
  // A shard that starts its own SFU starts its own coturn too (the SFU hands out its credentials).
  const coturn = shared && plan.turn?.kind === 'bundled';
  const secret = shared ? turnSecret(ctx) : null;
  const documents: Commented<Manifest>[] = [
    { comment: `Shared storage: shard i writes /results/shard-<i>/${resolved.runId}, the merge writes ${MERGED_DIR}.`, value: storageClaim(ctx) },
    ...(secret ? [{ comment: "The TURN server's static-auth-secret, read by the SFU (and coturn).", value: secret }] : []),
    ...(coturn
      ? [
          { comment: 'coturn, the bundled TURN server: it relays from its pod IP.', value: coturnDeployment(ctx) },
          { comment: '', value: coturnService(ctx) },
        ]
      : []),
    ...(shared
      ? [
          { comment: `The bundled SFU, standalone, which every shard joins: ${sfuUrl(ctx)} (call page, /ws, /metrics); media on its pod IP.`, value: sfuDeployment(ctx) },
          { comment: '', value: sfuService(ctx) },
        ]
      : []),
    { comment: 'Prometheus: scrapes the Pushgateway (the shards push to it)' + (shared ? ' and the SFU.' : '.'), value: prometheusConfigMap(ctx, shared) },
    { comment: '', value: prometheusDeployment(ctx) },
    { comment: '', value: prometheusService(ctx) },
    { comment: '', value: pushgatewayDeployment(ctx) },
    { comment: '', value: pushgatewayService(ctx) },
    { comment: shardComment(ctx, sfu), value: shardJob(ctx, { ...flags, ...(shared && { targetUrl: sfuUrl(ctx) }) }) },
    { comment: `Waits until every shard has written its exit-code file, then merges their results into ${MERGED_DIR}.`, value: mergeJob(ctx) },
    { comment: `Holds the results volume for: kubectl cp ${ctx.names.of('fetch')}:${MERGED_DIR} ${mergedCopyPath(resolved.runId)}`, value: fetchPod(ctx) },
  ];
  return {
    runId: resolved.runId,
    shards: resolved.shards,
    participantsPerShard: participantsPerShard(plan.participants.length, resolved.shards),
    sfu,
    coturn,
    documents,
    yaml: manifestsYaml(documents, header(ctx)),
  };
}

function shardComment(ctx: ManifestContext, sfu: SfuPlacement): string {
  const lines = [`${ctx.options.shards} shard${ctx.options.shards === 1 ? '' : 's'} of ${ctx.plan.participants.length} participants; pod k runs --shard k+1/${ctx.options.shards}.`];
  if (sfu.kind === 'per-shard') lines.push(`Each shard starts its own SFU: ${sfu.reason}.`);
  return lines.join('\n');
}

function header(ctx: ManifestContext): string {
  const { runId, shards } = ctx.options;
  const n = ctx.names;
  return [
    `rtc-harness: ${ctx.plan.file} in ${shards} shard${shards === 1 ? '' : 's'}, run ${runId}.`,
    `  kubectl apply -f <this file>`,
    `  ${waitForMergeCommand(n.of('merge'))}`,
    `  kubectl logs job/${n.of('merge')} -c merge              # the merged summary`,
    `  kubectl cp ${n.of('fetch')}:${MERGED_DIR} ${mergedCopyPath(runId)}`,
    `  kubectl delete -f <this file>          # every object, the results volume too`,
    `Shard logs: kubectl logs -l app.kubernetes.io/instance=${runId},app.kubernetes.io/component=shard --prefix`,
  ].join('\n');
}

/**
 * Waits until the merge Job has finished, passed or not: `kubectl wait` takes one condition, and
 * a merge whose thresholds failed ends Failed, not Complete.
 */
export function waitForMergeCommand(mergeJobName: string): string {
  return `until kubectl get job/${mergeJobName} -o jsonpath='{.status.conditions[?(@.status=="True")].type}' | grep -qE 'Complete|Failed'; do sleep 10; done`;
}

/** Where `rtc-harness k8s` writes the manifests unless told: beside the run's other outputs, out of version control. */
export function defaultManifestsPath(runId: string): string {
  return `results/${runId}/manifests.yaml`;
}

/** Where the instructions copy the merged results to. */
export function mergedCopyPath(runId: string): string {
  return `results/${runId}/merged`;
}
