// The participants' simulated access links during a run: one link per participant that has a
// network (in its group or in a timeline action), pointed at every media port of the bundled SFU
// through one shared pipe. The runner asks this object for the candidate rewrite a page needs,
// applies timeline changes and replays traces, and turns the links' counters into ground-truth
// points each second. Every change is recorded with its time, for results.json.
import { createAccessLink, replayTrace, type AccessLink, type RouteTarget, type TraceReplay } from '../network/index.ts';
import type { DirectionCounters, LinkChange, LinkCounters, ResolvedLinkProfile } from '../network/types.ts';
import type { PlannedNetwork, PlannedTrace } from '../scenario/plan.ts';
import type { MetricName } from '../stats/catalogue.ts';
import type { Point } from '../stats/types.ts';
import type { NetworkChange } from '../results/schema.ts';

export interface LinkTarget {
  host: string;
  port: number;
}

/** More routes of every link (e.g. the TURN server's), beside the SFU's. */
export interface ExtraRoutes {
  /** `from` is the `host:port` the page is given; the agent rewrites it to the route. */
  routes: { name: string; from: string; target: RouteTarget }[];
  /** Server-side sources whose packets skip the link (a TURN relay's traffic to the SFU). */
  unshapedSources?: string[];
}

interface Entry {
  link: AccessLink;
  group: string;
  prev: LinkCounters | null;
  prevAtMs: number;
  /** The trace being replayed on the link, if any. */
  replay: TraceReplay | null;
  /** A group's trace, waiting for the run's clock to start. */
  pendingTrace: PlannedTrace | null;
}

function isTrace(spec: PlannedNetwork): spec is PlannedTrace {
  return 'trace' in spec;
}

export class ParticipantLinks {
  readonly #targets: LinkTarget[];
  readonly #seed: number;
  readonly #extra: ExtraRoutes | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #changes: NetworkChange[] = [];
  #startMs = Date.now();

  /** `targets`: every media address of the SFU (one per worker), reached through each link. */
  constructor(targets: LinkTarget[], seed: number, extra?: ExtraRoutes) {
    this.#targets = targets;
    this.#seed = seed;
    this.#extra = extra;
  }

  /** The run's clock starts: changes are recorded relative to it, and groups' traces start. */
  setStart(startMs: number): void {
    // Settings made while links were opened date from before the start: negative offsets.
    for (const change of this.#changes) change.atMs -= startMs - this.#startMs;
    this.#startMs = startMs;
    for (const [participant, entry] of this.#entries) {
      if (!entry.pendingTrace) continue;
      this.#startTrace(participant, entry, entry.pendingTrace);
      entry.pendingTrace = null;
    }
  }

  has(participantId: string): boolean {
    return this.#entries.has(participantId);
  }

  get changes(): readonly NetworkChange[] {
    return this.#changes;
  }

  /**
   * Opens a participant's link with its group's network; a trace waits for setStart(). `access`
   * (e.g. a firewall that leaves only TURN over TCP) applies on top of the network.
   */
  async create(participantId: string, group: string, spec: PlannedNetwork | null, access?: LinkChange): Promise<AccessLink> {
    const link = await createAccessLink({
      id: participantId,
      targets: {
        ...Object.fromEntries(this.#targets.map((t, i) => [`sfu${i}`, t])),
        ...Object.fromEntries((this.#extra?.routes ?? []).map((r) => [r.name, r.target])),
      },
      ...(this.#extra?.unshapedSources?.length ? { unshapedSources: this.#extra.unshapedSources } : {}),
      // Every participant's randomness is its own, and the same in every run with this seed.
      seed: `${this.#seed}:${participantId}`,
    });
    const trace = spec !== null && isTrace(spec) ? spec : null;
    try {
      if (spec !== null && !isTrace(spec)) link.set(spec);
      if (access) link.set(access);
    } catch (err) {
      await link.close();
      throw err;
    }
    this.#entries.set(participantId, { link, group, prev: null, prevAtMs: Date.now(), replay: null, pendingTrace: trace });
    this.#record(participantId, link, {});
    return link;
  }

  /** `host:port` of each SFU media address -> the link's address for it, for the page's agent. */
  rewriteRules(participantId: string): Record<string, string> {
    const entry = this.#entries.get(participantId);
    if (!entry) return {};
    return Object.fromEntries([
      ...this.#targets.map((t, i) => {
        const route = entry.link.routes[`sfu${i}`]!;
        return [`${t.host}:${t.port}`, `${route.host}:${route.port}`];
      }),
      ...(this.#extra?.routes ?? []).map((r) => {
        const route = entry.link.routes[r.name]!;
        return [r.from, `${route.host}:${route.port}`];
      }),
    ]);
  }

  /**
   * Applies a timeline change: settings merge into the link's (a profile's complete change
   * replaces them), a trace starts replaying now. Any trace still replaying on the link stops first.
   */
  apply(participantId: string, spec: PlannedNetwork): void {
    const entry = this.#entries.get(participantId);
    if (!entry) throw new Error(`${participantId} has no simulated link`);
    entry.replay?.stop();
    entry.replay = null;
    entry.pendingTrace = null;
    if (isTrace(spec)) {
      this.#startTrace(participantId, entry, spec);
      return;
    }
    entry.link.set(spec);
    this.#record(participantId, entry.link, spec.outageMs === undefined ? {} : { outageMs: spec.outageMs });
  }

  #startTrace(participantId: string, entry: Entry, planned: PlannedTrace): void {
    const source = planned.trace.source;
    const recorder = {
      set: (change: LinkChange) => {
        entry.link.set(change);
        this.#record(participantId, entry.link, { trace: source });
      },
    };
    entry.replay = replayTrace(recorder, planned.trace, {
      loop: planned.loop,
      // A parsed trace is valid; only a closed link refuses a point, and then nothing is left to shape.
      onError: () => entry.replay?.stop(),
    });
  }

  #record(participant: string, link: AccessLink, extra: Pick<NetworkChange, 'outageMs' | 'trace'>): void {
    this.#changes.push({ atMs: Date.now() - this.#startMs, participant, profile: link.profile(), ...extra });
  }

  counters(participantId: string): LinkCounters | null {
    return this.#entries.get(participantId)?.link.counters() ?? null;
  }

  profile(participantId: string): ResolvedLinkProfile | null {
    return this.#entries.get(participantId)?.link.profile() ?? null;
  }

  /** Ground-truth points since the previous call, one set per link. */
  sample(nowMs = Date.now()): Point[] {
    const points: Point[] = [];
    for (const [participant, entry] of this.#entries) {
      const cur = entry.link.counters();
      const dtMs = nowMs - entry.prevAtMs;
      const tags = { group: entry.group, participant };
      const add = (metric: MetricName, value: number | null) => {
        if (value !== null && Number.isFinite(value)) points.push({ metric, value, t: nowMs, tags });
      };
      add('link_up_dropped_packets_total', dropped(cur.up));
      add('link_down_dropped_packets_total', dropped(cur.down));
      if (entry.prev && dtMs > 0) {
        for (const [dir, c, p] of [['up', cur.up, entry.prev.up], ['down', cur.down, entry.prev.down]] as const) {
          add(`link_${dir}_bitrate_kbps`, ((c.bytesForwarded - p.bytesForwarded) * 8) / dtMs);
          const inPackets = c.packetsIn - p.packetsIn;
          add(`link_${dir}_loss_percent`, inPackets > 0 ? (100 * (dropped(c) - dropped(p))) / inPackets : null);
          const waits = c.queueDelayCount - p.queueDelayCount;
          add(`link_${dir}_queue_delay_ms`, waits > 0 ? (c.queueDelaySumMs - p.queueDelaySumMs) / waits : null);
        }
      }
      entry.prev = cur;
      entry.prevAtMs = nowMs;
    }
    return points;
  }

  async close(): Promise<void> {
    for (const entry of this.#entries.values()) entry.replay?.stop();
    await Promise.allSettled([...this.#entries.values()].map((e) => e.link.close()));
  }
}

function dropped(c: DirectionCounters): number {
  return c.droppedLoss + c.droppedQueue + c.droppedBlocked + c.droppedOutage;
}
