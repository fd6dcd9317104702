// Simulated access networks, one per participant, in user space (no root, no netem).
//
// A link is a UDP + TCP relay between a participant's browser and the SFU (and, with several
// routes, the TURN server). The page is pointed at it by rewriting the SFU's ICE candidates:
// SFU candidate 127.0.0.1:40000 (udp and tcp) -> link.host:link.port (same protocols).
//
//   const link = await createAccessLink({
//     id: 'viewers[0]',                          // names events/errors, seeds the randomness
//     target: { host: '127.0.0.1', port: 40000 }, // the SFU's WebRtcServer (UDP + TCP)
//     profile: resolveLinkProfile(profiles.lte), // default: perfect (forward only)
//     seed: runSeed,                             // default: the id
//   });
//   rewriteCandidate(c) -> { ...c, ip: link.host, port: link.port }   // runner/page agent
//   const change = (update) => resolveLinkUpdate(validateLinkUpdate(update)); // the boundary
//   link.set(change({ rateKbps: 300, lossPct: 3 })); // both directions, packets arriving from now
//   link.set(change({ down: { delayMs: 200 } }));  // one direction
//   link.set(change(profiles.wifi));               // presets are complete: this replaces
//   link.set({ outageMs: 3000 });                  // or link.outage(3000)
//   link.set({ blockUdp: true });                  // force ICE over TCP (or TURN/TCP)
//   link.counters();                              // { up, down, udpSessions, tcpConnections }
//   link.on('session', ({ client, upstreamPort }) => ...);
//   await link.close();                           // idempotent
//
// With TURN: createAccessLink({ id, targets: { sfu: {...}, turn: { host, port: 3478 } } }) gives
// link.routes.sfu.port and link.routes.turn.port; both share one pipe (one bottleneck, one loss
// process), and `allowPorts: [3478]` leaves only the TURN route open. A TURN target carries
// `framing: 'stun'` (TURN over TCP) or `framing: 'tls'` (TURN over TLS): its TCP stream is not
// RFC 4571.
//
// UDP: every browser source address gets its own upstream socket, so the SFU (ICE-lite, which
// answers where a packet came from) sees one distinct 5-tuple per browser socket. TCP: RFC 4571
// frames are shaped whole; loss and outages become delay there (TCP never loses data) and a full
// queue pauses the sender instead of dropping. See model.ts for the order of the stages.
//
// Traces: replayTrace(link, await loadTrace('trace.csv')) applies time -> rate/delay/loss points.
// Kernel shaping (netem) is only detected (detectKernelShaping) and not used: see kernel.ts.
export { createAccessLink } from './link.ts';
export type { AccessLink, AccessLinkEvents, AccessLinkOptions, RouteAddress, RouteTarget, TcpConnectionInfo, UdpSessionInfo } from './link.ts';
export { getProfile, PROFILE_NAMES, profiles, profilesTable, type ProfileName } from './profiles.ts';
export {
  applyLinkChange,
  averageLossPct,
  DEFAULT_QUEUE_MS,
  NetworkConfigError,
  PERFECT_PROFILE,
  resolveLinkProfile,
  resolveLinkUpdate,
  validateLinkUpdate,
} from './settings.ts';
export { loadTrace, parseTrace, replayTrace, traceUpdates, TraceParseError } from './trace.ts';
export type { NetworkTrace, TracePoint, TraceReplay, TraceReplayOptions } from './trace.ts';
export { detectKernelShaping, type KernelShaping } from './kernel.ts';
export { TCP_FRAMINGS, type TcpFraming } from './framing.ts';
export { DirectionModel, type PacketFate, type PacketInfo } from './model.ts';
export type {
  BurstLoss,
  Direction,
  DirectionCounters,
  LinkAccess,
  LinkChange,
  LinkCounters,
  LinkProfile,
  LinkSettings,
  LinkUpdate,
  ResolvedLinkProfile,
  ResolvedLinkSettings,
  ResolvedSettingsChange,
  Transport,
} from './types.ts';
