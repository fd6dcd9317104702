// What coturn's verbose log says about a run: allocations made and refused, and the bytes it
// relayed. Pure: the text comes in. Lines it reads (coturn 4.6, `simple-log` + `verbose`):
//
//   session 000000000000000003: realm <r> user <1795692097:peer>: incoming packet ALLOCATE processed, success
//   session 000000000000000001: realm <r> user <1795688107:peer>: incoming packet message processed, error 401: Unauthorized
//   session 000000000000000005: peer usage: realm=<r>, username=<...>, rp=27, rb=2274, sp=222, sb=99588
//
// A 401 for user <> is the normal first challenge of every allocation and is not a refusal.
// Usage lines are written when a session closes, so the byte count is complete once every
// client has gone (the run stops coturn after the browsers).

export interface CoturnLogSummary {
  /** Allocations granted. */
  allocations: number;
  /** Requests with credentials that coturn refused, by error code ('401': bad or expired credentials, '486': quota). */
  refused: Record<string, number>;
  /** Payload bytes relayed to and from peers (the SFU), both directions, over the sessions that closed. */
  relayedBytes: number;
  /** Sessions closed. */
  sessions: number;
}

const ALLOCATED = /ALLOCATE processed, success/;
const REFUSED = /user <([^>]*)>: incoming packet \S+ processed, error (\d{3})/;
const PEER_USAGE = /peer usage: .*\brb=(\d+), .*\bsb=(\d+)/;
const CLOSED = /closed \(2nd stage\)/;

export function summarizeCoturnLog(text: string): CoturnLogSummary {
  const summary: CoturnLogSummary = { allocations: 0, refused: {}, relayedBytes: 0, sessions: 0 };
  for (const line of text.split('\n')) {
    if (ALLOCATED.test(line)) {
      summary.allocations++;
      continue;
    }
    const refused = REFUSED.exec(line);
    if (refused) {
      if (refused[1] !== '') {
        const code = refused[2] as string;
        summary.refused[code] = (summary.refused[code] ?? 0) + 1;
      }
      continue;
    }
    const usage = PEER_USAGE.exec(line);
    if (usage) {
      summary.relayedBytes += Number(usage[1]) + Number(usage[2]);
      continue;
    }
    if (CLOSED.test(line)) summary.sessions++;
  }
  return summary;
}
