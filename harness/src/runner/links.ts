// The participants' simulated access links during a run: one link per participant that has a
// network (in its group or in a timeline action), pointed at every media port of the bundled SFU
// through one shared pipe. The runner asks this object for the candidate rewrite a page needs,
// applies timeline changes, and turns the links' counters into ground-truth points each second.
import { createAccessLink, getProfile, type AccessLink } from '../network/index.ts';
import type { DirectionCounters, LinkCounters, LinkUpdate, ResolvedLinkProfile } from '../network/types.ts';
import type { NetworkSpec } from '../scenario/types.ts';
import type { MetricName } from '../stats/catalogue.ts';
import type { Point } from '../stats/types.ts';

export interface LinkTarget {
  host: string;
  port: number;
}

export interface NetworkChange {
  /** When, ms from the run's start (negative: before it, the initial setting). */
  atMs: number;
  participant: string;
  profile: ResolvedLinkProfile;
}

interface Entry {
  link: AccessLink;
  group: string;
  prev: LinkCounters | null;
  prevAtMs: number;
}

/** A profile name replaces every setting; an object of settings merges into the current ones. */
function applySpec(link: AccessLink, spec: NetworkSpec): void {
  if (typeof spec === 'string') link.setProfile(getProfile(spec));
  else link.set(spec as LinkUpdate);
}

export class ParticipantLinks {
  readonly #targets: LinkTarget[];
  readonly #seed: number;
  readonly #entries = new Map<string, Entry>();
  readonly #changes: NetworkChange[] = [];
  #startMs = Date.now();

  /** `targets`: every media address of the SFU (one per worker), reached through each link. */
  constructor(targets: LinkTarget[], seed: number) {
    this.#targets = targets;
    this.#seed = seed;
  }

  /** The run's clock starts: changes are recorded relative to it. */
  setStart(startMs: number): void {
    this.#startMs = startMs;
  }

  has(participantId: string): boolean {
    return this.#entries.has(participantId);
  }

  get changes(): readonly NetworkChange[] {
    return this.#changes;
  }

  async create(participantId: string, group: string, spec: NetworkSpec | null): Promise<AccessLink> {
    const link = await createAccessLink({
      id: participantId,
      targets: Object.fromEntries(this.#targets.map((t, i) => [`sfu${i}`, t])),
      // Every participant's randomness is its own, and the same in every run with this seed.
      seed: `${this.#seed}:${participantId}`,
    });
    if (spec !== null) {
      try {
        applySpec(link, spec);
      } catch (err) {
        await link.close();
        throw err;
      }
    }
    this.#entries.set(participantId, { link, group, prev: null, prevAtMs: Date.now() });
    this.#changes.push({ atMs: Date.now() - this.#startMs, participant: participantId, profile: link.profile() });
    return link;
  }

  /** `host:port` of each SFU media address -> the link's address for it, for the page's agent. */
  rewriteRules(participantId: string): Record<string, string> {
    const entry = this.#entries.get(participantId);
    if (!entry) return {};
    return Object.fromEntries(
      this.#targets.map((t, i) => {
        const route = entry.link.routes[`sfu${i}`]!;
        return [`${t.host}:${t.port}`, `${route.host}:${route.port}`];
      }),
    );
  }

  /** Applies a timeline change: a profile name replaces the settings, an object merges into them. */
  apply(participantId: string, spec: NetworkSpec): void {
    const entry = this.#entries.get(participantId);
    if (!entry) throw new Error(`${participantId} has no simulated link`);
    applySpec(entry.link, spec);
    this.#changes.push({ atMs: Date.now() - this.#startMs, participant: participantId, profile: entry.link.profile() });
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
    await Promise.allSettled([...this.#entries.values()].map((e) => e.link.close()));
  }
}

function dropped(c: DirectionCounters): number {
  return c.droppedLoss + c.droppedQueue + c.droppedBlocked + c.droppedOutage;
}
