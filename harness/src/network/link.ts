// A participant's simulated access link: a user-space UDP + TCP relay between its browser and
// one or more targets (the SFU, later the TURN server), shaped by one model per direction.
// Each route listens on one port number for both UDP and TCP, so a rewritten ICE candidate
// keeps the SFU's protocol and just swaps the address.
import { performance } from 'node:perf_hooks';
import { TypedEmitter } from '../util/events.ts';
import { LinkDirection } from './direction.ts';
import type { AccessRules } from './model.ts';
import { TCP_FRAMINGS } from './framing.ts';
import { createRandomStreams } from './random.ts';
import { applyLinkChange, NetworkConfigError, PERFECT_PROFILE } from './settings.ts';
import { TcpRoute, type TcpConnectionInfo } from './tcp.ts';
import type { LinkChange, LinkCounters, ResolvedLinkProfile } from './types.ts';
import { UdpRoute, type RouteTarget, type UdpSessionInfo } from './udp.ts';

export type { RouteTarget, TcpConnectionInfo, UdpSessionInfo };

export type AccessLinkOptions = {
  /** Names the link in events and errors and seeds its random streams, e.g. 'viewers[0]'. Required. */
  id: string;
  /** Address the browser listens on. Default '127.0.0.1'. */
  listenHost?: string;
  /** Initial settings, resolved (resolveLinkProfile). Default: a perfect link (nothing changed). */
  profile?: ResolvedLinkProfile;
  /** Seed of the loss/jitter/reorder/duplicate streams. Default: the id (runs repeat exactly). */
  seed?: number | string;
  /** A UDP session with no browser packet for this long is closed, ms. Default 60000. */
  sessionIdleMs?: number;
  /**
   * Source IPs whose UDP packets skip the model both ways and are not counted: server-side
   * traffic that reaches a route because the page's addresses were rewritten, e.g. a TURN
   * server's relay address sending to the SFU route (that leg is not the participant's access
   * network). Default: none.
   */
  unshapedSources?: readonly string[];
} & (
  | {
      /** The one target (e.g. the SFU's WebRtcServer); its route is named 'default'. */
      target: RouteTarget;
      /** Port for UDP and TCP. Default 0: a free port, the same number for both. */
      port?: number;
      targets?: never;
    }
  | {
      /** Several targets by route name (e.g. { sfu, turn }), one port each, one shared pipe. */
      targets: Record<string, RouteTarget>;
      target?: never;
      port?: never;
    }
);

export interface RouteAddress {
  name: string;
  target: RouteTarget;
  host: string;
  /** The browser-facing port, UDP and TCP (udpPort === tcpPort). */
  port: number;
  udpPort: number;
  tcpPort: number;
}

export interface AccessLinkEvents extends Record<string, unknown[]> {
  /** A new browser source address got its own upstream socket. */
  session: [UdpSessionInfo];
  sessionclose: [UdpSessionInfo & { reason: 'idle' | 'close' }];
  connection: [TcpConnectionInfo];
  connectionclose: [TcpConnectionInfo & { reason: 'closed' | 'blocked' | 'error' | 'link-closed'; error?: Error }];
  /** Settings changed (set or setProfile). */
  change: [ResolvedLinkProfile];
  outage: [{ durationMs: number; untilMs: number }];
  /** A socket error that did not close the link (e.g. the target refused a datagram). */
  error: [Error];
  close: [];
}

/** What the runner holds for one participant. */
export interface AccessLink {
  readonly id: string;
  readonly host: string;
  /** Port of the first route, UDP and TCP alike. */
  readonly port: number;
  readonly udpPort: number;
  readonly tcpPort: number;
  /** Every route by name ('default' when created with `target`). */
  readonly routes: Readonly<Record<string, RouteAddress>>;
  readonly closed: boolean;
  /** Current settings. */
  profile(): ResolvedLinkProfile;
  /** Merges a resolved change (resolveLinkUpdate); applies to packets arriving after it. */
  set(change: LinkChange): void;
  /** Replaces all settings with a resolved profile (resolveLinkProfile). */
  setProfile(profile: ResolvedLinkProfile): void;
  /** Drops everything in both directions for durationMs from now (TCP frames wait instead). */
  outage(durationMs: number): void;
  counters(): LinkCounters;
  /** UDP sessions of every route: browser address -> upstream port the target sees. */
  sessions(): UdpSessionInfo[];
  on<K extends keyof AccessLinkEvents & string>(event: K, listener: (...args: AccessLinkEvents[K]) => void): unknown;
  off<K extends keyof AccessLinkEvents & string>(event: K, listener: (...args: AccessLinkEvents[K]) => void): unknown;
  /** Closes every socket and drops packets in flight. Idempotent. */
  close(): Promise<void>;
}

interface Route {
  address: RouteAddress;
  udp: UdpRoute;
  tcp: TcpRoute;
}

function accessRules(profile: ResolvedLinkProfile): AccessRules {
  return { blockUdp: profile.blockUdp, allowPorts: profile.allowPorts ? new Set(profile.allowPorts) : null };
}

function checkTarget(target: unknown, where: string): RouteTarget {
  const t = target as Partial<RouteTarget> | undefined;
  if (!t || typeof t.host !== 'string' || t.host === '') throw new NetworkConfigError(`${where}.host`, 'must be a host name or IP address');
  if (typeof t.port !== 'number' || !Number.isInteger(t.port) || t.port < 1 || t.port > 65_535) {
    throw new NetworkConfigError(`${where}.port`, `must be a port 1..65535 (got ${String(t.port)})`);
  }
  if (t.framing !== undefined && !TCP_FRAMINGS.includes(t.framing)) {
    throw new NetworkConfigError(`${where}.framing`, `must be one of ${TCP_FRAMINGS.join(', ')} (got ${String(t.framing)})`);
  }
  return { host: t.host, port: t.port, ...(t.framing ? { framing: t.framing } : {}) };
}

/** How many free port numbers to try before giving up on one shared by UDP and TCP. */
const PORT_ATTEMPTS = 20;

class AccessLinkImpl extends TypedEmitter<AccessLinkEvents> implements AccessLink {
  readonly id: string;
  readonly host: string;
  readonly routes: Record<string, RouteAddress> = {};
  #profile: ResolvedLinkProfile;
  readonly #up: LinkDirection;
  readonly #down: LinkDirection;
  readonly #routes: Route[] = [];
  #closed = false;

  constructor(id: string, host: string, profile: ResolvedLinkProfile, seed: number | string) {
    super();
    this.id = id;
    this.host = host;
    this.#profile = profile;
    const access = accessRules(profile);
    this.#up = new LinkDirection(profile.up, access, createRandomStreams(seed, id, 'up'));
    this.#down = new LinkDirection(profile.down, access, createRandomStreams(seed, id, 'down'));
  }

  get port(): number {
    return this.#routes[0]?.address.port ?? 0;
  }
  get udpPort(): number {
    return this.port;
  }
  get tcpPort(): number {
    return this.port;
  }
  get closed(): boolean {
    return this.#closed;
  }

  async addRoute(name: string, target: RouteTarget, port: number, sessionIdleMs: number, unshapedSources?: ReadonlySet<string>): Promise<void> {
    const hooks = {
      session: (info: UdpSessionInfo) => this.emit('session', info),
      sessionClose: (info: UdpSessionInfo & { reason: 'idle' | 'close' }) => this.emit('sessionclose', info),
      connection: (info: TcpConnectionInfo) => this.emit('connection', info),
      connectionClose: (info: AccessLinkEvents['connectionclose'][0]) => this.emit('connectionclose', info),
      error: (error: Error) => this.emit('error', error),
    };
    const common = { name, listenHost: this.host, target, up: this.#up, down: this.#down, hooks };
    for (let attempt = 1; ; attempt++) {
      const udp = await UdpRoute.open({ ...common, port, sessionIdleMs, unshapedSources }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EADDRINUSE') throw error;
        throw new Error(`network[${this.id}]: UDP port ${port} on ${this.host} is in use: choose another port or pass 0 for a free one`, { cause: error });
      });
      try {
        const tcp = await TcpRoute.open({ ...common, port: udp.port });
        const address = { name, target, host: this.host, port: udp.port, udpPort: udp.port, tcpPort: tcp.port };
        this.#routes.push({ address, udp, tcp });
        this.routes[name] = address;
        return;
      } catch (error) {
        await udp.close();
        // The free UDP port may be taken for TCP; pick another unless the caller chose it.
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (inUse && port !== 0) {
          throw new Error(`network[${this.id}]: TCP port ${port} on ${this.host} is in use: choose another port or pass 0 for a free one`, { cause: error });
        }
        if (!inUse || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  }

  profile(): ResolvedLinkProfile {
    return this.#profile;
  }

  set(change: LinkChange): void {
    const { outageMs, ...settings } = change;
    if (Object.keys(settings).length > 0) this.#apply(applyLinkChange(this.#profile, settings));
    if (outageMs !== undefined) this.outage(outageMs);
  }

  setProfile(profile: ResolvedLinkProfile): void {
    this.#apply(profile);
  }

  outage(durationMs: number): void {
    const untilMs = performance.now() + durationMs;
    this.#up.setOutageUntil(untilMs);
    this.#down.setOutageUntil(untilMs);
    this.emit('outage', { durationMs, untilMs });
  }

  #apply(profile: ResolvedLinkProfile): void {
    if (this.#closed) return;
    this.#profile = profile;
    const access = accessRules(profile);
    this.#up.configure(profile.up, access);
    this.#down.configure(profile.down, access);
    for (const route of this.#routes) route.tcp.enforceAccess();
    this.emit('change', profile);
  }

  counters(): LinkCounters {
    let udpSessions = 0;
    let tcpConnections = 0;
    for (const route of this.#routes) {
      udpSessions += route.udp.sessionCount;
      tcpConnections += route.tcp.connectionCount;
    }
    return { up: this.#up.counters(), down: this.#down.counters(), udpSessions, tcpConnections };
  }

  sessions(): UdpSessionInfo[] {
    return this.#routes.flatMap((route) => route.udp.sessions());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#up.close();
    this.#down.close();
    await Promise.all(this.#routes.flatMap((route) => [route.udp.close(), route.tcp.close()]));
    this.emit('close');
    this.removeAllListeners();
  }
}

/**
 * Opens a link: checks the routes (their targets come from the servers started for the run),
 * binds one UDP + TCP port per route, and starts relaying. Throws NetworkConfigError for a bad
 * route; on a socket error everything bound so far is closed. Settings come resolved.
 */
export async function createAccessLink(options: AccessLinkOptions): Promise<AccessLink> {
  if (typeof options.id !== 'string' || options.id === '') throw new NetworkConfigError('id', 'must be a non-empty string (e.g. the participant name)');
  const where = `network[${options.id}]`;
  if (options.target && options.targets) throw new NetworkConfigError(`${where}.targets`, 'cannot be given with target: pass one or the other');
  const targets: Array<[string, RouteTarget]> = options.targets
    ? Object.entries(options.targets).map(([name, t]) => [name, checkTarget(t, `${where}.targets.${name}`)])
    : [['default', checkTarget(options.target, `${where}.target`)]];
  if (targets.length === 0) throw new NetworkConfigError(`${where}.targets`, 'must name at least one target');
  const profile = options.profile ?? PERFECT_PROFILE;
  const sessionIdleMs = options.sessionIdleMs ?? 60_000;
  if (!(sessionIdleMs >= 1_000)) throw new NetworkConfigError(`${where}.sessionIdleMs`, `must be ≥ 1000 (got ${sessionIdleMs})`);
  const link = new AccessLinkImpl(options.id, options.listenHost ?? '127.0.0.1', profile, options.seed ?? options.id);
  try {
    const unshaped = options.unshapedSources?.length ? new Set(options.unshapedSources) : undefined;
    for (const [name, target] of targets) await link.addRoute(name, target, options.port ?? 0, sessionIdleMs, unshaped);
  } catch (error) {
    await link.close();
    throw error;
  }
  return link;
}
