// The vocabulary of simulated access links: what a user writes (LinkSettings, LinkProfile,
// LinkUpdate: every field optional, units in names) and what the link runs on once validated
// (Resolved*: every field present; LinkChange: a validated change). Validation, resolution and
// merging live in settings.ts; a link only ever takes resolved values.

/** up = browser -> target (SFU/TURN), down = target -> browser. */
export type Direction = 'up' | 'down';
export const DIRECTIONS: readonly Direction[] = ['up', 'down'];

export type Transport = 'udp' | 'tcp';

/**
 * Gilbert–Elliott bursty loss: a two-state Markov chain stepped once per packet. The long-run
 * loss is πbad·lossInBadPct + πgood·lossInGoodPct with πbad = pGoodToBad / (pGoodToBad + pBadToGood).
 */
export interface BurstLoss {
  /** Probability per packet (0..1, not percent) of moving from the good to the bad state. */
  pGoodToBad: number;
  /** Probability per packet (0..1, > 0) of leaving the bad state; mean burst = 1 / pBadToGood packets. */
  pBadToGood: number;
  /** Loss while in the bad state, percent. Default 100. */
  lossInBadPct?: number;
  /** Loss while in the good state, percent. Default 0. */
  lossInGoodPct?: number;
}

interface LinkSettingsBase {
  /** One-way propagation delay added to every packet, ms. Default 0. */
  delayMs?: number;
  /**
   * Standard deviation of the one-way delay around delayMs, ms: a normal variation that drifts
   * smoothly in time (see jitter.ts), the same at any packet rate. Default 0.
   */
  jitterMs?: number;
  /** How much each new jitter value keeps of the previous one, 0..1 (higher = slower drift). Default 0. */
  jitterCorrelation?: number;
  /** Independent random loss, percent. Default 0. Setting it removes burstLoss. */
  lossPct?: number;
  /** Bursty loss instead of lossPct; null removes it. Default none. Setting it sets lossPct to 0. */
  burstLoss?: BurstLoss | null;
  /** Bottleneck rate, kbit/s, counted on IP packets (payload + headers). 0 = unlimited. Default 0. */
  rateKbps?: number;
  /** Percent of UDP packets that skip the delay (and so overtake earlier ones). Default 0. */
  reorderPct?: number;
  /** Percent of UDP packets delivered twice. Default 0. */
  duplicatePct?: number;
}

/**
 * One direction of a link. The bottleneck queue is limited either in time (queueMs: drop-tail
 * once the backlog would wait longer) or in packets (queuePackets), never both.
 * Default queue: queueMs 200 (only matters when rateKbps > 0).
 */
export type LinkSettings = LinkSettingsBase &
  (
    | { /** Drop-tail limit of the bottleneck queue, ms of backlog. */ queueMs?: number; queuePackets?: never }
    | { /** Drop-tail limit of the bottleneck queue, packets waiting. */ queuePackets?: number; queueMs?: never }
  );

/** Access rules shared by both directions (used to force TURN/TCP fallback). */
export interface LinkAccess {
  /** Drop every UDP packet (TCP still passes). Default false. */
  blockUdp?: boolean;
  /** Only routes whose target port is listed pass; others drop UDP and refuse TCP. Default: all. */
  allowPorts?: number[] | null;
}

/** A named, asymmetric access network. `up` and `down` are merged onto the defaults. */
export interface LinkProfile extends LinkAccess {
  /** A short name for reports, e.g. 'lte'. Optional. */
  name?: string;
  /** One line saying what the profile stands for. Optional. */
  description?: string;
  /** Browser -> target. */
  up: LinkSettings;
  /** Target -> browser. */
  down: LinkSettings;
}

/**
 * A change to a running link, merged onto its current settings. Top-level settings fields apply
 * to both directions, then `up` / `down` apply to one; a full LinkProfile is a valid update.
 */
export type LinkUpdate = LinkSettings &
  LinkAccess & {
    up?: LinkSettings;
    down?: LinkSettings;
    /** Take the link down (both directions, everything dropped) for this long from now, ms. */
    outageMs?: number;
    /** Ignored (lets a preset profile be passed as an update). */
    name?: string;
    /** Ignored. */
    description?: string;
  };

export type QueueLimit = { unit: 'ms'; ms: number } | { unit: 'packets'; packets: number };

export interface ResolvedBurstLoss {
  pGoodToBad: number;
  pBadToGood: number;
  lossInBadPct: number;
  lossInGoodPct: number;
}

export interface ResolvedLinkSettings {
  delayMs: number;
  jitterMs: number;
  jitterCorrelation: number;
  lossPct: number;
  burstLoss: ResolvedBurstLoss | null;
  rateKbps: number;
  queue: QueueLimit;
  reorderPct: number;
  duplicatePct: number;
}

export interface ResolvedLinkProfile {
  name: string;
  up: ResolvedLinkSettings;
  down: ResolvedLinkSettings;
  blockUdp: boolean;
  allowPorts: readonly number[] | null;
}

/**
 * A validated change of one direction, in the resolved vocabulary: only the fields it sets. Random
 * loss (lossPct) and bursty loss replace each other when merged.
 */
export type ResolvedSettingsChange = Partial<ResolvedLinkSettings>;

/**
 * A validated change to a running link (resolveLinkUpdate() makes one from a LinkUpdate): `both`
 * merges into each direction first, then `up` / `down`. A complete profile resolves to a change
 * that sets every field, so applying it replaces whatever the link had.
 */
export interface LinkChange {
  both?: ResolvedSettingsChange;
  up?: ResolvedSettingsChange;
  down?: ResolvedSettingsChange;
  blockUdp?: boolean;
  allowPorts?: readonly number[] | null;
  /** The name the settings take (a profile's); absent: 'custom' once anything else changes. */
  name?: string;
  /** Take the link down (both directions, everything dropped) for this long from now, ms. */
  outageMs?: number;
}

/**
 * Per link and direction. Invariant: packetsIn + duplicated = packetsForwarded + droppedLoss +
 * droppedQueue + droppedBlocked + droppedOutage + droppedSendError + inFlight.
 */
export interface DirectionCounters {
  packetsIn: number;
  bytesIn: number;
  /** Datagrams/frames sent on, duplicate copies included. */
  packetsForwarded: number;
  bytesForwarded: number;
  droppedLoss: number;
  droppedQueue: number;
  droppedBlocked: number;
  droppedOutage: number;
  /** Packets whose destination was gone (session/connection closed) or whose send failed. */
  droppedSendError: number;
  duplicated: number;
  reordered: number;
  /** TCP frames hit by the loss model or held by an outage: delayed by a retransmission instead of dropped. */
  tcpRetransmits: number;
  /** Times a TCP source was paused because the bottleneck queue was full (backpressure). */
  tcpPauses: number;
  /** Packet copies accepted and waiting for their departure time. */
  inFlight: number;
  /** Bottleneck backlog a packet arriving now would wait, ms. */
  queueDelayMs: number;
  /** Sum and count of the bottleneck wait of every accepted packet (average = sum / count). */
  queueDelaySumMs: number;
  queueDelayCount: number;
}

export interface LinkCounters {
  up: DirectionCounters;
  down: DirectionCounters;
  udpSessions: number;
  tcpConnections: number;
}
