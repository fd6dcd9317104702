// The TURN server of a run, as the runner uses it: start the bundled coturn (or take the user's
// server), tell the SFU which URLs and secret to issue credentials for, give the links their
// TURN routes, translate a participant's TURN settings into link access rules and page
// overrides, and summarise what coturn did. stop() is the runner's teardown step.
import { join } from 'node:path';
import { createTurnCredentials, DEFAULT_TURN_TTL_SECONDS, type TurnOptions } from '../../../sfu/src/turn.ts';
import type { LinkChange } from '../network/types.ts';
import type { CoturnLogSummary, ParticipantTurnPlan, TurnPageOverrides, TurnServerPlan, TurnSummary } from './types.ts';
import { startCoturn, type Coturn, type CoturnExit } from './coturn.ts';
import { CoturnLogReader } from './log.ts';
import type { Point } from '../stats/types.ts';
import { forcedTurnAccess, turnRoutes, type TurnRoute, type TurnTransport } from './routes.ts';

export interface RunTurn {
  /** The URLs pages are given (before a link rewrites them). */
  readonly urls: string[];
  /** What startSfu's `turn` option takes: the SFU issues every joining peer credentials. */
  readonly sfu: TurnOptions;
  /** One link route per TURN address. */
  readonly routes: TurnRoute[];
  /** Addresses the relay sends to the SFU from: that leg is not a participant's access network. */
  readonly unshapedSources: string[];
  /**
   * The bundled server's self-signed TLS certificate (TURN over TLS), as the base64 SHA-256 of its
   * public key: the browsers accept that key and no other bad certificate. null: an external server.
   */
  readonly tlsSpkiSha256: string | null;
  /** Link access rules that leave only TURN over `transport`. */
  access(transport: TurnTransport): Required<Pick<LinkChange, 'blockUdp' | 'allowPorts'>>;
  /** What the page's agent must override for this participant; null: nothing. */
  overrides(participantId: string, turn: ParticipantTurnPlan | null | undefined): TurnPageOverrides | null;
  summary(): TurnSummary;
  /**
   * Requests the bundled coturn refused for credentials issued to these users (participant ids,
   * peer ids), by error code. Empty for an external server, whose log the harness cannot read.
   */
  refusals(users: readonly string[]): Record<string, number>;
  /**
   * `turn_allocation_refused_count_total` of each participant, from the bundled coturn's log (the
   * page cannot always tell: see ice-log.ts); nothing for an external server.
   */
  points(nowMs: number, participants: readonly { id: string; group: string; users: readonly string[] }[]): Point[];
  /** Resolves if the bundled coturn dies mid-run (killed, crashed); never for an external server or after stop(). */
  readonly died: Promise<CoturnExit>;
  /** Stops the bundled coturn (no-op for an external server). Idempotent. */
  stop(): Promise<void>;
}

export interface RunTurnOptions {
  /** The run's output folder: coturn.log goes there. */
  outDir: string;
  /** Participants in the run, for coturn's allocation quota. */
  participants: number;
  /** How long the run lasts, ms: the credentials the SFU hands out must outlive it. */
  durationMs: number;
}

/**
 * Lifetime of the TURN credentials the SFU hands out for a run of `durationMs`: the run plus the
 * SFU's default hour (joins, ICE restarts), so that a long run's allocations are never refused
 * half-way: coturn checks the credentials again on every refresh.
 */
export function turnTtlSeconds(durationMs: number): number {
  return Math.ceil(durationMs / 1000) + DEFAULT_TURN_TTL_SECONDS;
}

/** How long ago the credentials of a participant with `credentials: 'expired'` expired, seconds. */
export const EXPIRED_CREDENTIALS_AGE_SECONDS = 3600;

export async function startRunTurn(plan: TurnServerPlan, options: RunTurnOptions): Promise<RunTurn> {
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
  const reader = server ? new CoturnLogReader(server.logPath) : null;
  let death: CoturnExit | null = null;
  void server?.died.then((exit) => (death = exit));
  const refusals = (byUser: CoturnLogSummary['refusedByUser'], users: readonly string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [username, codes] of Object.entries(byUser)) {
      // REST usernames are `<expiry>:<user>`.
      if (!users.includes(username.slice(username.indexOf(':') + 1))) continue;
      for (const [code, count] of Object.entries(codes)) out[code] = (out[code] ?? 0) + count;
    }
    return out;
  };
  return {
    urls,
    sfu: { urls, secret, ttlSeconds: turnTtlSeconds(options.durationMs) },
    routes,
    unshapedSources,
    tlsSpkiSha256: server?.tlsSpkiSha256 ?? null,
    access: (transport) => forcedTurnAccess(routes, transport),
    overrides(participantId, turn) {
      if (!turn) return null;
      const out: TurnPageOverrides = {};
      if (turn.policy === 'relay') out.iceTransportPolicy = 'relay';
      if (turn.credentials === 'expired') {
        const { username, credential } = createTurnCredentials(secret, participantId, -EXPIRED_CREDENTIALS_AGE_SECONDS);
        out.turnCredentials = { username, credential };
      }
      return Object.keys(out).length > 0 ? out : null;
    },
    summary() {
      if (!reader) return { server: 'external', urls };
      const died = death ? { died: { atUnixMs: death.atMs, code: death.code, signal: death.signal } } : {};
      return { server: 'bundled', urls, logFile: 'coturn.log', coturn: reader.read(), ...died };
    },
    refusals: (users) => (reader ? refusals(reader.read().refusedByUser, users) : {}),
    points(nowMs, participants) {
      if (!reader) return [];
      const byUser = reader.read().refusedByUser;
      return participants.map((p) => ({
        metric: 'turn_allocation_refused_count_total' as const,
        value: Object.values(refusals(byUser, p.users)).reduce((a, b) => a + b, 0),
        t: nowMs,
        tags: { group: p.group, participant: p.id },
      }));
    },
    died: server?.died ?? new Promise<CoturnExit>(() => {}),
    stop: () => server?.stop() ?? Promise.resolve(),
  };
}
