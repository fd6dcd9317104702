// Which `Host` and `Origin` headers the SFU answers. Host: a web page on another site can make a
// browser send requests to a loopback or LAN server through a DNS name it controls (DNS
// rebinding); checking Host against the names the SFU is known by stops that. Origin: a browser
// lets any site open a WebSocket to any server, with the visitor's network position; only pages
// from the SFU's own origin (or the configured ones) may open signaling. Clients that send no
// Origin (Node, k6, curl) are not browsers and are not subject to it.
import { isIP } from 'node:net';

export interface HostPolicy {
  /** Host names (lower case, IPv6 in brackets, no port) requests may name; '*' admits any. */
  readonly hosts: ReadonlySet<string>;
  /** Origins (scheme://host[:port]) whose pages may open signaling besides the SFU's own; '*' admits any. */
  readonly origins: ReadonlySet<string>;
}

/** The host names every SFU answers to: it is always reachable over loopback. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

function hostName(address: string): string {
  return isIP(address) === 6 ? `[${address.toLowerCase()}]` : address.toLowerCase();
}

/** The host part of a Host header value (`name`, `name:port`, `[v6]:port`), or undefined if it is not one. */
export function hostOfHeader(header: string): string | undefined {
  if (header.length === 0 || header.length > 255 || /[\s/?#@\\]/.test(header)) return undefined;
  try {
    const url = new URL(`http://${header}`);
    return url.hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function isLoopbackName(host: string): boolean {
  return (LOOPBACK_HOSTS as readonly string[]).includes(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The policy for an SFU listening on `listenIp` and announced as `announcedAddress`: loopback
 * names, those two (unless a wildcard), and the configured `allowedHosts` and `allowedOrigins`.
 */
export function createHostPolicy(args: {
  listenIp: string;
  announcedAddress: string | undefined;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
}): HostPolicy {
  const hosts = new Set<string>(LOOPBACK_HOSTS);
  for (const address of [args.listenIp, args.announcedAddress]) {
    if (address !== undefined && address !== '0.0.0.0' && address !== '::') hosts.add(hostName(address));
  }
  for (const host of args.allowedHosts) hosts.add(host === '*' ? '*' : hostName(host));
  const origins = new Set(args.allowedOrigins.map((o) => (o === '*' ? '*' : new URL(o).origin)));
  return { hosts, origins };
}

/** Whether a request with this Host header may be served. A request without one (HTTP/1.0) is not from a browser page. */
export function hostAllowed(policy: HostPolicy, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return true;
  if (policy.hosts.has('*')) return true;
  const host = hostOfHeader(hostHeader);
  return host !== undefined && (policy.hosts.has(host) || isLoopbackName(host));
}

/** Whether a WebSocket upgrade with this Origin may open signaling (the Host header is checked separately). */
export function originAllowed(policy: HostPolicy, origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (policy.origins.has('*')) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // 'null' (sandboxed frames, file: pages) and garbage
  }
  if (policy.origins.has(parsed.origin)) return true;
  // Same origin: the page came from this server under the name it now connects to.
  return hostHeader !== undefined && parsed.host === hostHeader.toLowerCase() && hostAllowed(policy, hostHeader);
}
