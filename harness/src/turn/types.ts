// What the TURN module is asked to run, resolved: the run's TURN server and how one participant
// uses it. The scenario produces these (its plan aliases them); turn/ only reads them.
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
