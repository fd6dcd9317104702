// The bundled SFU as a standalone server (sfu/src/main.ts, `npm run sfu`): one Deployment, one
// Service. Media goes straight to the pod: the SFU announces its pod IP in its ICE candidates
// (browsers in the cluster reach pod IPs), so the Service's media ports only name them.
import { sfuTurnUrls } from './coturn.ts';
import { deployment, metadata, type ManifestContext } from './context.ts';
import { sfuResources } from './resources.ts';
import type { Deployment, EnvVar, Service } from './types.ts';

/** HTTP and WebSocket port: call page at /, signaling at /ws, /metrics, /healthz (sfu/src/main.ts's default). */
export const SFU_HTTP_PORT = 3000;
/** Media port of worker 0, UDP and TCP; worker i uses SFU_RTC_PORT + i (sfu/src/main.ts's default). */
export const SFU_RTC_PORT = 40000;

/** Workers of the run's SFU: the scenario's target.workers. */
export function sfuWorkers(ctx: ManifestContext): number {
  return ctx.plan.target.kind === 'bundled' ? ctx.plan.target.workers : 0;
}

/** The SFU's address inside the cluster: http://<id>-sfu:3000. */
export function sfuUrl(ctx: ManifestContext): string {
  return `http://${ctx.names.of('sfu')}:${SFU_HTTP_PORT}`;
}

export function sfuDeployment(ctx: ManifestContext): Deployment {
  const workers = sfuWorkers(ctx);
  const env: EnvVar[] = [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'SFU_PORT', value: String(SFU_HTTP_PORT) },
    { name: 'SFU_RTC_PORT', value: String(SFU_RTC_PORT) },
    { name: 'SFU_WORKERS', value: String(workers) },
    { name: 'SFU_LISTEN_IP', value: '0.0.0.0' },
    // Kubernetes expands $(POD_IP) from the variable above.
    { name: 'SFU_ANNOUNCED_ADDRESS', value: '$(POD_IP)' },
    { name: 'SFU_LOG_LEVEL', value: 'info' },
    // The shards join without room tokens, over the cluster network only (the Service is not
    // exposed); the SFU refuses a non-loopback address without a token secret unless told so.
    { name: 'SFU_ALLOW_ANONYMOUS_JOINS', value: '1' },
    // Shards and Prometheus name the SFU by its Service; the SFU answers only to names it knows.
    { name: 'SFU_ALLOWED_HOSTS', value: ctx.names.of('sfu') },
  ];
  const turnUrls = sfuTurnUrls(ctx);
  if (turnUrls.length > 0) {
    env.push(
      { name: 'SFU_TURN_URLS', value: turnUrls.join(',') },
      { name: 'SFU_TURN_SECRET', valueFrom: { secretKeyRef: { name: ctx.names.of('turn-secret'), key: 'secret' } } },
    );
  }
  const meta = metadata(ctx, 'sfu');
  return deployment(meta, {
    containers: [
      {
        name: 'sfu',
        image: ctx.options.image,
        command: ['node', '--import', 'tsx', 'sfu/src/main.ts'],
        env,
        ports: [
          { name: 'http', containerPort: SFU_HTTP_PORT, protocol: 'TCP' },
          ...mediaPorts(workers).map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
        ],
        // Readiness only, and patient: a restart by a liveness probe that timed out under load
        // would end every call of the run.
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, timeoutSeconds: 5 },
        resources: sfuResources(workers),
      },
    ],
  });
}

export function sfuService(ctx: ManifestContext): Service {
  const meta = metadata(ctx, 'sfu');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: {
      selector: meta.labels,
      ports: [
        { name: 'http', port: SFU_HTTP_PORT, targetPort: 'http', protocol: 'TCP' },
        ...mediaPorts(sfuWorkers(ctx)).map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
      ],
    },
  };
}

/** Worker i's media port, UDP and TCP, named for the Service ('media-0-udp'; at most 15 characters). */
function mediaPorts(workers: number): { name: string; port: number; protocol: 'UDP' | 'TCP' }[] {
  return Array.from({ length: workers }, (_, i) =>
    (['UDP', 'TCP'] as const).map((protocol) => ({ name: `media-${i}-${protocol.toLowerCase()}`, port: SFU_RTC_PORT + i, protocol })),
  ).flat();
}
