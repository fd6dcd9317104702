// What a user checks in the manifests: every participant's shard runs exactly once, the commands
// the pods run, the SFU and coturn only when the scenario uses the bundled ones, requests that
// follow the participants. The pods' shell scripts are run for real with a stand-in harness.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineScenario } from '../scenario/define.ts';
import { ScenarioError } from '../scenario/errors.ts';
import { loadScenario } from '../scenario/load.ts';
import type { RunPlan } from '../scenario/plan.ts';
import { resolvePlan } from '../scenario/resolve.ts';
import type { ScenarioSpec } from '../scenario/types.ts';
import { parse } from 'yaml';
import { COTURN_IMAGE } from './coturn.ts';
import { generateManifests, type GeneratedRun } from './generate.ts';
import { PROMETHEUS_IMAGE, PUSHGATEWAY_IMAGE } from './prometheus.ts';
import { SFU_HTTP_PORT, SFU_RTC_PORT } from './sfu.ts';
import { SERVICE_PROBE } from './start.ts';
import { defaultRunId } from './names.ts';
import { RESULTS_DIR, type K8sOptions } from './options.ts';
import { CPU_MILLICORES_PER_PARTICIPANT, MEMORY_MIB_PER_PARTICIPANT, SHARD_BASE_CPU_MILLICORES, SHARD_BASE_MEMORY_MIB } from './resources.ts';
import type { Container, Deployment, Job, Manifest } from './types.ts';

const OPTIONS = { runId: 'test-run', turnSecret: 'a-secret-for-tests' } as const;
/** Bundled TURN and no simulated network: the shards can share the SFU and its coturn. */
const SHARED_TURN = defineScenario({ duration: '20s', turn: 'bundled', participants: { a: { count: 2 } } });
const plan = async (file: string, set: string[] = []) => resolvePlan(await loadScenario(file), { file, set });
const inline = (spec: ScenarioSpec): RunPlan => resolvePlan(spec, { file: 'scenarios/inline.scenario.ts', randomSeed: () => 1 });
const generate = (p: RunPlan, options: Partial<K8sOptions> & { shards: number }) => generateManifests(p, { ...OPTIONS, ...options });

const find = <K extends Manifest['kind']>(run: GeneratedRun, kind: K, component: string) =>
  run.documents.map((d) => d.value).find((m) => m.kind === kind && m.metadata?.labels?.['app.kubernetes.io/component'] === component) as Extract<Manifest, { kind: K }> | undefined;
const components = (run: GeneratedRun) => run.documents.map((d) => `${d.value.kind}/${d.value.metadata?.labels?.['app.kubernetes.io/component']}`);
const shardContainer = (run: GeneratedRun): Container => find(run, 'Job', 'shard')!.spec!.template.spec!.containers[0]!;
const envOf = (d: Deployment) => Object.fromEntries(d.spec!.template.spec!.containers[0]!.env!.map((e) => [e.name, e.value ?? e.valueFrom]));

let tmp: string | undefined;
afterEach(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/**
 * Runs a pod's `sh -c` script with the results volume in a temporary folder and a stand-in `node`
 * that records its arguments in the shard's folder and exits with the code of STUB_EXIT_<index>.
 */
function runScript(script: string, env: Record<string, string>, timeoutMs = 5000) {
  tmp ??= mkdtempSync(join(tmpdir(), 'rtc-k8s-'));
  const bin = join(tmp, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(
    join(bin, 'node'),
    [
      '#!/bin/sh',
      // `node -e <probe> <url>`: a service answers unless STUB_FETCH_EXIT says otherwise.
      '[ "$1" = -e ] && exit "${STUB_FETCH_EXIT:-0}"',
      'out=""; prev=""',
      'for a in "$@"; do [ "$prev" = --out ] && out=$a; prev=$a; done',
      'printf "%s\\n" "$@" > "$out/args"',
      'eval "exit \\${STUB_EXIT_$JOB_COMPLETION_INDEX:-0}"',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'node'), 0o755);
  const results = join(tmp, 'results');
  const result = spawnSync('sh', ['-c', script.replaceAll(`${RESULTS_DIR}/`, `${results}/`)], {
    env: { PATH: `${bin}:${process.env.PATH}`, ...env },
    cwd: tmp,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { ...result, results };
}

describe('the shards', () => {
  it('are an Indexed Job of N pods, all at once', async () => {
    const job = find(generate(await plan('scenarios/simulcast-under-loss.scenario.ts'), { shards: 3 }), 'Job', 'shard')!;
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 0 });
    expect(job.spec!.template.spec!.restartPolicy).toBe('Never');
  });

  it('run shards 1..N, each exactly once, each into its own folder named after the run (the metrics’ run label)', async () => {
    const run = generate(await plan('scenarios/simulcast-under-loss.scenario.ts'), { shards: 3 });
    const script = shardContainer(run).command![2]!;
    const seen = [0, 1, 2].map((k) => {
      const { status, results, stderr } = runScript(script, { JOB_COMPLETION_INDEX: String(k) });
      expect(stderr).toBe('');
      expect(status).toBe(0);
      const args = readFileSync(join(results, `shard-${k + 1}`, 'test-run', 'args'), 'utf8').trim().split('\n');
      expect(args).toEqual([
        'harness/bin/rtc-harness.mjs',
        'run',
        'scenarios/simulcast-under-loss.scenario.ts',
        '--shard',
        `${k + 1}/3`,
        '--run-id',
        'test-run',
        '--out',
        join(results, `shard-${k + 1}`, 'test-run'),
        '--pushgateway-url',
        'http://test-run-pushgateway:9091',
        '--prometheus-url',
        'http://test-run-prometheus:9090',
      ]);
      expect(readFileSync(join(results, `shard-${k + 1}`, 'exit-code'), 'utf8')).toBe('0\n');
      return args[4];
    });
    expect(seen.sort()).toEqual(['1/3', '2/3', '3/3']);
  });

  it('join the SFU in the cluster when the scenario calls the bundled one', async () => {
    const script = shardContainer(generate(await plan('scenarios/smoke.scenario.ts'), { shards: 2 })).command![2]!;
    expect(script).toContain(' run scenarios/smoke.scenario.ts --shard $i/2 --run-id test-run --target-url http://test-run-sfu:3000 --out /results/shard-$i/test-run ');
  });

  it("leave the harness's exit code beside their results, and exit with it", async () => {
    const script = shardContainer(generate(await plan('scenarios/smoke.scenario.ts'), { shards: 2 })).command![2]!;
    const { status, results } = runScript(script, { JOB_COMPLETION_INDEX: '1', STUB_EXIT_1: '99' });
    expect(status).toBe(99);
    expect(readFileSync(join(results, 'shard-2', 'exit-code'), 'utf8')).toBe('99\n');
  });

  it('pass --set, --duration and --seed on to every shard, quoted for the shell', async () => {
    const p = await plan('scenarios/smoke.scenario.ts', ['callers.count=6']);
    const run = generateManifests(p, { ...OPTIONS, shards: 2 }, { set: ['callers.count=6'], duration: '30s', seed: '7' });
    const script = shardContainer(run).command![2]!;
    expect(script).toContain('--out /results/shard-$i/test-run --duration 30s --set callers.count=6 --seed 7 ');
    const { results } = runScript(script, { JOB_COMPLETION_INDEX: '0' });
    const args = readFileSync(join(results, 'shard-1', 'test-run', 'args'), 'utf8');
    expect(args).toContain('--set\ncallers.count=6\n');

    const odd = generateManifests(p, { ...OPTIONS, shards: 2 }, { set: ["callers.count=6 $(touch pwned) 'x'"] });
    const { results: r2 } = runScript(shardContainer(odd).command![2]!, { JOB_COMPLETION_INDEX: '0' });
    expect(readFileSync(join(r2, 'shard-1', 'test-run', 'args'), 'utf8')).toContain("--set\ncallers.count=6 $(touch pwned) 'x'\n");
  });

  it('ask for CPU and memory in proportion to the participants of the largest shard', async () => {
    const p = await plan('scenarios/simulcast-under-loss.scenario.ts'); // 5 participants
    const requests = (shards: number) => shardContainer(generate(p, { shards })).resources!.requests!;
    const expected = (participants: number) => ({
      cpu: `${SHARD_BASE_CPU_MILLICORES + CPU_MILLICORES_PER_PARTICIPANT * participants}m`,
      memory: `${SHARD_BASE_MEMORY_MIB + MEMORY_MIB_PER_PARTICIPANT * participants}Mi`,
    });
    expect(requests(1)).toEqual(expected(5));
    expect(requests(2)).toEqual(expected(3));
    expect(requests(5)).toEqual(expected(1));
    const bigger = shardContainer(generate(await plan('scenarios/simulcast-under-loss.scenario.ts', ['viewers.count=39']), { shards: 5 }));
    expect(bigger.resources!.requests).toEqual(expected(8));
  });

  it('get shared memory for Chromium and the results volume', async () => {
    const run = generate(await plan('scenarios/smoke.scenario.ts'), { shards: 1 });
    expect(shardContainer(run).volumeMounts!.map((m) => m.mountPath).sort()).toEqual(['/dev/shm', '/results']);
    expect(find(run, 'PersistentVolumeClaim', 'results')!.spec).toEqual({ accessModes: ['ReadWriteMany'], resources: { requests: { storage: '5Gi' } } });
    const withClass = find(generate(await plan('scenarios/smoke.scenario.ts'), { shards: 1, storageClass: 'nfs-client', storage: '20Gi' }), 'PersistentVolumeClaim', 'results')!;
    expect(withClass.spec).toMatchObject({ storageClassName: 'nfs-client', resources: { requests: { storage: '20Gi' } } });
  });
});

describe('deadlines', () => {
  it('stop the shards an hour past the scenario’s duration, and the merge 15 minutes after them', async () => {
    const run = generate(await plan('scenarios/smoke.scenario.ts'), { shards: 2 }); // 20 s
    expect(find(run, 'Job', 'shard')!.spec!.activeDeadlineSeconds).toBe(20 + 3600);
    expect(find(run, 'Job', 'merge')!.spec!.activeDeadlineSeconds).toBe(20 + 3600 + 900);
  });
});

describe('the shards’ start', () => {
  const initScript = (run: GeneratedRun) => find(run, 'Job', 'shard')!.spec!.template.spec!.initContainers![0]!.command![2]!;

  it('waits for the SFU it joins, the Pushgateway and Prometheus', async () => {
    const script = initScript(generate(await plan('scenarios/smoke.scenario.ts'), { shards: 2 }));
    expect(script).toContain('for url in http://test-run-sfu:3000/healthz http://test-run-pushgateway:9091/-/ready http://test-run-prometheus:9090/-/ready; do');
    expect(initScript(generate(await plan('scenarios/lossy-network.scenario.ts'), { shards: 2 }))).toContain('for url in http://test-run-pushgateway:9091/-/ready http://test-run-prometheus:9090/-/ready; do');
    const down = runScript(script, { JOB_COMPLETION_INDEX: '0', STUB_FETCH_EXIT: '1' }, 1000);
    expect(down.error).toBeDefined(); // still waiting when the timeout killed it
    expect(down.stdout).toContain('waiting for http://test-run-sfu:3000/healthz');
  });

  it('then waits until every shard is ready, so that the shards start together', async () => {
    const script = initScript(generate(await plan('scenarios/smoke.scenario.ts'), { shards: 2 }));
    const alone = runScript(script, { JOB_COMPLETION_INDEX: '0' }, 1500);
    expect(alone.error).toBeDefined();
    expect(alone.stdout).toContain('waiting for the other shards: 1 of 2 ready');
    expect(readFileSync(join(alone.results, 'shard-1', 'ready'), 'utf8')).toBe('');
    const second = runScript(script, { JOB_COMPLETION_INDEX: '1' });
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('shard 2 starts: 2 of 2 shards ready\n');
  });

  it('asks a service with a probe that Node runs as written', async () => {
    const server = createServer((req, res) => res.writeHead(req.url === '/up' ? 200 : 503).end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const probe = (url: string) =>
      new Promise<number | null>((done) => spawn(process.execPath, ['-e', SERVICE_PROBE, url], { stdio: 'ignore' }).on('exit', (code) => done(code)));
    try {
      expect(await probe(`${base}/up`)).toBe(0);
      expect(await probe(`${base}/starting`)).toBe(1);
    } finally {
      await new Promise((done) => server.close(done));
    }
    expect(await probe('http://127.0.0.1:1/')).toBe(1);
    // The script single-quotes it for sh.
    expect(SERVICE_PROBE).not.toContain("'");
  });
});

describe('the merge', () => {
  it('waits for every shard, then merges the N folders into /results/merged', async () => {
    const job = find(generate(await plan('scenarios/smoke.scenario.ts'), { shards: 3 }), 'Job', 'merge')!;
    const spec = job.spec!.template.spec!;
    expect(spec.containers[0]!.command).toEqual([
      'node',
      'harness/bin/rtc-harness.mjs',
      'merge',
      '/results/shard-1/test-run',
      '/results/shard-2/test-run',
      '/results/shard-3/test-run',
      '--out',
      '/results/merged',
    ]);
    const wait = spec.initContainers![0]!.command![2]!;

    runScript('mkdir -p /results/shard-1 /results/shard-3 && echo 0 > /results/shard-1/exit-code && echo 99 > /results/shard-3/exit-code', {});
    const waiting = runScript(wait, {}, 1000);
    expect(waiting.error).toBeDefined(); // still waiting when the timeout killed it
    expect(waiting.stdout).toContain('waiting for the shards: 2 of 3 finished');

    runScript('mkdir -p /results/shard-2 && echo 2 > /results/shard-2/exit-code', {});
    const done = runScript(wait, {});
    expect(done.status).toBe(0);
    expect(done.stdout).toBe('all 3 shards finished\n');
  });
});

describe('the services', () => {
  it('include the SFU, pointed at its pod IP, when the scenario calls the bundled SFU; no coturn without TURN', async () => {
    const run = generate(await plan('scenarios/smoke.scenario.ts'), { shards: 2 });
    expect(run.sfu).toEqual({ kind: 'shared' });
    expect(run.coturn).toBe(false);
    expect(components(run)).toEqual([
      'PersistentVolumeClaim/results',
      'Deployment/sfu',
      'Service/sfu',
      'ConfigMap/prometheus',
      'Deployment/prometheus',
      'Service/prometheus',
      'Deployment/pushgateway',
      'Service/pushgateway',
      'Job/shard',
      'Job/merge',
      'Pod/fetch',
    ]);
    const env = envOf(find(run, 'Deployment', 'sfu')!);
    expect(env).toMatchObject({ SFU_PORT: '3000', SFU_RTC_PORT: '40000', SFU_WORKERS: '1', SFU_LISTEN_IP: '0.0.0.0', SFU_ANNOUNCED_ADDRESS: '$(POD_IP)', SFU_ALLOW_ANONYMOUS_JOINS: '1', SFU_ALLOWED_HOSTS: 'test-run-sfu' });
    expect(env.SFU_TURN_URLS).toBeUndefined();
    expect(find(run, 'Service', 'sfu')!.spec!.ports!.map((p) => `${p.port}/${p.protocol}`)).toEqual(['3000/TCP', '40000/UDP', '40000/TCP']);
    // Prometheus scrapes the SFU and the gateway.
    expect(find(run, 'ConfigMap', 'prometheus')!.data!['prometheus.yml']).toContain('test-run-sfu:3000');
  });

  it('include coturn, its secret and the SFU’s TURN settings when the scenario uses the bundled TURN server', async () => {
    const run = generate(inline(SHARED_TURN), { shards: 2 });
    expect(run.coturn).toBe(true);
    expect(components(run).slice(0, 6)).toEqual(['PersistentVolumeClaim/results', 'Secret/turn-secret', 'Deployment/coturn', 'Service/coturn', 'Deployment/sfu', 'Service/sfu']);
    expect(find(run, 'Secret', 'turn-secret')!.stringData).toEqual({ secret: 'a-secret-for-tests' });
    const env = envOf(find(run, 'Deployment', 'sfu')!);
    expect(env.SFU_TURN_URLS).toBe('turn:test-run-coturn:3478?transport=udp,turn:test-run-coturn:3478?transport=tcp');
    expect(env.SFU_TURN_SECRET).toEqual({ secretKeyRef: { name: 'test-run-turn-secret', key: 'secret' } });
    expect(find(run, 'Deployment', 'coturn')!.spec!.template.spec!.containers[0]!.args).toEqual(expect.arrayContaining(['--static-auth-secret=$(TURN_SECRET)', '--external-ip=$(POD_IP)']));
  });

  it('include neither SFU nor coturn when the scenario calls its own SFU; a TURN server of its own goes to the bundled SFU', () => {
    const run = generate(inline(defineScenario({ duration: '20s', target: { url: 'https://meet.example.com/{room}?name={name}' }, participants: { a: { count: 4 } } })), { shards: 2 });
    expect(run.sfu).toEqual({ kind: 'none' });
    expect(run.coturn).toBe(false);
    expect(components(run)).not.toContain('Deployment/sfu');
    expect(components(run).filter((c) => /coturn|turn-secret/.test(c))).toEqual([]);
    expect(find(run, 'ConfigMap', 'prometheus')!.data!['prometheus.yml']).not.toContain('sfu');

    const ownTurn = generate(inline(defineScenario({ duration: '20s', turn: { urls: ['turn:10.0.0.5:3478?transport=udp'], secret: 'their-secret' }, participants: { a: { count: 2 } } })), { shards: 1 });
    expect(ownTurn.coturn).toBe(false);
    expect(envOf(find(ownTurn, 'Deployment', 'sfu')!).SFU_TURN_URLS).toBe('turn:10.0.0.5:3478?transport=udp');
    expect(find(ownTurn, 'Secret', 'turn-secret')!.stringData).toEqual({ secret: 'their-secret' });
  });

  it('leave the SFU and coturn to each shard when participants have simulated networks, and say why', async () => {
    for (const file of ['scenarios/turn-fallback.scenario.ts', 'scenarios/lossy-network.scenario.ts']) {
      const run = generate(await plan(file), { shards: 2 });
      expect(run.sfu).toMatchObject({ kind: 'per-shard', reason: expect.stringContaining("needs the SFU's media addresses") });
      expect(run.coturn).toBe(false);
      expect(components(run).filter((c) => /sfu|coturn|turn-secret/.test(c))).toEqual([]);
      expect(shardContainer(run).command![2]).not.toContain('--target-url');
      expect(run.yaml).toContain('# Each shard starts its own SFU: ');
    }
    expect((generate(await plan('scenarios/lossy-network.scenario.ts'), { shards: 1 }).sfu as { reason: string }).reason).toMatch(/^good\[0\], roaming\[0\] have a simulated network/);
  });

  it('ask for one core per SFU worker', () => {
    const run = generate(inline(defineScenario({ duration: '20s', target: { sfu: 'bundled', workers: 2 }, participants: { a: { count: 2 } } })), { shards: 1 });
    const sfu = find(run, 'Deployment', 'sfu')!.spec!.template.spec!.containers[0]!;
    expect(sfu.resources!.requests!.cpu).toBe('2000m');
    expect(sfu.ports!.map((p) => p.name)).toEqual(['http', 'media-0-udp', 'media-0-tcp', 'media-1-udp', 'media-1-tcp']);
  });
});

describe('the compose stack and the cluster', () => {
  it('run the same images and SFU ports', () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, { image?: string; environment?: Record<string, string> }> };
    expect(compose.services.coturn!.image).toBe(COTURN_IMAGE);
    expect(compose.services.prometheus!.image).toBe(PROMETHEUS_IMAGE);
    expect(compose.services.pushgateway!.image).toBe(PUSHGATEWAY_IMAGE);
    expect(compose.services.sfu!.environment).toMatchObject({ SFU_PORT: String(SFU_HTTP_PORT), SFU_RTC_PORT: String(SFU_RTC_PORT) });
  });
});

describe('names and labels', () => {
  it('name every object <run id>-<part> and label it with the app and the run', async () => {
    const run = generate(inline(SHARED_TURN), { shards: 2, namespace: 'load' });
    for (const { value } of run.documents) {
      expect(value.metadata!.name).toMatch(/^test-run-[a-z-]+$/);
      expect(value.metadata!.namespace).toBe('load');
      expect(value.metadata!.labels).toMatchObject({ 'app.kubernetes.io/name': 'rtc-harness', 'app.kubernetes.io/instance': 'test-run' });
    }
    for (const kind of ['Job', 'Deployment'] as const) {
      for (const { value } of run.documents.filter((d) => d.value.kind === kind)) {
        expect((value as Job | Deployment).spec!.template.metadata!.labels).toEqual(value.metadata!.labels);
      }
    }
  });

  it('default the run id to the scenario and the time, fit for Kubernetes names', () => {
    expect(defaultRunId('smoke', new Date('2026-12-06T20:15:03.456Z'))).toBe('smoke-20261206-201503');
    expect(defaultRunId('Simulcast: Under Loss!', new Date('2026-12-06T20:15:03Z'))).toBe('simulcast-under-loss-20261206-201503');
    expect(defaultRunId('a-very-long-scenario-name-that-goes-on-and-on', new Date('2026-12-06T20:15:03Z'))).toHaveLength(40);
    expect(defaultRunId('42', new Date('2026-12-06T20:15:03Z'))).toBe('run-20261206-201503');
  });

  it('reject bad options with a line that says what to give', async () => {
    const p = await plan('scenarios/smoke.scenario.ts');
    expect(() => generate(p, { shards: 4 })).toThrow(ScenarioError);
    expect(() => generate(p, { shards: 4 })).toThrow('--shards must be a whole number from 1 to 3');
    expect(() => generate(p, { shards: 1, runId: 'Smoke_1' })).toThrow(/--run-id must be lowercase letters/);
    expect(() => generate(p, { shards: 1, storage: '5 GB' })).toThrow(/--storage must be a Kubernetes quantity/);
    expect(() => generate(p, { shards: 1, namespace: 'Load' })).toThrow(/--namespace must be lowercase/);
    expect(() => generate(p, { shards: 1, storageClass: 'nfs_client' })).toThrow(/--storage-class must be lowercase/);
    expect(() => generate(p, { shards: 1, storageClass: 'efs.csi.aws.com' })).not.toThrow();
    expect(() => generate({ ...p, file: '/elsewhere/x.scenario.ts' }, { shards: 1 })).toThrow(/must be inside the repository the image is built from/);
  });

  it('draw a fresh TURN secret when none is given', async () => {
    const p = inline(SHARED_TURN);
    const secret = (run: GeneratedRun) => find(run, 'Secret', 'turn-secret')!.stringData!.secret;
    const [a, b] = [generateManifests(p, { shards: 1, runId: 'r' }), generateManifests(p, { shards: 1, runId: 'r' })];
    expect(secret(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(secret(a)).not.toBe(secret(b));
  });
});
