// What every part of the generator reads: the plan, the resolved options and the run's names,
// and the pieces several objects share (metadata, the results volume).
import type { RunPlan } from '../scenario/plan.ts';
import { RESULTS_DIR, type ResolvedK8sOptions } from './options.ts';
import type { Component, RunNames } from './names.ts';
import type { Deployment, PodSpec, Volume, VolumeMount } from './types.ts';

export interface ManifestContext {
  readonly plan: RunPlan;
  readonly options: ResolvedK8sOptions;
  readonly names: RunNames;
}

/**
 * Time for N pods to be scheduled and pull the image, wait for each other (start.ts: at most 10
 * minutes) and set up, on top of the scenario's duration: past it, Kubernetes stops the shards
 * (SIGTERM: each still writes what it measured), so that a run that cannot start ends.
 */
export const SHARDS_MARGIN_SECONDS = 3600;

/** The shards Job's activeDeadlineSeconds. */
export function shardsDeadlineSeconds(ctx: ManifestContext): number {
  return Math.ceil(ctx.plan.durationMs / 1000) + SHARDS_MARGIN_SECONDS;
}

/** An object's metadata: its name ('<id>-<component>' unless given), namespace and labels. */
export function metadata(ctx: ManifestContext, component: Component): { name: string; namespace?: string; labels: Record<string, string> } {
  return {
    name: ctx.names.of(component),
    ...(ctx.options.namespace !== null && { namespace: ctx.options.namespace }),
    labels: ctx.names.labels(component),
  };
}

/** A Deployment of one pod (the SFU, coturn, Prometheus, the Pushgateway): one replica, selected by its labels. */
export function deployment(meta: ReturnType<typeof metadata>, spec: PodSpec): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta,
    spec: { replicas: 1, selector: { matchLabels: meta.labels }, template: { metadata: { labels: meta.labels }, spec } },
  };
}

/** The shared results volume, as a pod lists it. */
export function resultsVolume(ctx: ManifestContext): Volume {
  return { name: 'results', persistentVolumeClaim: { claimName: ctx.names.of('results') } };
}

/** Where a container sees the results volume. */
export function resultsMount(readOnly = false): VolumeMount {
  return { name: 'results', mountPath: RESULTS_DIR, ...(readOnly && { readOnly }) };
}

/** The folder of shard `i` (1-based, or a shell expression for it) on the results volume: its ready and exit-code files. */
export function shardDir(i: number | string): string {
  return `${RESULTS_DIR}/shard-${i}`;
}

/**
 * Shard `i`'s output folder (run --out): named after the run in every shard, because the harness
 * labels its metrics with run = the output folder's name, so the shards' series are one run in
 * Prometheus and the dashboards (and the Pushgateway keeps them apart by instance).
 */
export function shardOutDir(ctx: ManifestContext, i: number | string): string {
  return `${shardDir(i)}/${ctx.options.runId}`;
}
