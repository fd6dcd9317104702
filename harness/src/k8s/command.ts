// `rtc-harness k8s <scenario> --shards N`: writes the Kubernetes manifests of a sharded run.
// Exit codes as for the other commands: 0 written, 1 bad input (the scenario or an option).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadScenario } from '../scenario/load.ts';
import { resolvePlan } from '../scenario/resolve.ts';
import { defaultManifestsPath, generateManifests, mergedCopyPath, waitForMergeCommand } from './generate.ts';
import { RunNames } from './names.ts';
import { DEFAULT_IMAGE, DEFAULT_STORAGE } from './options.ts';
import { MERGED_DIR } from './merge.ts';
import { CPU_MILLICORES_PER_PARTICIPANT, MEMORY_MIB_PER_PARTICIPANT, SHARD_BASE_CPU_MILLICORES, SHARD_BASE_MEMORY_MIB } from './resources.ts';

interface K8sFlags {
  shards: number;
  image: string;
  runId?: string;
  out?: string;
  storageClass?: string;
  storage: string;
  namespace?: string;
  set: string[];
  duration?: string;
  seed?: string;
}

const HELP = `
Writes one multi-document YAML file for a run of the scenario spread over N pods:
  - an Indexed Job of N pods; pod k runs
      rtc-harness run <scenario> --shard k+1/N --run-id <id> [--target-url <the SFU>] --out /results/shard-<k+1>/<id>
    once the services answer and every shard is ready (so the shards start together), and
    pushes its metrics to the run's Pushgateway; its CPU and memory requests grow with the
    participants of one shard (${CPU_MILLICORES_PER_PARTICIPANT}m and ${MEMORY_MIB_PER_PARTICIPANT}Mi each, plus ${SHARD_BASE_CPU_MILLICORES}m and ${SHARD_BASE_MEMORY_MIB}Mi: README's figures)
  - the bundled SFU (Deployment + Service) when the scenario calls it: every shard joins it with
    --target-url, so the shards are one call; coturn (Deployment + Service + Secret) when the
    scenario also uses the bundled TURN server
  - Prometheus (scraping the Pushgateway and the SFU) and a Pushgateway
  - a ReadWriteMany volume for /results (--storage-class picks a class that offers it)
  - a merge Job that waits until every shard has finished, then runs
      rtc-harness merge /results/shard-1/<id> ... /results/shard-N/<id> --out ${MERGED_DIR}
  - a small pod holding the volume, to copy the merged results out
Every object is named <id>-<part> and labelled app.kubernetes.io/name=rtc-harness,
app.kubernetes.io/instance=<id>.

A scenario with simulated networks (a group's network or turn, a network or forceTurn step) is
the exception: its links relay to the SFU's media addresses, which run cannot be given for a
running SFU on the command line yet (target.media). Each of its shards starts its own SFU (and
coturn), so each shard is a call of its own; the command says so.

The image: build it from this repository (its Dockerfile runs npm run setup) and push it where
the cluster pulls from; the scenario is read from the image, so build it from the checkout that
holds the scenario:
  $ docker build -t registry.example/rtc-harness:1 . && docker push registry.example/rtc-harness:1

Examples:
  $ rtc-harness k8s scenarios/smoke.scenario.ts --shards 2 --image registry.example/rtc-harness:1
  $ rtc-harness k8s big.scenario.ts --shards 10 --set viewers.count=200 --storage-class nfs-client --run-id big-1
  $ rtc-harness k8s scenarios/smoke.scenario.ts --shards 2 --out - | kubectl apply -f -

Then (the command prints these, and the file's header has them, with the run's names):
  $ kubectl apply -f ${defaultManifestsPath('<id>')}
  $ ${waitForMergeCommand('<id>-merge')}
  $ kubectl logs job/<id>-merge -c merge                                  # the merged summary
  $ kubectl cp <id>-fetch:${MERGED_DIR} ${mergedCopyPath('<id>')}    # results.json, reports
  $ kubectl delete -f ${defaultManifestsPath('<id>')}                # everything, the results volume too

The manifests hold the run's TURN secret when it has one: keep them out of version control (results/ is).

Needs Kubernetes 1.29 or later (the shards' backoffLimitPerIndex: a shard that fails is not re-run
and does not stop the others).`;

const positiveInteger = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(value);
};

/** Adds `k8s` to the program; the exit code of a successful run is passed to setExitCode. */
export function registerK8sCommand(program: Command, setExitCode: (code: number) => void): Command {
  return program
    .command('k8s')
    .description('write the Kubernetes manifests of a run spread over N pods (shards), with its SFU, Prometheus and the merge')
    .argument('<scenario>', 'path of a *.scenario.ts file, relative to the repository the image is built from')
    .requiredOption('-n, --shards <n>', 'pods to spread the participants over', positiveInteger)
    .option('--image <ref>', 'the harness image the pods run', DEFAULT_IMAGE)
    .option('--run-id <id>', "names and labels every object; each shard's --run-id (default: <scenario>-<yyyymmdd>-<hhmmss>, UTC)")
    .option('-o, --out <file>', "where to write the manifests; '-' for standard output (default: results/<run id>/manifests.yaml)")
    .option('--storage-class <name>', 'storage class of the results volume; it must offer ReadWriteMany (default: the cluster default)')
    .option('--storage <size>', 'size of the results volume', DEFAULT_STORAGE)
    .option('--namespace <name>', "namespace of every object (default: kubectl's current one)")
    .addOption(
      new Option('-s, --set <group.field=value>', 'override a group field, as for run; passed on to every shard (repeatable)')
        .argParser((v: string, prev: string[] = []) => [...prev, v])
        .default([]),
    )
    .option('-d, --duration <duration>', "override the scenario's duration, as for run; passed on to every shard")
    .option('--seed <n>', 'seed for every random choice, passed on to every shard')
    .addHelpText('after', HELP)
    .action(async (file: string, flags: K8sFlags) => {
      setExitCode(await k8sCommand(file, flags));
    });
}

async function k8sCommand(file: string, flags: K8sFlags): Promise<number> {
  const spec = await loadScenario(file);
  const plan = resolvePlan(spec, { file, duration: flags.duration, set: flags.set, seed: flags.seed });
  const run = generateManifests(
    plan,
    {
      shards: flags.shards,
      image: flags.image,
      storage: flags.storage,
      ...(flags.runId !== undefined && { runId: flags.runId }),
      ...(flags.storageClass !== undefined && { storageClass: flags.storageClass }),
      ...(flags.namespace !== undefined && { namespace: flags.namespace }),
    },
    { set: flags.set, ...(flags.duration !== undefined && { duration: flags.duration }), ...(flags.seed !== undefined && { seed: flags.seed }) },
  );
  const names = new RunNames(run.runId);
  const out = flags.out ?? defaultManifestsPath(run.runId);
  // With '-' the manifests go to standard output, for a pipe into kubectl; the summary to stderr.
  const tell = out === '-' ? process.stderr : process.stdout;
  if (out === '-') {
    process.stdout.write(run.yaml);
  } else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, run.yaml);
  }
  const parts = ['a results volume', ...(run.sfu.kind === 'shared' ? ['the SFU'] : []), ...(run.coturn ? ['coturn'] : []), 'Prometheus and a Pushgateway', 'a merge Job'];
  tell.write(
    [
      `${out === '-' ? 'manifests' : out}: run ${run.runId}, ${run.shards} shard${run.shards === 1 ? '' : 's'} of up to ${run.participantsPerShard} participant${run.participantsPerShard === 1 ? '' : 's'}; ${parts.join(', ')}`,
      ...(run.sfu.kind === 'per-shard' ? [`note: ${run.sfu.reason}`] : []),
      ...(out === '-'
        ? []
        : [
            `  kubectl apply -f ${out}`,
            `  ${waitForMergeCommand(names.of('merge'))}`,
            `  kubectl cp ${names.of('fetch')}:${MERGED_DIR} ${mergedCopyPath(run.runId)}`,
          ]),
      '',
    ].join('\n'),
  );
  return 0;
}
