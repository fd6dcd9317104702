// What every generated object is called and labelled. All names derive from the run id, so two
// runs can share a namespace, and `kubectl delete all,pvc,cm,secret -l app.kubernetes.io/instance=<id>`
// removes one run whole.

/** The app.kubernetes.io/name of every object. */
export const APP_NAME = 'rtc-harness';

/** The parts of a run, each an app.kubernetes.io/component and a name suffix. */
export type Component = 'sfu' | 'coturn' | 'prometheus' | 'pushgateway' | 'shard' | 'merge' | 'results' | 'fetch' | 'turn-secret';

/**
 * A run id: lowercase letters, digits and '-', starting with a letter (a DNS-1035 label, as
 * Service names need), at most 40 characters so that '<id>-pushgateway' and the Indexed Job's
 * pod host names ('<id>-shards-<index>') stay within Kubernetes' 63.
 */
export const RUN_ID_PATTERN = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const RUN_ID_MAX_LENGTH = 40;

/** Why `id` cannot name a run's objects, or null when it can. */
export function runIdProblem(id: string): string | null {
  if (id.length > RUN_ID_MAX_LENGTH) return `must be at most ${RUN_ID_MAX_LENGTH} characters, got ${id.length} ('${id}')`;
  if (!RUN_ID_PATTERN.test(id)) return `must be lowercase letters, digits and '-', start with a letter and end with a letter or digit (it names Kubernetes objects), got '${id}'`;
  return null;
}

/** '<scenario name>-<yyyymmdd>-<hhmmss>' (UTC), made to fit runIdProblem. */
export function defaultRunId(scenarioName: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-').toLowerCase();
  const room = RUN_ID_MAX_LENGTH - stamp.length - 1;
  const base = scenarioName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, room)
    .replace(/-+$/, '');
  return `${base || 'run'}-${stamp}`;
}

/** The names of one run's objects. */
export class RunNames {
  constructor(readonly runId: string) {}

  /** '<id>-<component>'; the shard Job is '<id>-shards', the results volume '<id>-results'. */
  of(component: Component): string {
    return `${this.runId}-${component === 'shard' ? 'shards' : component}`;
  }

  /** The labels every object of the run carries; Deployments and Services select their pods by them too. */
  labels(component: Component): Record<string, string> {
    return { 'app.kubernetes.io/name': APP_NAME, 'app.kubernetes.io/instance': this.runId, 'app.kubernetes.io/component': component };
  }
}
