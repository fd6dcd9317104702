// Every generated manifest, for every shipped scenario, read back from the YAML file and checked
// against Kubernetes' published OpenAPI schemas (kubernetes-models): types, enums, required
// fields, formats. kubectl would refuse what fails here.
import { readdirSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadScenario, SCENARIO_FILE } from '../scenario/load.ts';
import type { RunPlan } from '../scenario/plan.ts';
import { resolvePlan } from '../scenario/resolve.ts';
import { generateManifests } from './generate.ts';
import { APP_NAME } from './names.ts';

// A document read back from YAML: its shape is what the schemas check.
type Doc = Record<string, any>;

interface Validating {
  validate(): void;
}

/** The schema of every kind the generator writes, by apiVersion and kind. */
const MODELS: Record<string, new (data: never) => Validating> = {
  'apps/v1 Deployment': Deployment,
  'batch/v1 Job': Job,
  'v1 ConfigMap': ConfigMap,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'v1 Pod': Pod,
  'v1 Secret': Secret,
  'v1 Service': Service,
};

/** Throws, naming the document, when a manifest breaks its kind's schema or has a kind without one. */
function validateManifest(doc: Doc): void {
  const key = `${doc.apiVersion} ${doc.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`${key} ${doc.metadata?.name}: no schema for this kind`);
  try {
    new Model(doc as never).validate();
  } catch (err) {
    throw new Error(`${key} ${doc.metadata?.name}: ${(err as Error).message}`);
  }
}

/** The documents of a generated file, parsed back from its text. */
function documentsOf(yaml: string): Doc[] {
  return parseAllDocuments(yaml).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Doc;
  });
}

const scenarios = readdirSync('scenarios').filter((f) => SCENARIO_FILE.test(f)).map((f) => `scenarios/${f}`);
const plans = new Map<string, RunPlan>();
async function planOf(file: string): Promise<RunPlan> {
  if (!plans.has(file)) plans.set(file, resolvePlan(await loadScenario(file), { file }));
  return plans.get(file)!;
}

const options = { turnSecret: 'a-secret-for-tests', runId: 'test-run', now: new Date('2026-12-06T12:00:00Z') };

describe('the generated manifests against Kubernetes’ schemas', () => {
  const cases = scenarios.flatMap((file) => [1, 3].map((shards) => [file, shards] as const));

  it.each(cases)('%s with --shards %i', async (file, shards) => {
    const plan = await planOf(file);
    if (shards > plan.participants.length) {
      // A shard runs at least one participant: the command says so rather than writing empty shards.
      expect(() => generateManifests(plan, { ...options, shards })).toThrow(`--shards must be a whole number from 1 to ${plan.participants.length}`);
      return;
    }
    const docs = documentsOf(generateManifests(plan, { ...options, shards }).yaml);
    expect(docs.length).toBeGreaterThanOrEqual(9);
    for (const doc of docs) {
      validateManifest(doc);
      expect(doc.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': APP_NAME, 'app.kubernetes.io/instance': 'test-run' });
    }
    // Prometheus reads its config from the ConfigMap: it must be YAML with the scrape jobs.
    const configMap = docs.find((d) => d.kind === 'ConfigMap')!;
    expect(parse(configMap.data['prometheus.yml']).scrape_configs.length).toBeGreaterThanOrEqual(2);
  });

  it('fail on an invalid field, a missing required one, a wrong type, or a kind without a schema', async () => {
    const docs = documentsOf(generateManifests(await planOf('scenarios/smoke.scenario.ts'), { ...options, shards: 1 }).yaml);
    const job = docs.find((d) => d.kind === 'Job' && d.spec.completionMode === 'Indexed')!;
    expect(() => validateManifest(job)).not.toThrow();

    expect(() => validateManifest({ ...job, spec: { ...job.spec, completionMode: 'Indexd' } })).toThrow(/Job test-run-shards: .*completionMode must be equal to one of the allowed values/);
    expect(() => validateManifest({ ...job, spec: { ...job.spec, completions: '3' } })).toThrow(/completions must be integer/);
    const container = job.spec.template.spec.containers[0];
    const withContainer = (c: object) => ({ ...job, spec: { ...job.spec, template: { ...job.spec.template, spec: { ...job.spec.template.spec, containers: [c] } } } });
    expect(() => validateManifest(withContainer({ ...container, name: undefined }))).toThrow(/containers\/0 must have required property name/);
    expect(() => validateManifest(withContainer({ ...container, resources: { requests: { cpu: { millicores: 400 } } } }))).toThrow(/requests\/cpu must/);

    const service = docs.find((d) => d.kind === 'Service')!;
    expect(() => validateManifest({ ...service, spec: { ...service.spec, ports: [{ ...service.spec.ports[0], protocol: 'QUIC' }] } })).toThrow(/protocol must be equal to one of the allowed values/);
    expect(() => validateManifest({ ...job, apiVersion: 'batch/v2' })).toThrow(/no schema/);
  });
});
