// How TURN servers enter a participant's simulated link. Each TURN address (host:port) becomes a
// route of the link, and the page dials the route instead of the server (its agent rewrites the
// TURN URLs), so TURN traffic crosses the participant's access network like its media would.
// A transport to force ('tcp': UDP blocked, only TCP to the TURN port passes) becomes the link's
// access rules. Pure functions.
import type { LinkChange } from '../network/types.ts';
import type { RouteTarget } from '../network/link.ts';

/** How a page reaches its TURN server: TURN over UDP, over TCP, or over TLS. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';
export const TURN_TRANSPORTS: readonly TurnTransport[] = ['udp', 'tcp', 'tls'];

export interface TurnUrl {
  url: string;
  host: string;
  port: number;
  transport: TurnTransport;
}

export interface TurnRoute {
  /** Route name in the link: 'turn0', 'turn1', ... */
  name: string;
  /** `host:port` as the URLs name it: the rewrite rule's key. */
  from: string;
  target: RouteTarget;
  transports: TurnTransport[];
}

const DEFAULT_PORT = { turn: 3478, turns: 5349 } as const;

/**
 * Parses `turn:host[:port][?transport=udp|tcp]` and `turns:host[:port][?transport=tcp]` (RFC 7065;
 * no transport means UDP for turn:, TCP for turns:). Throws an error naming the URL.
 */
export function parseTurnUrl(url: string): TurnUrl {
  const m = /^(turns?):(?:\[([0-9a-fA-F:.]+)\]|([^:?[\]/]+))(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i.exec(url);
  if (!m) throw new Error(`'${url}' is not a TURN URL like 'turn:127.0.0.1:3478?transport=tcp' or 'turns:host:5349?transport=tcp'`);
  const scheme = (m[1] as string).toLowerCase() as 'turn' | 'turns';
  const host = (m[2] ?? m[3]) as string;
  const port = m[4] ? Number(m[4]) : DEFAULT_PORT[scheme];
  if (port < 1 || port > 65_535) throw new Error(`'${url}': port must be 1..65535`);
  const given = m[5]?.toLowerCase();
  if (scheme === 'turns' && given === 'udp') throw new Error(`'${url}': TURN over TLS runs on TCP (write ?transport=tcp)`);
  const transport: TurnTransport = scheme === 'turns' ? 'tls' : given === 'tcp' ? 'tcp' : 'udp';
  return { url, host, port, transport };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One link route per TURN address; a TLS address and a plain one cannot share a port. */
export function turnRoutes(urls: readonly string[]): TurnRoute[] {
  const routes = new Map<string, TurnRoute>();
  for (const parsed of urls.map(parseTurnUrl)) {
    const from = hostPort(parsed.host, parsed.port);
    const framing = parsed.transport === 'tls' ? 'tls' : 'stun';
    const existing = routes.get(from);
    if (existing) {
      if (existing.target.framing !== framing) {
        throw new Error(`TURN URL '${parsed.url}': ${from} is also named with another scheme; plain TURN and TURN over TLS need separate ports`);
      }
      if (!existing.transports.includes(parsed.transport)) existing.transports.push(parsed.transport);
      continue;
    }
    routes.set(from, {
      name: `turn${routes.size}`,
      from,
      target: { host: parsed.host, port: parsed.port, framing },
      transports: [parsed.transport],
    });
  }
  return [...routes.values()];
}

/**
 * The link's access rules that leave a participant only TURN over `transport`: 'udp' only the
 * TURN ports (UDP and TCP), 'tcp' UDP blocked and only TCP to the TURN ports, 'tls' UDP blocked
 * and only the TURN-over-TLS ports (the "only 443 open" network). The direct path to the SFU is
 * closed in every case.
 */
export function forcedTurnAccess(routes: readonly TurnRoute[], transport: TurnTransport): Required<Pick<LinkChange, 'blockUdp' | 'allowPorts'>> {
  const ports = routes.filter((r) => r.transports.includes(transport)).map((r) => r.target.port);
  if (ports.length === 0) {
    const have = [...new Set(routes.flatMap((r) => r.transports))].join(', ') || 'none';
    throw new Error(`no TURN server is reachable over ${transport} (the run's TURN URLs offer: ${have})`);
  }
  return { blockUdp: transport !== 'udp', allowPorts: [...new Set(ports)] };
}
