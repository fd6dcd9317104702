// Which way a participant's media travels (its selected ICE candidate pairs) and how its TURN
// servers answered (candidate errors), as participant metrics. Pure.
//
// A local candidate is relayed when its type is 'relay', or when it carries a relayProtocol: a
// peer-reflexive candidate learned through a TURN allocation keeps the relay's protocol, and
// Chromium reports one whenever the SFU sees the relay under another address than the one it
// allocated (as it does behind the harness's simulated links).
import type { MetricName } from './catalogue.ts';
import type { RawSnapshot } from './raw.ts';
import type { MetricValues, PairInfo } from './types.ts';

/** The pair's local candidate reaches the SFU through a TURN server. */
export function isRelayed(pair: Pick<PairInfo, 'localType' | 'relayProtocol'>): boolean {
  return pair.localType === 'relay' || pair.relayProtocol !== undefined;
}

/** How media leaves the browser on its first hop: 'udp', 'tcp', or 'tls' (TURN over TLS). */
export function firstHop(pair: Pick<PairInfo, 'localType' | 'relayProtocol' | 'protocol'>): string | undefined {
  return isRelayed(pair) ? pair.relayProtocol : pair.protocol;
}

/** 'relay over tcp', 'direct udp', ... for reports. */
export function describePath(pair: Pick<PairInfo, 'localType' | 'relayProtocol' | 'protocol'>): string {
  const hop = firstHop(pair) ?? 'unknown transport';
  return isRelayed(pair) ? `relay over ${hop}` : `direct ${hop}`;
}

/** Candidate errors that concern a TURN server (a STUN-only server's errors allocate nothing). */
export function isTurnError(url: string): boolean {
  return /^turns?:/i.test(url);
}

/**
 * `ice_relay`, `ice_tcp`, `ice_tls` over the open connections' selected pairs (absent without
 * one), and `turn_allocation_failure_count_total` for a participant whose connections use TURN
 * servers (continuing from the previous sample's total).
 */
export function iceValues(pairs: readonly PairInfo[], cur: Pick<RawSnapshot, 'pcs' | 'candidateErrors'>, previous: MetricValues | undefined): MetricValues {
  const values: MetricValues = {};
  const every = (metric: MetricName, test: (p: PairInfo) => boolean) => {
    if (pairs.length > 0) values[metric] = pairs.every(test) ? 1 : 0;
  };
  every('ice_relay', isRelayed);
  every('ice_tcp', (p) => firstHop(p) === 'tcp' || firstHop(p) === 'tls');
  every('ice_tls', (p) => firstHop(p) === 'tls');
  const failures = (cur.candidateErrors ?? []).filter((e) => isTurnError(e.url)).length;
  const before = previous?.turn_allocation_failure_count_total;
  const usesTurn = cur.pcs.some((pc) => (pc.turnUrls ?? 0) > 0);
  if (usesTurn || before !== undefined || failures > 0) values.turn_allocation_failure_count_total = (before ?? 0) + failures;
  return values;
}
