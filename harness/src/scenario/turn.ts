// TURN in a scenario: which TURN server the run uses (the bundled coturn or the user's), how a
// group uses it (relay-only, a firewall that leaves only one way to it, expired credentials), and
// the timeline action that closes every other way mid-call. Shape (zod), relations between
// fields, and resolution to the plan, in one place.
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseTurnUrl, TURN_TRANSPORTS, type TurnTransport } from '../turn/routes.ts';
import type { ParticipantTurnPlan, TurnServerPlan } from '../turn/types.ts';
import { formatPath, formatValue } from './errors.ts';

export type { TurnTransport } from '../turn/routes.ts';

/** A TURN server of your own, in coturn's REST scheme (`use-auth-secret`). */
export interface ExternalTurnSpec {
  /** Its URLs, e.g. ['turn:10.0.0.5:3478?transport=udp', 'turn:10.0.0.5:3478?transport=tcp', 'turns:10.0.0.5:5349?transport=tcp']. */
  urls: string[];
  /** Its static-auth-secret: the SFU signs each participant's short-lived credentials with it. */
  secret: string;
  /**
   * Addresses it relays from, when they differ from where participants connect. Its traffic to
   * the SFU from these addresses does not cross the participants' simulated links. Default: none
   * (set it when participants have simulated networks).
   */
  relayIps?: string[];
}

/**
 * The run's TURN server: 'bundled' starts coturn on loopback for the run (a random secret, UDP
 * and TCP on one port, TLS on another with a certificate made for the run); an object names your
 * own; false runs without TURN. Default: 'bundled' when a group has `turn` or the timeline has a
 * `forceTurn`, else none. The bundled SFU hands every participant short-lived credentials.
 */
export type TurnSpec = 'bundled' | false | ExternalTurnSpec;

/** How a group uses TURN. */
export interface GroupTurnSpec {
  /** 'relay': the browser uses relay candidates only (iceTransportPolicy). Default 'all'. */
  policy?: 'all' | 'relay';
  /**
   * Leave the participant only this way out, through its simulated link: 'tcp' blocks UDP and
   * passes only TCP to the TURN port ("UDP blocked"), 'tls' passes only TURN over TLS (the "only
   * 443 open" network), 'udp' passes only the TURN port. The direct path to the SFU is closed in
   * each case. Default: nothing blocked.
   */
  transport?: TurnTransport;
  /** 'expired': the page holds TURN credentials that expired an hour ago. Default 'valid'. */
  credentials?: 'valid' | 'expired';
}

/** How a participant uses TURN, resolved: what the TURN module is asked for. */
export type PlannedParticipantTurn = ParticipantTurnPlan;

/** The run's TURN server, resolved. */
export type PlannedTurn = TurnServerPlan;

const must = (allowed: string) => ({ error: `must be ${allowed}` });
const transport = z.enum(TURN_TRANSPORTS as [TurnTransport, ...TurnTransport[]], must("'udp', 'tcp' or 'tls'"));

export const groupTurnSchema = z.strictObject(
  {
    policy: z.enum(['all', 'relay'], must("'all' or 'relay'")).optional(),
    transport: transport.optional(),
    credentials: z.enum(['valid', 'expired'], must("'valid' or 'expired'")).optional(),
  },
  must("an object like { transport: 'tcp' } or { policy: 'relay' }"),
);

export const turnSchema = z.union(
  [
    z.literal('bundled'),
    z.literal(false),
    z.strictObject({
      urls: z.array(z.string(must('a TURN URL')), must("a list of TURN URLs like ['turn:host:3478?transport=udp']")),
      secret: z.string(must("the server's static-auth-secret")),
      relayIps: z.array(z.string(must('an IP address'))).optional(),
    }),
  ],
  must("'bundled', false, or { urls: ['turn:host:3478?transport=udp', ...], secret: '...' }"),
);

export const forceTurnAction = { transport };

interface TurnScenarioFields {
  turn?: TurnSpec;
  target?: { url?: string };
  participants: Record<string, { turn?: GroupTurnSpec }>;
  timeline?: Array<{ do: string; transport?: TurnTransport }>;
}

/** Does anything in the scenario ask for TURN? */
export function scenarioUsesTurn(spec: TurnScenarioFields): boolean {
  return Object.values(spec.participants).some((g) => g.turn !== undefined) || (spec.timeline ?? []).some((a) => a.do === 'forceTurn');
}

/** Relations between the TURN fields and the rest; one line per problem. */
export function checkTurn(spec: TurnScenarioFields): string[] {
  const problems: string[] = [];
  const users = [
    ...Object.entries(spec.participants).filter(([, g]) => g.turn !== undefined).map(([name]) => formatPath(['participants', name, 'turn'])),
    ...(spec.timeline ?? []).flatMap((a, i) => (a.do === 'forceTurn' ? [formatPath(['timeline', i])] : [])),
  ];
  if (spec.turn === false && users.length > 0) {
    problems.push(`${users[0]} needs a TURN server, but turn is false: remove turn: false (the bundled coturn is started) or name your server`);
  }
  if (spec.target?.url !== undefined && (users.length > 0 || (spec.turn !== undefined && spec.turn !== false))) {
    problems.push(`turn needs the bundled SFU (it hands out the TURN credentials): remove target.url, or give your page its TURN servers yourself`);
  }
  const offered = new Set<TurnTransport>(TURN_TRANSPORTS);
  if (typeof spec.turn === 'object' && spec.turn !== null) {
    offered.clear();
    if (spec.turn.urls.length === 0) problems.push(`turn.urls must list at least one TURN URL, like 'turn:host:3478?transport=udp'`);
    spec.turn.urls.forEach((url, i) => {
      try {
        offered.add(parseTurnUrl(url).transport);
      } catch (err) {
        problems.push(`${formatPath(['turn', 'urls', i])}: ${(err as Error).message}`);
      }
    });
    if (spec.turn.secret === '') problems.push(`turn.secret must be the server's static-auth-secret, got ''`);
    (spec.turn.relayIps ?? []).forEach((ip, i) => {
      if (isIP(ip) === 0) problems.push(`${formatPath(['turn', 'relayIps', i])} must be an IP address, got ${formatValue(ip)}`);
    });
  }
  const needs = [
    ...Object.entries(spec.participants).map(([name, g]) => [formatPath(['participants', name, 'turn', 'transport']), g.turn?.transport] as const),
    ...(spec.timeline ?? []).map((a, i) => [formatPath(['timeline', i, 'transport']), a.do === 'forceTurn' ? a.transport : undefined] as const),
  ];
  for (const [path, t] of needs) {
    if (t !== undefined && !offered.has(t)) problems.push(`${path}: no TURN URL of the run offers ${t} (turn.urls offer: ${[...offered].join(', ') || 'none'})`);
  }
  return problems;
}

export function resolveTurn(spec: TurnScenarioFields): PlannedTurn | null {
  if (spec.turn === false) return null;
  if (spec.turn === 'bundled') return { kind: 'bundled' };
  if (spec.turn) return { kind: 'external', urls: [...spec.turn.urls], secret: spec.turn.secret, relayIps: [...(spec.turn.relayIps ?? [])] };
  return scenarioUsesTurn(spec) ? { kind: 'bundled' } : null;
}

export function resolveGroupTurn(turn: GroupTurnSpec | undefined): PlannedParticipantTurn | null {
  if (turn === undefined) return null;
  return { policy: turn.policy ?? 'all', transport: turn.transport ?? null, credentials: turn.credentials ?? 'valid' };
}
