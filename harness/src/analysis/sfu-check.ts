// The bundled SFU's leak check at the end of a run, read from its Prometheus metrics (rtc_sfu_*).
// First, with everyone still in the call: the SFU must hold what the participants' pages account
// for (a peer and two transports per participant, its producers, and one consumer per producer of
// every other peer in its room), so a peer that left dozens of times and left something behind
// shows up even though its room is still open. Then every participant hangs up (the page's
// leave(), as a user would) and the SFU must hold nothing at all.
//
// A page that says it is no longer in its room, though the harness never asked it to leave, was
// dropped by the SFU (its socket closed, e.g. its worker died): it is not counted as expected, and
// is reported as dropped rather than as a leak.
import type { SfuCounts, SfuLeakCheck } from '../results/analyses.ts';

/** What the check needs of a participant on the bundled SFU: its reference page's state, and to hang up. */
export interface CallMember {
  readonly id: string;
  /** The reference page's control surface: 'state' says whether it is in its room, its producers and its last error. */
  invoke<T = unknown>(method: 'state'): Promise<T>;
  leave(): Promise<void>;
}

export interface InRoom {
  participant: CallMember;
  room: string;
}

export interface LeaveAndCountOptions {
  /** Longest wait for the SFU's counts to match the pages' before the leaves, ms. Default 2000. */
  matchTimeoutMs?: number;
  /** Longest wait for the leaves, and then for the SFU to empty, ms. Default 5000. */
  timeoutMs?: number;
  /** Time between two reads of the SFU's metrics, ms. Default 100. */
  pollMs?: number;
}

const KEYS = ['rooms', 'peers', 'transports', 'producers', 'consumers'] as const;

/** The counts in the SFU's /metrics text: each rtc_sfu_<key> summed over its labels. */
export function parseSfuCounts(metricsText: string): SfuCounts {
  const counts: SfuCounts = { rooms: 0, peers: 0, transports: 0, producers: 0, consumers: 0 };
  for (const line of metricsText.split('\n')) {
    const m = /^rtc_sfu_(rooms|peers|transports|producers|consumers)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m) counts[m[1] as keyof SfuCounts] += Number(m[2]);
  }
  return counts;
}

/**
 * What the SFU should hold for these participants, from their producer counts: a peer and two
 * transports each, their producers, and in each room every peer consuming every other's producers.
 */
export function expectedCounts(inRoom: readonly { room: string; producers: number }[]): SfuCounts {
  const rooms = new Map<string, { peers: number; producers: number }>();
  for (const p of inRoom) {
    const r = rooms.get(p.room) ?? { peers: 0, producers: 0 };
    r.peers++;
    r.producers += p.producers;
    rooms.set(p.room, r);
  }
  let consumers = 0;
  for (const p of inRoom) consumers += rooms.get(p.room)!.producers - p.producers;
  const producers = inRoom.reduce((n, p) => n + p.producers, 0);
  return { rooms: rooms.size, peers: inRoom.length, transports: 2 * inRoom.length, producers, consumers };
}

/** Checks the counts with everyone in, makes `joined` leave, then checks that the SFU is empty. */
export async function leaveAndCount(joined: readonly InRoom[], readMetrics: () => Promise<string>, options: LeaveAndCountOptions = {}): Promise<SfuLeakCheck> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const pollMs = options.pollMs ?? 100;
  const read = async () => parseSfuCounts(await readMetrics());
  const pages = await Promise.all(
    joined.map(async ({ participant, room }) => {
      const state = await participant.invoke<{ joined?: unknown; producers?: unknown[]; lastError?: { message?: unknown } | null }>('state').catch(() => undefined);
      return {
        participant,
        room,
        producers: Array.isArray(state?.producers) ? state.producers.length : 0,
        // Only a page that says so is out of its room: one that cannot answer is counted as in.
        inRoom: state?.joined !== false,
        lastError: typeof state?.lastError?.message === 'string' ? state.lastError.message : null,
      };
    }),
  );
  const inRoom = pages.filter((p) => p.inRoom);
  const dropped = pages.filter((p) => !p.inRoom).map((p) => ({ id: p.participant.id, reason: p.lastError ?? 'the page is no longer in its room' }));
  const expected = expectedCounts(inRoom);
  // Consumers are created a moment after a producer: wait (bounded) for the SFU to catch up.
  const before = await until(read, (c) => same(c, expected), options.matchTimeoutMs ?? 2000, pollMs);

  const startedMs = Date.now();
  // A page that cannot leave (crashed, stuck) is not waited for past the timeout: its socket
  // closes with the browser, which the SFU handles as a disconnect.
  await Promise.race([Promise.allSettled(inRoom.map(({ participant }) => participant.leave())), sleep(timeoutMs)]);
  const after = await until(read, (c) => total(c) === 0, timeoutMs, pollMs);
  return {
    beforeLeave: { counts: before, expected },
    afterLeave: after,
    leftAtEnd: inRoom.length,
    dropped,
    settledMs: Date.now() - startedMs,
    leaked: !same(before, expected) || total(after) > 0,
  };
}

/** leaveAndCount for the end of a run: a leak or a failure to read the SFU is logged, never thrown. */
export async function checkSfuAtEnd(
  joined: readonly InRoom[],
  readMetrics: () => Promise<string>,
  log: (level: 'warn', message: string) => void,
): Promise<SfuLeakCheck | undefined> {
  try {
    const check = await leaveAndCount(joined, readMetrics);
    const { beforeLeave: before, afterLeave: after } = check;
    if (check.leaked) {
      log('warn', `SFU leak check: it held ${describeCounts(before.counts)} for pages that account for ${describeCounts(before.expected)}, and ${describeCounts(after)} after every participant left`);
    }
    return check;
  } catch (err) {
    log('warn', `the SFU leak check could not read the SFU's metrics: ${(err as Error).message}`);
    return undefined;
  }
}

/** '2 transports, 1 consumer' for a log line; 'nothing' when all are 0. */
export function describeCounts(c: SfuCounts): string {
  const parts = KEYS.filter((k) => c[k] > 0).map((k) => `${c[k]} ${c[k] === 1 ? k.slice(0, -1) : k}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

async function until(read: () => Promise<SfuCounts>, done: (c: SfuCounts) => boolean, timeoutMs: number, pollMs: number): Promise<SfuCounts> {
  const deadline = Date.now() + timeoutMs;
  let counts = await read();
  while (!done(counts) && Date.now() < deadline) {
    await sleep(pollMs);
    counts = await read();
  }
  return counts;
}

function same(a: SfuCounts, b: SfuCounts): boolean {
  return KEYS.every((k) => a[k] === b[k]);
}

function total(c: SfuCounts): number {
  return KEYS.reduce((n, k) => n + c[k], 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
