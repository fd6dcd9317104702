// Per participant, the last selected candidate pairs and every TURN error its page reported, for
// results.json: which way its media went in the end (relay or direct, over UDP, TCP or TLS), how
// many bytes went through the relay, and why a participant that never connected did not.
import { describePath, isRelayed, isTurnError } from '../stats/ice.ts';
import type { PairInfo, Point } from '../stats/types.ts';
import type { CandidateErrorCount, ParticipantIce } from '../results/analyses.ts';
import type { Analyser, SampleInput } from './analyser.ts';

interface Entry {
  pairs: PairInfo[];
  errors: Map<string, CandidateErrorCount>;
}

export class IceLog implements Analyser {
  readonly name = 'ICE path';
  readonly #entries = new Map<string, Entry>();

  /** Derives no points: what it keeps goes to results.json. */
  onSample({ sample }: SampleInput): Point[] {
    let entry = this.#entries.get(sample.participant);
    if (sample.pairs?.length) {
      entry ??= this.#add(sample.participant);
      entry.pairs = sample.pairs;
    }
    for (const e of sample.candidateErrors ?? []) {
      entry ??= this.#add(sample.participant);
      const key = `${e.url} ${e.errorCode}`;
      const known = entry.errors.get(key);
      if (known) known.count++;
      else entry.errors.set(key, { url: e.url, errorCode: e.errorCode, errorText: e.errorText, count: 1 });
    }
    return [];
  }

  #add(participant: string): Entry {
    const entry: Entry = { pairs: [], errors: new Map() };
    this.#entries.set(participant, entry);
    return entry;
  }

  has(participant: string): boolean {
    return this.#entries.has(participant);
  }

  result(participant: string): ParticipantIce | null {
    const entry = this.#entries.get(participant);
    if (!entry) return null;
    const first = entry.pairs[0];
    const paths = new Set(entry.pairs.map(describePath));
    const relayed = entry.pairs.length > 0 && entry.pairs.every(isRelayed);
    return {
      path: first ? (paths.size === 1 ? describePath(first) : [...paths].join(' + ')) : null,
      relayed,
      localType: first?.localType ?? null,
      remoteType: first?.remoteType ?? null,
      protocol: first?.protocol ?? null,
      relayProtocol: first && isRelayed(first) ? (first.relayProtocol ?? null) : null,
      relayedBytes: entry.pairs.filter(isRelayed).reduce((n, p) => n + (p.bytesSent ?? 0) + (p.bytesReceived ?? 0), 0),
      pairs: entry.pairs,
      candidateErrors: [...entry.errors.values()],
    };
  }

  /**
   * Why a participant that joined never connected, in one line, from the TURN errors its page
   * reported and the refusals its TURN server logged for its credentials (`serverRefusals`: error
   * code -> count). Chromium reports a refused allocation to the page only once gathering ends,
   * which it never does after a 401, so the server's word is often the only one. undefined: no
   * TURN trouble seen.
   */
  failureReason(participant: string, serverRefusals: Record<string, number> = {}): string | undefined {
    const errors = [...(this.#entries.get(participant)?.errors.values() ?? [])].filter((e) => isTurnError(e.url));
    const refused = new Map<string, number>();
    for (const e of errors.filter((e) => e.errorCode >= 400 && e.errorCode < 700)) refused.set(String(e.errorCode), (refused.get(String(e.errorCode)) ?? 0) + e.count);
    for (const [code, count] of Object.entries(serverRefusals)) refused.set(code, Math.max(refused.get(code) ?? 0, count));
    if (refused.size > 0) {
      const codes = [...refused].map(([code, count]) => `${code}${REFUSAL_MEANING[code] ? ` ${REFUSAL_MEANING[code]}` : ''} ×${count}`).join(', ');
      return `ICE failed: TURN allocation refused (${codes})`;
    }
    const unreachable = errors.filter((e) => e.errorCode >= 700);
    if (unreachable.length > 0) {
      return `ICE failed: no TURN server reachable (${[...new Set(unreachable.map((e) => e.url))].join(', ')}) and no direct path`;
    }
    return undefined;
  }
}

const REFUSAL_MEANING: Record<string, string> = {
  '401': 'Unauthorized: expired or wrong credentials',
  '403': 'Forbidden: peer address denied',
  '437': 'Allocation Mismatch',
  '441': 'Wrong Credentials',
  '486': 'Allocation Quota Reached',
  '508': 'Insufficient Capacity',
};
