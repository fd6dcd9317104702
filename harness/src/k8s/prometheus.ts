// Prometheus and a Pushgateway for the run: the shards push their metrics to the gateway (a
// shard's pod is gone before a scrape could reach it), Prometheus scrapes the gateway and the
// SFU. The scrape config is the compose stack's (dashboards/provisioning/prometheus/prometheus.yml)
// with the same job names as the embedded Prometheus, so the dashboards read it unchanged.
import { stringify } from 'yaml';
import { JOBS } from '../prometheus/embedded.ts';
import { deployment, metadata, type ManifestContext } from './context.ts';
import { SERVICE_REQUESTS } from './resources.ts';
import { SFU_HTTP_PORT } from './sfu.ts';
import type { ConfigMap, Deployment, Service } from './types.ts';

/** The images docker-compose.yml runs. */
export const PROMETHEUS_IMAGE = 'prom/prometheus:v2.42.0';
export const PUSHGATEWAY_IMAGE = 'prom/pushgateway:v1.5.1';
export const PROMETHEUS_PORT = 9090;
export const PUSHGATEWAY_PORT = 9091;
/** As in the compose stack: a shard pushes every 5 s. */
export const SCRAPE_INTERVAL = '5s';

export function pushgatewayUrl(ctx: ManifestContext): string {
  return `http://${ctx.names.of('pushgateway')}:${PUSHGATEWAY_PORT}`;
}

export function prometheusUrl(ctx: ManifestContext): string {
  return `http://${ctx.names.of('prometheus')}:${PROMETHEUS_PORT}`;
}

/** prometheus.yml (pure): the gateway with honor_labels (each push keeps its job/run/instance), the SFU when the run has one. */
export function prometheusConfig(ctx: ManifestContext, withSfu: boolean): object {
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: [
      ...(withSfu
        ? [
            {
              job_name: JOBS.sfu,
              // The run's labels, as the embedded Prometheus adds them: the SFU dashboard filters by run.
              static_configs: [{ targets: [`${ctx.names.of('sfu')}:${SFU_HTTP_PORT}`], labels: { run: ctx.options.runId, scenario: ctx.plan.name } }],
            },
          ]
        : []),
      { job_name: JOBS.pushgateway, honor_labels: true, static_configs: [{ targets: [`${ctx.names.of('pushgateway')}:${PUSHGATEWAY_PORT}`] }] },
      { job_name: 'prometheus', static_configs: [{ targets: [`localhost:${PROMETHEUS_PORT}`] }] },
    ],
  };
}

export function prometheusConfigMap(ctx: ManifestContext, withSfu: boolean): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(ctx, 'prometheus'), data: { 'prometheus.yml': stringify(prometheusConfig(ctx, withSfu)) } };
}

export function prometheusDeployment(ctx: ManifestContext): Deployment {
  const meta = metadata(ctx, 'prometheus');
  return deployment(meta, {
    containers: [
      {
        name: 'prometheus',
        image: PROMETHEUS_IMAGE,
        args: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--web.enable-lifecycle'],
        ports: [{ name: 'http', containerPort: PROMETHEUS_PORT, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/-/ready', port: 'http' }, periodSeconds: 5 },
        volumeMounts: [
          { name: 'config', mountPath: '/etc/prometheus', readOnly: true },
          { name: 'data', mountPath: '/prometheus' },
        ],
        resources: { requests: { ...SERVICE_REQUESTS.prometheus } },
      },
    ],
    // The run's history lives as long as the pod: query it (or federate it) before deleting the run.
    volumes: [
      { name: 'config', configMap: { name: ctx.names.of('prometheus') } },
      { name: 'data', emptyDir: {} },
    ],
  });
}

export function pushgatewayDeployment(ctx: ManifestContext): Deployment {
  const meta = metadata(ctx, 'pushgateway');
  return deployment(meta, {
    containers: [
      {
        name: 'pushgateway',
        image: PUSHGATEWAY_IMAGE,
        ports: [{ name: 'http', containerPort: PUSHGATEWAY_PORT, protocol: 'TCP' }],
        readinessProbe: { httpGet: { path: '/-/ready', port: 'http' }, periodSeconds: 5 },
        resources: { requests: { ...SERVICE_REQUESTS.pushgateway } },
      },
    ],
  });
}

export function prometheusService(ctx: ManifestContext): Service {
  return httpService(ctx, 'prometheus', PROMETHEUS_PORT);
}

export function pushgatewayService(ctx: ManifestContext): Service {
  return httpService(ctx, 'pushgateway', PUSHGATEWAY_PORT);
}

function httpService(ctx: ManifestContext, component: 'prometheus' | 'pushgateway', port: number): Service {
  const meta = metadata(ctx, component);
  return { apiVersion: 'v1', kind: 'Service', metadata: meta, spec: { selector: meta.labels, ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] } };
}
