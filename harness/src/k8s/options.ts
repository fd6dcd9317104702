// What `rtc-harness k8s` is asked for (K8sOptions, all optional but the shard count) and what
// the generator works from (ResolvedK8sOptions), resolved and checked once here.
import { randomBytes } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { ScenarioError } from '../scenario/errors.ts';
import type { RunPlan } from '../scenario/plan.ts';
import { defaultRunId, runIdProblem } from './names.ts';

export const DEFAULT_IMAGE = 'rtc-harness:latest';
export const DEFAULT_STORAGE = '5Gi';
/** Where the image holds the repository (the Dockerfile's WORKDIR): scenario paths are relative to it. */
export const IMAGE_WORKDIR = '/app';
/** Where every pod mounts the results volume. */
export const RESULTS_DIR = '/results';

export interface K8sOptions {
  /** Pods of the Indexed Job, each running its share of the participants. Required: 1 to the participant count. */
  shards: number;
  /** The harness image (built from the repository's Dockerfile). Default 'rtc-harness:latest'. */
  image?: string;
  /** Names and labels every object, and is each shard's --run-id. Default '<scenario>-<yyyymmdd>-<hhmmss>' (UTC). */
  runId?: string;
  /** Storage class of the results volume, which must offer ReadWriteMany. Default: the cluster's default class. */
  storageClass?: string;
  /** Size of the results volume, a Kubernetes quantity. Default '5Gi'. */
  storage?: string;
  /** Namespace written into every object. Default: none (kubectl's current namespace). */
  namespace?: string;
  /** coturn's static-auth-secret, for a scenario with the bundled TURN server. Default: 32 random bytes, hex. */
  turnSecret?: string;
  /** The time the default run id is stamped with. Default: now. */
  now?: Date;
}

export interface ResolvedK8sOptions {
  shards: number;
  image: string;
  runId: string;
  storageClass: string | null;
  storage: string;
  namespace: string | null;
  turnSecret: string;
  /** The scenario as the shards name it: relative to the image's working directory. */
  scenarioPath: string;
}

/** A Kubernetes quantity such as '5Gi' or '500M'. */
const QUANTITY = /^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
/** A DNS-1123 label, as namespaces are named. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain, as storage classes are named ('nfs-client', 'efs.csi.aws.com'). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Applies defaults and checks every option against the plan; throws ScenarioError naming the option. */
export function resolveK8sOptions(plan: RunPlan, options: K8sOptions): ResolvedK8sOptions {
  const problems: string[] = [];
  const participants = plan.participants.length;
  if (!Number.isInteger(options.shards) || options.shards < 1 || options.shards > participants) {
    problems.push(`--shards must be a whole number from 1 to ${participants} (the participants of ${plan.file}: a shard runs at least one), got ${options.shards}`);
  }
  const runId = options.runId ?? defaultRunId(plan.name, options.now ?? new Date());
  const idProblem = runIdProblem(runId);
  if (idProblem) problems.push(`--run-id ${idProblem}`);
  const storage = options.storage ?? DEFAULT_STORAGE;
  if (!QUANTITY.test(storage)) problems.push(`--storage must be a Kubernetes quantity such as 5Gi or 500Mi, got '${storage}'`);
  const { namespace, storageClass } = options;
  if (namespace !== undefined && (!DNS_LABEL.test(namespace) || namespace.length > 63)) {
    problems.push(`--namespace must be lowercase letters, digits and '-' (at most 63), got '${namespace}'`);
  }
  if (storageClass !== undefined && (!DNS_SUBDOMAIN.test(storageClass) || storageClass.length > 253)) {
    problems.push(`--storage-class must be lowercase letters, digits, '-' and '.', got '${storageClass}'`);
  }
  const image = options.image ?? DEFAULT_IMAGE;
  if (image.trim() === '' || /\s/.test(image)) problems.push(`--image must be an image reference such as registry.example/rtc-harness:1.2, got '${image}'`);
  // The shards load the scenario from the image, which holds the repository the command runs in.
  if (isAbsolute(plan.file) || plan.file.startsWith('..')) {
    problems.push(`${plan.file}: the scenario must be inside the repository the image is built from; run rtc-harness k8s from that repository's root with a relative path`);
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return {
    shards: options.shards,
    image,
    runId,
    storageClass: options.storageClass ?? null,
    storage,
    namespace: options.namespace ?? null,
    turnSecret: options.turnSecret ?? randomBytes(32).toString('hex'),
    scenarioPath: plan.file,
  };
}
