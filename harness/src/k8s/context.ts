// What every part of the generator reads: the plan, the resolved options and the run's names,
// and the pieces several objects share (metadata, the results volume).
import type { RunPlan } from '../scenario/plan.ts';
import { RESULTS_DIR, type ResolvedK8sOptions } from './options.ts';
import type { Component, RunNames } from './names.ts';
import type { Volume, VolumeMount } from './types.ts';

export interface ManifestContext {
  readonly plan: RunPlan;
  readonly options: ResolvedK8sOptions;
  readonly names: RunNames;
}

/** An object's metadata: its name ('<id>-<component>' unless given), namespace and labels. */
export function metadata(ctx: ManifestContext, component: Component): { name: string; namespace?: string; labels: Record<string, string> } {
  return {
    name: ctx.names.of(component),
    ...(ctx.options.namespace !== null && { namespace: ctx.options.namespace }),
    labels: ctx.names.labels(component),
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

/** The folder of shard `i` (1-based, or a shell expression for it) on the results volume. */
export function shardDir(i: number | string): string {
  return `${RESULTS_DIR}/shard-${i}`;
}
