// The TURN server of a run, as the runner uses it: start the bundled coturn (or take the user's
// server), tell the SFU which URLs and secret to issue credentials for, give the links their
// TURN routes, translate a participant's TURN settings into link access rules and page
// overrides, and summarise what coturn did. stop() is the runner's teardown step.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createTurnCredentials, type TurnOptions } from '../../../sfu/src/turn.ts';
import type { IceOverrides } from '../browser/rewrite.ts';
import type { LinkUpdate } from '../network/types.ts';
import type { PlannedParticipantTurn, PlannedTurn } from '../scenario/turn.ts';
import { startCoturn, type Coturn } from './coturn.ts';
import { summarizeCoturnLog, type CoturnLogSummary } from './log.ts';
import { forcedTurnAccess, turnRoutes, type TurnRoute, type TurnTransport } from './routes.ts';

/** results.json's `turn`: the server the run used and, for the bundled one, what its log says. */
export interface TurnSummary {
  server: 'bundled' | 'external';
  urls: string[];
  /** The bundled coturn's log, in the output folder. */
  logFile?: string;
  /** From coturn's log; relayedBytes is complete once coturn has stopped (the final results.json). */
  coturn?: CoturnLogSummary;
}

export interface RunTurn {
  /** The URLs pages are given (before a link rewrites them). */
  readonly urls: string[];
  /** What startSfu's `turn` option takes: the SFU issues every joining peer credentials. */
  readonly sfu: TurnOptions;
  /** One link route per TURN address. */
  readonly routes: TurnRoute[];
  /** Addresses the relay sends to the SFU from: that leg is not a participant's access network. */
  readonly unshapedSources: string[];
  /** The browsers must accept the bundled server's self-signed certificate (TURN over TLS). */
  readonly selfSignedTls: boolean;
  /** Link access rules that leave only TURN over `transport`. */
  access(transport: TurnTransport): Required<Pick<LinkUpdate, 'blockUdp' | 'allowPorts'>>;
  /** What the page's agent must override for this participant; null: nothing. */
  overrides(participantId: string, turn: PlannedParticipantTurn | null | undefined): IceOverrides | null;
  summary(): TurnSummary;
  /** Stops the bundled coturn (no-op for an external server). Idempotent. */
  stop(): Promise<void>;
}

export interface RunTurnOptions {
  /** The run's output folder: coturn.log goes there. */
  outDir: string;
  /** Participants in the run, for coturn's allocation quota. */
  participants: number;
}

/** How long ago the credentials of a participant with `credentials: 'expired'` expired, seconds. */
export const EXPIRED_CREDENTIALS_AGE_SECONDS = 3600;

export async function startRunTurn(plan: PlannedTurn, options: RunTurnOptions): Promise<RunTurn> {
  let coturn: Coturn | null = null;
  let urls: string[];
  let secret: string;
  let unshapedSources: string[];
  if (plan.kind === 'bundled') {
    coturn = await startCoturn({
      logPath: join(options.outDir, 'coturn.log'),
      // Each participant holds two transports, each up to three allocations (UDP, TCP, TLS),
      // again after every ICE restart.
      totalQuota: Math.max(256, options.participants * 32),
    });
    urls = [coturn.urls.udp, coturn.urls.tcp, coturn.urls.tls];
    secret = coturn.secret;
    unshapedSources = [coturn.relayIp];
  } else {
    urls = [...plan.urls];
    secret = plan.secret;
    unshapedSources = [...plan.relayIps];
  }
  const routes = turnRoutes(urls);
  const server = coturn;
  return {
    urls,
    sfu: { urls, secret },
    routes,
    unshapedSources,
    selfSignedTls: server !== null,
    access: (transport) => forcedTurnAccess(routes, transport),
    overrides(participantId, turn) {
      if (!turn) return null;
      const out: IceOverrides = {};
      if (turn.policy === 'relay') out.iceTransportPolicy = 'relay';
      if (turn.credentials === 'expired') {
        const { username, credential } = createTurnCredentials(secret, participantId, -EXPIRED_CREDENTIALS_AGE_SECONDS);
        out.turnCredentials = { username, credential };
      }
      return Object.keys(out).length > 0 ? out : null;
    },
    summary() {
      if (!server) return { server: 'external', urls };
      let text = '';
      try {
        text = readFileSync(server.logPath, 'utf8');
      } catch {
        // No log yet: the summary says nothing happened.
      }
      return { server: 'bundled', urls, logFile: 'coturn.log', coturn: summarizeCoturnLog(text) };
    },
    stop: () => server?.stop() ?? Promise.resolve(),
  };
}
