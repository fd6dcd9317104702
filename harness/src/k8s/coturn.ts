// The bundled TURN server for the cluster: coturn in a Deployment and a Service, configured as in
// docker-compose.yml (the same image and flags), with the shared secret in a Secret that the SFU
// reads too. coturn announces its pod IP as the relay address: the SFU and the browsers, all in
// the cluster, reach it there.
import { deployment, metadata, type ManifestContext } from './context.ts';
import { SERVICE_REQUESTS } from './resources.ts';
import type { Deployment, Secret, Service } from './types.ts';

/** The image docker-compose.yml runs. */
export const COTURN_IMAGE = 'coturn/coturn:4.6.2';
/** TURN and STUN, UDP and TCP. */
export const TURN_PORT = 3478;
/** Relay ports, docker-compose.yml's min-port..max-port. */
export const RELAY_PORTS = { min: 49160, max: 49200 } as const;

/** What the SFU hands each participant: TURN over UDP and TCP at the coturn Service. */
export function coturnUrls(ctx: ManifestContext): string[] {
  const host = ctx.names.of('coturn');
  return [`turn:${host}:${TURN_PORT}?transport=udp`, `turn:${host}:${TURN_PORT}?transport=tcp`];
}

/**
 * The TURN server's static-auth-secret, which the SFU signs participants' credentials with: the
 * bundled coturn's (from the options), or that of the scenario's own server; null: no TURN.
 */
export function turnSecret(ctx: ManifestContext): Secret | null {
  const turn = ctx.plan.turn;
  if (!turn) return null;
  const secret = turn.kind === 'bundled' ? ctx.options.turnSecret : turn.secret;
  return { apiVersion: 'v1', kind: 'Secret', metadata: metadata(ctx, 'turn-secret'), type: 'Opaque', stringData: { secret } };
}

/** The TURN URLs the SFU hands out: the bundled coturn's Service, or the scenario's own server's; empty: no TURN. */
export function sfuTurnUrls(ctx: ManifestContext): string[] {
  const turn = ctx.plan.turn;
  if (!turn) return [];
  return turn.kind === 'bundled' ? coturnUrls(ctx) : turn.urls;
}

export function coturnDeployment(ctx: ManifestContext): Deployment {
  const meta = metadata(ctx, 'coturn');
  return deployment(meta, {
    containers: [
      {
        name: 'coturn',
        image: COTURN_IMAGE,
        env: [
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'TURN_SECRET', valueFrom: { secretKeyRef: { name: ctx.names.of('turn-secret'), key: 'secret' } } },
        ],
        // Kubernetes expands $(POD_IP) and $(TURN_SECRET) from the variables above.
        args: [
          '-n',
          '--log-file=stdout',
          `--listening-port=${TURN_PORT}`,
          `--min-port=${RELAY_PORTS.min}`,
          `--max-port=${RELAY_PORTS.max}`,
          '--use-auth-secret',
          '--static-auth-secret=$(TURN_SECRET)',
          '--realm=rtc-harness',
          '--fingerprint',
          '--no-cli',
          '--no-tls',
          '--no-dtls',
          '--external-ip=$(POD_IP)',
        ],
        ports: [
          { name: 'turn-udp', containerPort: TURN_PORT, protocol: 'UDP' },
          { name: 'turn-tcp', containerPort: TURN_PORT, protocol: 'TCP' },
        ],
        readinessProbe: { tcpSocket: { port: 'turn-tcp' }, periodSeconds: 5 },
        resources: { requests: { ...SERVICE_REQUESTS.coturn } },
      },
    ],
  });
}

export function coturnService(ctx: ManifestContext): Service {
  const meta = metadata(ctx, 'coturn');
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta,
    spec: {
      selector: meta.labels,
      ports: [
        { name: 'turn-udp', port: TURN_PORT, targetPort: 'turn-udp', protocol: 'UDP' },
        { name: 'turn-tcp', port: TURN_PORT, targetPort: 'turn-tcp', protocol: 'TCP' },
      ],
    },
  };
}
