// Who is in a scenario: participant ids ('viewers[0]'), what a `who` selector names, and when each
// participant joins. Shared by the checks (which report problems) and resolution (which trusts).

/** Group name -> participant count, in the order the scenario declares the groups. */
export type GroupCounts = ReadonlyMap<string, number>;

export function participantId(group: string, index: number): string {
  return `${group}[${index}]`;
}

export type WhoResult = { ok: true; ids: string[] } | { ok: false; problem: string };

/** 'all' -> everyone; 'viewers' -> the group; 'viewers[2]' -> one participant. */
export function resolveWho(who: string, groups: GroupCounts): WhoResult {
  if (who === 'all') {
    return { ok: true, ids: [...groups].flatMap(([g, n]) => groupIds(g, n)) };
  }
  const indexed = /^(.*)\[([^\]]*)\]$/.exec(who);
  const group = indexed ? indexed[1]! : who;
  const count = groups.get(group);
  if (count === undefined) {
    return { ok: false, problem: `unknown group '${group}' (groups: ${[...groups.keys()].join(', ')})` };
  }
  if (!indexed) return { ok: true, ids: groupIds(group, count) };
  const index = /^\d+$/.test(indexed[2]!) ? Number(indexed[2]) : NaN;
  if (!Number.isInteger(index) || index >= count) {
    const what = Number.isInteger(index) ? `${who} is out of range` : `${who} is not a participant`;
    return { ok: false, problem: `${what} (${describeGroup(group, count)})` };
  }
  return { ok: true, ids: [participantId(group, index)] };
}

/** 'viewers has 4 participants: viewers[0]..viewers[3]' */
export function describeGroup(group: string, count: number): string {
  return count === 1
    ? `${group} has 1 participant: ${participantId(group, 0)}`
    : `${group} has ${count} participants: ${participantId(group, 0)}..${participantId(group, count - 1)}`;
}

function groupIds(group: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => participantId(group, i));
}

/**
 * When participant `index` of `count` joins: spread evenly over [joinAtMs, joinAtMs + spreadMs),
 * one equal slot each, so the whole group has joined by the end of the spread.
 */
export function joinTimeMs(joinAtMs: number, spreadMs: number, index: number, count: number): number {
  return joinAtMs + Math.floor((index * spreadMs) / count);
}
