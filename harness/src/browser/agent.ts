// The in-page stats agent. The harness installs it with page.evaluateOnNewDocument() so it runs
// before the page's own scripts, on our call page or on any page that uses RTCPeerConnection.
// It wraps the constructor in a Proxy (prototype, instanceof, subclassing and static methods such
// as generateCertificate stay the native ones), registers each connection, timestamps its state
// changes, and answers `window.__rtcHarnessAgent.collect()` with one getStats() per connection,
// reduced to a RawSnapshot. Nothing runs per frame or on a timer: all work happens inside collect().
// Node reaches it only through participants/agent-bridge.ts.
import type { RawCandidateError, RawOutboundRtp, RawPeerConnection, RawSnapshot, RawStateEvent } from '../stats/raw.ts';
import { RAW_SNAPSHOT_VERSION } from '../stats/raw.ts';
import { readCallState } from './call.ts';
import type { StandInOptions, StandInReport } from './stand-in-worker.ts';
import { Stamping, type StampOptions } from './stamping.ts';
import { Replay, type ReplaySettings } from './replay.ts';
import type { ReplayReport } from './replay-worker.ts';
import { reduceStats, type ReducedStats, type StatsEntry } from './reduce.ts';
import { wallNowMs } from './page-clock.ts';
import {
  applyIceOverrides,
  countTurnUrls,
  parseIceOverrides,
  parseRewriteRules,
  isDirectCandidate,
  rewriteCandidate,
  rewriteConfiguration,
  rewriteSdp,
  stripDirectCandidates,
  type CandidateRewriteRules,
  type IceOverrides,
  type RewriteTable,
} from './rewrite.ts';

/** What the page sees at `window.__rtcHarnessAgent`. */
export interface RtcHarnessAgent {
  readonly version: number;
  /** getStats() of every live connection, and the final stats of those closed since the last call. */
  collect(): Promise<RawSnapshot>;
  /**
   * Records a named moment (e.g. 'join'), unix ms, default now. The first mark of a name wins in
   * `marks`; a name marked again also has its latest time in `latestMarks` (a rejoin).
   */
  mark(name: string, tMs?: number): void;
  /**
   * Rewrites remote candidates and ICE server URLs: `{ 'host:port': 'host:port' }`; null or {}
   * clears. Applies to descriptions, candidates and configurations passed from now on.
   */
  setCandidateRewrite(rules: CandidateRewriteRules | null): void;
  /**
   * Overrides parts of every RTCPeerConnection configuration created or set from now on: the ICE
   * transport policy ('relay') and the TURN credentials. null or {} clears. See IceOverrides.
   */
  setIceOverrides(overrides: IceOverrides | null): void;
  /**
   * How video receivers created from now on receive: 'decode' (default) or 'count', each frame
   * counted and timed but decoded as a 16x16 stand-in (see stand-in-worker.ts). Install it before
   * the page's scripts run (an init script) so that every receiver gets it.
   */
  setReceive(mode: ReceiveMode): void;
  /**
   * Stamped video (stamping.ts): answer the page's camera requests with a stamped track, and/or
   * read the code of the remote video tracks it receives from now on. Install it before the page's
   * scripts run (an init script), so that getUserMedia and every track are covered.
   */
  setStamps(options: StampOptions): void;
  /**
   * The replay camera (replay.ts): answer the page's camera requests with a tiny stand-in whose
   * senders put a pre-encoded clip of this size and rate on the wire. Install it before the
   * page's scripts run (an init script).
   */
  setReplay(settings: ReplaySettings): void;
}

export type ReceiveMode = 'decode' | 'count';

// The stand-in worker's source, bundled apart and put here by bundle.ts (esbuild `define`).
declare const __RTC_HARNESS_STAND_IN_WORKER__: string | undefined;
declare const __RTC_HARNESS_TONE_WORKLET__: string | undefined;

// The agent's global, named apart from `window.rtcHarness` (the reference call page's control
// surface, sfu/client/src/api.ts): a page may have both, and they are different things.
declare global {
  interface Window {
    __rtcHarnessAgent?: RtcHarnessAgent;
  }
}

/** Pending state changes kept between collects; older ones are dropped if nobody collects. */
const MAX_PENDING_EVENTS = 500;
/** Pending ICE candidate errors kept between collects (a failing TURN server repeats them). */
const MAX_PENDING_CANDIDATE_ERRORS = 200;
/**
 * How long a closed connection's final getStats() may take, ms. Firefox never settles a getStats()
 * started just before close(): without a bound, every later collect() would wait on it forever.
 */
const FINAL_STATS_WAIT_MS = 1000;

interface Entry {
  id: string;
  pc: RTCPeerConnection;
  createdMs: number;
  connectedMs?: number;
  closedMs?: number;
  /** getStats() started just before close(): Chromium answers it with the final figures, Firefox never (then undefined). */
  finalStats?: Promise<ReducedStats | undefined>;
  /** First-frame estimate per inbound ssrc, kept from the first report that showed a frame. */
  firstFrameMs: Map<number, number>;
  /** Time of the latest `track` event per transceiver mid. */
  trackMs: Map<string, number>;
  /** TURN URLs in its configuration. */
  turnUrls: number;
  /** The ICE ufrag of its current local description: a new one is an ICE restart. */
  ufrag?: string;
  /** The ufrag of an ICE restart whose candidate pair is not selected yet. */
  restartUfrag?: string;
}

type PeerConnectionClass = typeof RTCPeerConnection;

/** Installs the agent on `win` once; returns the existing one if already installed. */
export function installAgent(win: Window & typeof globalThis): RtcHarnessAgent {
  if (win.__rtcHarnessAgent) return win.__rtcHarnessAgent;
  // The run's clock, as the runner's own (page-clock.ts says why not the performance clock).
  const now = (): number => wallNowMs(win);
  const agentId = Math.random().toString(36).slice(2, 10);
  const entries = new Map<string, Entry>();
  const byPc = new WeakMap<RTCPeerConnection, Entry>();
  const marks: Record<string, number> = {};
  const latestMarks: Record<string, number> = {};
  /** ICE transports whose selected-pair changes are followed (each once). */
  const hooked = new WeakSet<RTCIceTransport>();
  let pending: RawStateEvent[] = [];
  let nextId = 0;
  let firstPcCreatedMs: number | undefined;
  let firstConnectedMs: number | undefined;
  let rewrite: RewriteTable = parseRewriteRules(null);
  let overrides: IceOverrides = parseIceOverrides(null);
  let candidateErrors: RawCandidateError[] = [];
  let receiveMode: ReceiveMode = 'decode';
  const stamping = new Stamping(win, now, typeof __RTC_HARNESS_TONE_WORKLET__ === 'string' ? __RTC_HARNESS_TONE_WORKLET__ : undefined);
  /** The page's one worker for encoded transforms (stand-in-worker.ts), started on first use. */
  let transformWorker: Worker | undefined;
  /** Track ids of the receivers whose frames are stood in for (the worker said so). */
  const standInTracks = new Set<string>();
  const pageWorker = (): Worker | undefined => {
    const source = typeof __RTC_HARNESS_STAND_IN_WORKER__ === 'string' ? __RTC_HARNESS_STAND_IN_WORKER__ : undefined;
    if (!source || !('RTCRtpScriptTransform' in win)) return undefined;
    if (!transformWorker) {
      transformWorker = new win.Worker(win.URL.createObjectURL(new win.Blob([source], { type: 'text/javascript' })));
      transformWorker.addEventListener('message', (ev: MessageEvent<StandInReport | ReplayReport>) => {
        const report = ev.data;
        if ('role' in report) replay.onReport(report);
        else if (report.standIn) standInTracks.add(report.trackId);
        else standInTracks.delete(report.trackId);
      });
    }
    return transformWorker;
  };
  const replay = new Replay(win, pageWorker);
  const countFrames = (receiver: RTCRtpReceiver): void => {
    const ScriptTransform = (win as unknown as { RTCRtpScriptTransform?: new (w: Worker, o: StandInOptions) => RTCRtpTransform }).RTCRtpScriptTransform;
    const worker = pageWorker();
    if (!ScriptTransform || !worker) return; // A browser without encoded transforms decodes.
    receiver.transform = new ScriptTransform(worker, { trackId: receiver.track.id });
  };
  /** The configuration the browser gets: the page's, with its ICE server URLs rewritten and the overrides applied. */
  const configure = (config: RTCConfiguration | undefined): RTCConfiguration | undefined => {
    const rewritten = config && rewrite.size > 0 ? rewriteConfiguration(config, rewrite) : config;
    if (!overrides.iceTransportPolicy && !overrides.turnCredentials) return rewritten;
    return applyIceOverrides(rewritten ?? {}, overrides);
  };

  const pushEvent = (e: Entry, type: RawStateEvent['type'], state: string): void => {
    const tMs = now();
    pending.push({ tMs, pc: e.id, type, state });
    if (pending.length > MAX_PENDING_EVENTS) pending.splice(0, pending.length - MAX_PENDING_EVENTS);
    if (type === 'connection' && state === 'connected') {
      e.connectedMs ??= tMs;
      firstConnectedMs ??= tMs;
    }
  };

  // ICE restarts, timed in the page: 'started' when the local description gets a new ufrag,
  // 'completed' when the transport selects a candidate pair on it. Media often keeps flowing on
  // the old pair meanwhile, so neither the connection state nor the stats show a restart.
  const iceTransports = (pc: RTCPeerConnection): Set<RTCIceTransport> => {
    const out = new Set<RTCIceTransport>();
    for (const t of pc.getTransceivers()) {
      const ice = t.sender.transport?.iceTransport ?? t.receiver.transport?.iceTransport;
      if (ice) out.add(ice);
    }
    const sctp = pc.sctp?.transport?.iceTransport;
    if (sctp) out.add(sctp);
    return out;
  };
  const checkRestartDone = (e: Entry): void => {
    if (e.restartUfrag === undefined) return;
    for (const ice of iceTransports(e.pc)) {
      if (ice.getSelectedCandidatePair()?.local?.usernameFragment !== e.restartUfrag) continue;
      e.restartUfrag = undefined;
      pushEvent(e, 'iceRestart', 'completed');
      return;
    }
  };
  const onNegotiated = (e: Entry): void => {
    try {
      for (const ice of iceTransports(e.pc)) {
        if (hooked.has(ice)) continue;
        hooked.add(ice);
        ice.addEventListener('selectedcandidatepairchange', () => checkRestartDone(e));
      }
      const ufrag = /^a=ice-ufrag:(\S+)/m.exec(e.pc.localDescription?.sdp ?? '')?.[1];
      if (ufrag === undefined || ufrag === e.ufrag) return;
      const restarted = e.ufrag !== undefined; // The first credentials are not a restart.
      e.ufrag = ufrag;
      if (!restarted) return;
      e.restartUfrag = ufrag;
      pushEvent(e, 'iceRestart', 'started');
      checkRestartDone(e); // The pair may already be selected.
    } catch {
      // A browser without RTCIceTransport: no restart timing, nothing else changes.
    }
  };

  const Native: PeerConnectionClass | undefined = win.RTCPeerConnection;
  const proto = Native?.prototype;
  const nativeGetStats = proto?.getStats;

  const register = (pc: RTCPeerConnection, config: RTCConfiguration | undefined): void => {
    const createdMs = now();
    const entry: Entry = {
      id: `pc${nextId++}`,
      pc,
      createdMs,
      firstFrameMs: new Map(),
      trackMs: new Map(),
      turnUrls: countTurnUrls(config),
    };
    firstPcCreatedMs ??= createdMs;
    entries.set(entry.id, entry);
    byPc.set(pc, entry);
    // addEventListener, not on*: the page's own handlers stay untouched.
    pc.addEventListener('connectionstatechange', () => pushEvent(entry, 'connection', pc.connectionState));
    pc.addEventListener('iceconnectionstatechange', () => pushEvent(entry, 'ice', pc.iceConnectionState));
    pc.addEventListener('icecandidateerror', (ev) => {
      const e = ev as RTCPeerConnectionIceErrorEvent;
      candidateErrors.push({ tMs: now(), pc: entry.id, url: e.url, errorCode: e.errorCode, errorText: e.errorText });
      if (candidateErrors.length > MAX_PENDING_CANDIDATE_ERRORS) candidateErrors.splice(0, candidateErrors.length - MAX_PENDING_CANDIDATE_ERRORS);
    });
    // Fires once a description is set: the local one (with its ufrag) and the transports exist.
    pc.addEventListener('signalingstatechange', () => onNegotiated(entry));
    pc.addEventListener('track', (ev) => {
      const { transceiver, receiver, track } = ev as RTCTrackEvent;
      if (transceiver?.mid) entry.trackMs.set(transceiver.mid, now());
      if (receiveMode === 'count' && track.kind === 'video' && !receiver.transform) {
        try {
          countFrames(receiver);
        } catch {
          // The page's own transform, or none allowed here: this receiver decodes.
        }
      }
      // A count-mode receiver shows stand-ins, whose frames carry no code.
      if (track.kind === 'video' && !standInTracks.has(track.id) && receiveMode !== 'count') stamping.watch(track);
      // Count mode spares decoding video only: audio is decoded and heard either way.
      if (track.kind === 'audio') stamping.watch(track);
    });
  };

  if (Native && proto && nativeGetStats) {
    const Wrapped = new Proxy(Native, {
      construct(target, args: unknown[], newTarget) {
        const [config, ...rest] = args;
        const conf = configure(config as RTCConfiguration | undefined);
        const pc = Reflect.construct(target, [conf, ...rest], newTarget) as RTCPeerConnection;
        register(pc, conf);
        // Registered before any listener of the page's, so stopping the event hides the candidate
        // from all of them, the onicecandidate handler included (see isDirectCandidate).
        pc.addEventListener('icecandidate', (ev) => {
          const candidate = (ev as RTCPeerConnectionIceEvent).candidate?.candidate;
          if (rewrite.size > 0 && candidate && isDirectCandidate(candidate)) ev.stopImmediatePropagation();
        });
        return pc;
      },
    });
    // Patches keep each method's name and length, and only touch arguments when rules are set.
    const patch = <K extends keyof RTCPeerConnection>(name: K, make: (orig: Function) => Function): void => {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (!desc || typeof desc.value !== 'function') return;
      const orig = desc.value as Function;
      const fn = make(orig);
      Object.defineProperty(fn, 'name', { value: orig.name });
      Object.defineProperty(fn, 'length', { value: orig.length });
      Object.defineProperty(proto, name, { ...desc, value: fn });
    };
    patch('close', (orig) =>
      function close(this: RTCPeerConnection, ...args: unknown[]) {
        const e = byPc.get(this);
        if (e && e.closedMs === undefined) {
          e.closedMs = now();
          const final = nativeGetStats.call(this).then(
            (report) => reduceStats(report.values() as Iterable<StatsEntry>),
            () => undefined,
          );
          e.finalStats = Promise.race([final, new Promise<undefined>((resolve) => win.setTimeout(() => resolve(undefined), FINAL_STATS_WAIT_MS))]);
          pushEvent(e, 'connection', 'closed');
        }
        return orig.apply(this, args);
      },
    );
    patch('setRemoteDescription', (orig) =>
      function setRemoteDescription(this: RTCPeerConnection, desc?: RTCSessionDescriptionInit, ...rest: unknown[]) {
        if (rewrite.size > 0 && desc && typeof desc.sdp === 'string') {
          desc = { type: desc.type, sdp: rewriteSdp(desc.sdp, rewrite) };
        }
        return orig.call(this, desc, ...rest);
      },
    );
    patch('addIceCandidate', (orig) =>
      function addIceCandidate(this: RTCPeerConnection, cand?: RTCIceCandidateInit | null, ...rest: unknown[]) {
        if (rewrite.size > 0 && cand && typeof cand.candidate === 'string' && cand.candidate !== '') {
          cand = {
            candidate: rewriteCandidate(cand.candidate, rewrite),
            sdpMid: cand.sdpMid,
            sdpMLineIndex: cand.sdpMLineIndex,
            usernameFragment: cand.usernameFragment,
          };
        }
        return orig.call(this, cand, ...rest);
      },
    );
    // A sender that comes to carry the replay camera's stand-in gets its transform (replay.ts).
    patch('addTrack', (orig) =>
      function addTrack(this: RTCPeerConnection, ...args: unknown[]) {
        const sender = orig.apply(this, args) as RTCRtpSender;
        replay.attach(sender);
        return sender;
      },
    );
    patch('addTransceiver', (orig) =>
      function addTransceiver(this: RTCPeerConnection, ...args: unknown[]) {
        const transceiver = orig.apply(this, args) as RTCRtpTransceiver;
        replay.attach(transceiver.sender);
        return transceiver;
      },
    );
    const senderProto = (win as unknown as { RTCRtpSender?: { prototype: RTCRtpSender } }).RTCRtpSender?.prototype;
    const replaceTrack = senderProto && Object.getOwnPropertyDescriptor(senderProto, 'replaceTrack');
    if (senderProto && replaceTrack && typeof replaceTrack.value === 'function') {
      const orig = replaceTrack.value as RTCRtpSender['replaceTrack'];
      const fn = async function replaceTrack(this: RTCRtpSender, track: MediaStreamTrack | null) {
        await orig.call(this, track);
        replay.attach(this);
      };
      Object.defineProperty(fn, 'name', { value: orig.name });
      Object.defineProperty(fn, 'length', { value: orig.length });
      Object.defineProperty(senderProto, 'replaceTrack', { ...replaceTrack, value: fn });
    }
    // The local descriptions an app reads (to send a complete offer, as WHIP clients and janus.js
    // without trickle do) lose their direct candidates the same way.
    for (const name of ['localDescription', 'currentLocalDescription', 'pendingLocalDescription'] as const) {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      const get = desc?.get;
      if (!desc || !get) continue;
      Object.defineProperty(proto, name, {
        ...desc,
        get(this: RTCPeerConnection) {
          const d = get.call(this) as RTCSessionDescription | null;
          if (rewrite.size === 0 || !d || typeof d.sdp !== 'string') return d;
          return new RTCSessionDescription({ type: d.type, sdp: stripDirectCandidates(d.sdp) });
        },
      });
    }
    patch('setConfiguration', (orig) =>
      function setConfiguration(this: RTCPeerConnection, config?: RTCConfiguration) {
        const conf = configure(config);
        const e = byPc.get(this);
        if (e) e.turnUrls = countTurnUrls(conf);
        return orig.call(this, conf);
      },
    );
    // `pc.constructor === RTCPeerConnection` must still hold for the page.
    Object.defineProperty(proto, 'constructor', { value: Wrapped, writable: true, configurable: true, enumerable: false });
    win.RTCPeerConnection = Wrapped;
    const legacy = win as unknown as { webkitRTCPeerConnection?: unknown };
    if (legacy.webkitRTCPeerConnection === Native) legacy.webkitRTCPeerConnection = Wrapped;
  }

  const markedOutbound = (pc: RTCPeerConnection, outbound: RawOutboundRtp[]): RawOutboundRtp[] => {
    replay.markOutbound(pc, outbound);
    return outbound;
  };

  const collectOne = async (e: Entry): Promise<RawPeerConnection> => {
    const closed = e.closedMs !== undefined;
    let reduced: ReducedStats | undefined;
    if (closed) {
      reduced = await e.finalStats;
      entries.delete(e.id); // Reported once with its final stats, then forgotten.
    } else {
      try {
        const report = await (nativeGetStats as RTCPeerConnection['getStats']).call(e.pc);
        reduced = reduceStats(report.values() as Iterable<StatsEntry>);
      } catch {
        reduced = undefined; // A connection closed by the browser mid-call: report its state only.
      }
    }
    if (e.connectedMs === undefined && e.pc.connectionState === 'connected') {
      pushEvent(e, 'connection', 'connected'); // Connected before its listener could fire.
    }
    const inbound = reduced?.inbound ?? [];
    for (const s of inbound) {
      if (s.mid !== undefined && e.trackMs.has(s.mid)) s.trackMs = e.trackMs.get(s.mid);
      if (s.trackIdentifier !== undefined && standInTracks.has(s.trackIdentifier)) {
        // What the decoder saw of these is the stand-in's, not the sender's.
        s.receive = 'count';
        delete s.frameWidth;
        delete s.frameHeight;
        delete s.qpSum;
        delete s.decoderImplementation;
      }
      const stamped = s.kind === 'video' && s.receive !== 'count' && s.trackIdentifier !== undefined ? stamping.report(s.trackIdentifier) : undefined;
      if (stamped) s.stamped = stamped;
      const stampedAudio = s.kind === 'audio' && s.trackIdentifier !== undefined ? stamping.reportAudio(s.trackIdentifier) : undefined;
      if (stampedAudio) s.stampedAudio = stampedAudio;
      if (s.firstFrameMs === undefined) continue;
      const first = e.firstFrameMs.get(s.ssrc);
      if (first === undefined) e.firstFrameMs.set(s.ssrc, s.firstFrameMs);
      else s.firstFrameMs = first;
    }
    let transceivers: number | undefined;
    let mlines: number | undefined;
    if (!closed) {
      try {
        transceivers = e.pc.getTransceivers().length;
        const sdp = (e.pc.currentRemoteDescription ?? e.pc.remoteDescription)?.sdp;
        if (sdp) mlines = sdp.match(/^m=/gm)?.length ?? 0;
      } catch {
        // Closed by the browser meanwhile.
      }
    }
    return {
      id: e.id,
      createdMs: e.createdMs,
      connectedMs: e.connectedMs,
      closedMs: e.closedMs,
      connectionState: closed ? 'closed' : e.pc.connectionState,
      iceConnectionState: closed ? 'closed' : e.pc.iceConnectionState,
      ...(e.turnUrls > 0 ? { turnUrls: e.turnUrls } : {}),
      ...(transceivers === undefined ? {} : { transceivers }),
      ...(mlines === undefined ? {} : { mlines }),
      statsMs: reduced?.statsMs ?? now(),
      inbound,
      outbound: closed ? (reduced?.outbound ?? []) : markedOutbound(e.pc, reduced?.outbound ?? []),
      remoteInbound: reduced?.remoteInbound ?? [],
      pair: reduced?.pair,
    };
  };

  const agent: RtcHarnessAgent = Object.freeze({
    version: RAW_SNAPSHOT_VERSION,
    async collect(): Promise<RawSnapshot> {
      const [pcs, call] = await Promise.all([Promise.all([...entries.values()].map(collectOne)), readCallState(win)]);
      const events = pending;
      pending = [];
      const errors = candidateErrors;
      candidateErrors = [];
      return {
        v: RAW_SNAPSHOT_VERSION,
        agentId,
        tMs: now(),
        firstPcCreatedMs,
        firstConnectedMs,
        marks: { ...marks },
        ...(Object.keys(latestMarks).length > 0 ? { latestMarks: { ...latestMarks } } : {}),
        pcs,
        events,
        ...(errors.length > 0 ? { candidateErrors: errors } : {}),
        ...(call ? { call } : {}),
      };
    },
    mark(name: string, tMs?: number): void {
      if (typeof name !== 'string' || name === '') throw new Error('__rtcHarnessAgent.mark(name) needs a non-empty name');
      const t = typeof tMs === 'number' && Number.isFinite(tMs) ? tMs : now();
      if (Object.hasOwn(marks, name)) latestMarks[name] = t;
      else marks[name] = t;
    },
    setCandidateRewrite(rules: CandidateRewriteRules | null): void {
      rewrite = parseRewriteRules(rules);
    },
    setIceOverrides(next: IceOverrides | null): void {
      overrides = parseIceOverrides(next);
    },
    setReceive(mode: ReceiveMode): void {
      if (mode !== 'decode' && mode !== 'count') throw new Error(`__rtcHarnessAgent.setReceive(mode): 'decode' or 'count', got ${String(mode)}`);
      receiveMode = mode;
    },
    setStamps(options: StampOptions): void {
      stamping.configure(options ?? {});
    },
    setReplay(settings: ReplaySettings): void {
      replay.configure(settings);
    },
  });
  Object.defineProperty(win, '__rtcHarnessAgent', { value: agent, configurable: false, enumerable: false, writable: false });
  return agent;
}
