// What the TURN module is asked to run, resolved: the run's TURN server and how one participant
// uses it (the scenario produces these; its plan aliases them), and what it reports back for
// results.json (TurnSummary). Types only: results/ reads them without loading the TURN code.
import type { TurnTransport } from './routes.ts';

/** The run's TURN server: the bundled coturn, started for the run, or the user's own. */
export type TurnServerPlan = { kind: 'bundled' } | { kind: 'external'; urls: string[]; secret: string; relayIps: string[] };

/** How one participant uses TURN. */
export interface ParticipantTurnPlan {
  /** 'relay': the page keeps relay candidates only. */
  policy: 'all' | 'relay';
  /** The only way out its link leaves it; null: nothing blocked. */
  transport: TurnTransport | null;
  /** 'expired': the page holds credentials that expired an hour ago. */
  credentials: 'valid' | 'expired';
}

/**
 * What a participant's page must change in its ICE servers for its TURN settings. The page's
 * agent takes this as its ICE overrides (browser/rewrite.ts), which has the same fields.
 */
export interface TurnPageOverrides {
  iceTransportPolicy?: 'all' | 'relay';
  turnCredentials?: { username: string; credential: string };
}

/** results.json's `turn`: the server the run used and, for the bundled one, what its log says. */
export interface TurnSummary {
  server: 'bundled' | 'external';
  urls: string[];
  /** The bundled coturn's log, in the output folder. */
  logFile?: string;
  /** From coturn's log; relayedBytes is complete once coturn has stopped (the final results.json). */
  coturn?: CoturnLogSummary;
  /** The bundled coturn died mid-run (killed, crashed): when and how. Absent when it ran to the end. */
  died?: { atUnixMs: number; code: number | null; signal: string | null };
}

export interface CoturnLogSummary {
  /** Allocations granted. */
  allocations: number;
  /** Requests with credentials that coturn refused, by error code ('401': bad or expired credentials, '486': quota). */
  refused: Record<string, number>;
  /** The same by username (`<expiry>:<user>`), then error code. */
  refusedByUser: Record<string, Record<string, number>>;
  /** Payload bytes relayed to and from peers (the SFU), both directions, over the sessions that closed. */
  relayedBytes: number;
  /** Sessions closed. */
  sessions: number;
}
