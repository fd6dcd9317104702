// Rewriting of remote ICE candidates and ICE server URLs, so that a page's media can be steered
// through a relay of the harness (a simulated network link) without the page knowing: the agent
// applies it to remote SDP, to trickled candidates and to the RTCPeerConnection configuration,
// and hides the page's own direct candidates from its app (the server must not reach around the link).
// Pure string functions, no DOM: bundled into the page and unit-tested in Node.

/** `'host:port'` of a remote candidate or ICE server -> `'host:port'` to use instead. IPv6 as `[::1]:3478`. */
export type CandidateRewriteRules = Record<string, string>;

export interface HostPort {
  host: string;
  port: number;
}

/** Parsed rules, keyed by `hostKey(host, port)`. */
export type RewriteTable = ReadonlyMap<string, HostPort>;

const DEFAULT_ICE_PORT: Record<string, number> = { stun: 3478, turn: 3478, stuns: 5349, turns: 5349 };

function hostKey(host: string, port: number): string {
  return `${host.toLowerCase()}|${port}`;
}

/** Parses `'host:port'` (IPv6 in brackets); throws an error that names the bad entry. */
export function parseHostPort(text: string): HostPort {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new Error(`'${text}' is not host:port (write IPv6 addresses as [::1]:3478)`);
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Validates and indexes rules; an empty table means "rewrite nothing". */
export function parseRewriteRules(rules: CandidateRewriteRules | null | undefined): RewriteTable {
  const table = new Map<string, HostPort>();
  if (rules == null) return table;
  if (typeof rules !== 'object' || Array.isArray(rules)) {
    throw new Error("candidate rewrite rules must be an object like { '10.0.0.1:40000': '127.0.0.1:41000' }");
  }
  for (const [from, to] of Object.entries(rules)) {
    if (typeof to !== 'string') throw new Error(`candidate rewrite rule for '${from}' must be a 'host:port' string`);
    const src = parseHostPort(from);
    table.set(hostKey(src.host, src.port), parseHostPort(to));
  }
  return table;
}

/**
 * Rewrites one ICE candidate attribute, with or without its `a=` prefix:
 * `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...`.
 * The related address (raddr/rport) is left alone: it is informational.
 */
export function rewriteCandidate(candidate: string, table: RewriteTable): string {
  if (table.size === 0) return candidate;
  const fields = candidate.split(' ');
  const address = fields[4];
  const port = Number(fields[5]);
  if (fields.length < 8 || address === undefined || !Number.isInteger(port)) return candidate;
  const to = table.get(hostKey(address, port));
  if (!to) return candidate;
  fields[4] = to.host;
  fields[5] = String(to.port);
  return fields.join(' ');
}

/** Rewrites every `a=candidate:` line of an SDP, keeping its line endings. */
export function rewriteSdp(sdp: string, table: RewriteTable): string {
  if (table.size === 0) return sdp;
  return sdp.replace(/^a=candidate:[^\r\n]*/gm, (line) => rewriteCandidate(line, table));
}

/**
 * Whether a local candidate must stay hidden from the page's app when its media is steered
 * through a link: its host (and server-reflexive) addresses would let a full-ICE server check
 * them directly, find a peer-reflexive path around the link and use it (Janus does; an ICE-lite
 * server such as mediasoup never sends checks). Relay candidates stay: TURN paths cross the link.
 */
export function isDirectCandidate(candidate: string): boolean {
  return / typ (host|srflx)( |$)/.test(candidate);
}

/** Removes the direct candidates (isDirectCandidate) from an SDP's `a=candidate:` lines. */
export function stripDirectCandidates(sdp: string): string {
  return sdp.replace(/^a=candidate:[^\r\n]*(\r?\n|$)/gm, (line) => (isDirectCandidate(line.trimEnd()) ? '' : line));
}

/** Rewrites `turn:host:port?transport=udp` (and turns:, stun:, stuns:); a missing port is the scheme's default. */
export function rewriteIceUrl(url: string, table: RewriteTable): string {
  if (table.size === 0) return url;
  const m = /^(stuns?|turns?):(?:\[([0-9a-fA-F:.]+)\]|([^:?[\]]+))(?::(\d{1,5}))?(\?.*)?$/i.exec(url);
  if (!m) return url;
  const scheme = (m[1] as string).toLowerCase();
  const host = (m[2] ?? m[3]) as string;
  const port = m[4] ? Number(m[4]) : (DEFAULT_ICE_PORT[scheme] as number);
  const to = table.get(hostKey(host, port));
  if (!to) return url;
  return `${m[1]}:${formatHostPort(to)}${m[5] ?? ''}`;
}

/** The shape of RTCConfiguration this module touches, without DOM types. */
export interface IceConfigurationLike {
  iceServers?: Array<{ urls: string | string[]; username?: string; credential?: string }>;
}

/** A copy of the configuration with its ICE server URLs rewritten; other fields untouched. */
export function rewriteConfiguration<T extends IceConfigurationLike>(config: T, table: RewriteTable): T {
  if (table.size === 0 || !config || !Array.isArray(config.iceServers)) return config;
  return {
    ...config,
    iceServers: config.iceServers.map((server) => ({
      ...server,
      urls: Array.isArray(server.urls)
        ? server.urls.map((u) => rewriteIceUrl(u, table))
        : rewriteIceUrl(server.urls, table),
    })),
  };
}

/** Changes the harness makes to every RTCPeerConnection configuration of a page. */
export interface IceOverrides {
  /** 'relay' keeps only relay candidates (iceTransportPolicy), whatever the page asked. Default: the page's. */
  iceTransportPolicy?: 'all' | 'relay';
  /** Replaces the username and credential of every TURN server (e.g. with expired ones). Default: the page's. */
  turnCredentials?: { username: string; credential: string };
}

/** Validates overrides; null or {} means "change nothing". Throws an error that names the bad field. */
export function parseIceOverrides(overrides: IceOverrides | null | undefined): IceOverrides {
  if (overrides == null) return {};
  if (typeof overrides !== 'object' || Array.isArray(overrides)) throw new Error('ICE overrides must be an object like { iceTransportPolicy: "relay" }');
  const out: IceOverrides = {};
  const policy = overrides.iceTransportPolicy;
  if (policy !== undefined) {
    if (policy !== 'all' && policy !== 'relay') throw new Error(`iceTransportPolicy must be 'all' or 'relay', got ${JSON.stringify(policy)}`);
    out.iceTransportPolicy = policy;
  }
  const creds = overrides.turnCredentials;
  if (creds !== undefined) {
    if (!creds || typeof creds.username !== 'string' || typeof creds.credential !== 'string') {
      throw new Error('turnCredentials must be { username: string, credential: string }');
    }
    out.turnCredentials = { username: creds.username, credential: creds.credential };
  }
  return out;
}

function isTurnServer(server: { urls: string | string[] }): boolean {
  const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
  return urls.some((u) => typeof u === 'string' && /^turns?:/i.test(u));
}

/** A copy of the configuration with the overrides applied; the same object when there are none. */
export function applyIceOverrides<T extends IceConfigurationLike & { iceTransportPolicy?: string }>(config: T, overrides: IceOverrides): T {
  if (!overrides.iceTransportPolicy && !overrides.turnCredentials) return config;
  const out: T = { ...(config ?? ({} as T)) };
  if (overrides.iceTransportPolicy) out.iceTransportPolicy = overrides.iceTransportPolicy;
  const creds = overrides.turnCredentials;
  if (creds && Array.isArray(out.iceServers)) {
    out.iceServers = out.iceServers.map((server) => (isTurnServer(server) ? { ...server, ...creds } : server));
  }
  return out;
}

/** How many TURN URLs a configuration names (the agent reports it, so a page without TURN reports no TURN metrics). */
export function countTurnUrls(config: IceConfigurationLike | null | undefined): number {
  if (!config || !Array.isArray(config.iceServers)) return 0;
  return config.iceServers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls])).filter((u) => typeof u === 'string' && /^turns?:/i.test(u)).length;
}
