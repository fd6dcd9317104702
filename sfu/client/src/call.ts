// The page's call: implements window.rtcHarness. Owns the signaling socket (opened on the first
// join, kept across leave/join) and at most one Session (one joined room) at a time. Every method
// rejects with an Error that names the call, and every failure is also kept as lastError and
// logged as an 'error' event, so a harness that only polls state() still sees it.
//
// Calls that change the call (join, leave, publish, ...) run one at a time, in the order they were
// made, as a user's clicks would: a leave() made while a join() or a publish() is still going
// waits for it, then leaves. Run side by side, the leave tore the session down under them: the
// join then said 'not joined' and stayed in the room, the publish died inside mediasoup-client
// with 'queue stopped'. Reads (state, drainEvents, getStats) never wait.
import type {
  CallEvent,
  CameraOptions,
  CallState,
  ConsumerState,
  JoinOptions,
  PreferredLayersOptions,
  ProducerSnapshot,
  ProducerSource,
  PublishOptions,
  RtcHarnessApi,
  ScreenShareOptions,
  StatsEntry,
} from './api.ts';
import { EventLog } from './event-log.ts';
import { Session } from './session.ts';
import { errorMessage, SignalingClient } from './signaling.ts';
import type { TileGrid } from './ui.ts';

export interface CallOptions {
  /** Signaling WebSocket URL, e.g. ws://127.0.0.1:4443/ws. */
  wsUrl: string;
  ui: TileGrid;
  /** mediasoup-client handler name. Default: detected from the browser. */
  handlerName?: string;
  /** Show the local camera in the local tile. Default false. */
  preview?: boolean;
  /** Restart ICE by itself when a transport loses its connection. Default false. */
  autoRestartIce?: boolean;
  /** Most events kept between drains. Default 1000. */
  eventCapacity?: number;
}

const SOURCES: readonly ProducerSource[] = ['mic', 'camera', 'screen'];

export class Call implements RtcHarnessApi {
  private readonly log: EventLog;
  private signaling: SignalingClient | undefined;
  private connecting: Promise<SignalingClient> | undefined;
  private session: Session | undefined;
  /** The last call that changes the call; the next one starts once it has settled. */
  private operations: Promise<unknown> = Promise.resolve();
  private handlerName: string | null = null;
  private lastError: CallState['lastError'] = null;

  constructor(private readonly options: CallOptions) {
    this.log = new EventLog({
      ...(options.eventCapacity === undefined ? {} : { capacity: options.eventCapacity }),
      onEvent: (event) => this.showStatus(event),
    });
  }

  get events(): readonly CallEvent[] {
    return this.log.snapshot();
  }

  join(options: JoinOptions): Promise<{ peerId: string }> {
    return this.serial(`join(${JSON.stringify({ ...options, token: options?.token && '…' })})`, async () => {
      if (typeof options?.room !== 'string' || options.room === '') throw new Error('room must be a non-empty string');
      if (this.session) throw new Error(`already joined room ${this.session.room} as ${this.session.peerId} (leave() first)`);
      const signaling = await this.connect();
      const session = await Session.join(
        {
          signaling,
          log: this.log,
          ui: this.options.ui,
          handlerName: this.options.handlerName,
          preview: this.options.preview ?? false,
          autoRestartIce: this.options.autoRestartIce ?? false,
          reportError: (message) => this.recordError(message),
        },
        options,
      );
      this.session = session;
      this.handlerName = session.device.handlerName;
      return { peerId: session.peerId };
    });
  }

  leave(): Promise<void> {
    return this.serial('leave()', async () => {
      const session = this.requireSession();
      this.session = undefined;
      await session.close('left', !(this.signaling?.closed ?? true));
    });
  }

  publish(options: PublishOptions): Promise<ProducerSnapshot[]> {
    return this.serial(`publish(${JSON.stringify(options)})`, () => this.requireSession().publisher.publish(options ?? {}));
  }

  unpublish(source: ProducerSource): Promise<void> {
    return this.serial(`unpublish('${String(source)}')`, () => this.requireSession().publisher.unpublish(checkSource(source)));
  }

  startScreenShare(options?: ScreenShareOptions): Promise<ProducerSnapshot> {
    return this.serial('startScreenShare()', () => this.requireSession().publisher.startScreenShare(options));
  }

  stopScreenShare(): Promise<void> {
    return this.serial('stopScreenShare()', () => this.requireSession().publisher.unpublish('screen', 'stopScreenShare()'));
  }

  switchCamera(options?: CameraOptions): Promise<ProducerSnapshot> {
    return this.serial(`switchCamera(${JSON.stringify(options ?? {})})`, () => this.requireSession().publisher.switchCamera(options ?? {}));
  }

  mute(source: ProducerSource): Promise<void> {
    return this.serial(`mute('${String(source)}')`, () => this.requireSession().publisher.setPaused(checkSource(source), true));
  }

  unmute(source: ProducerSource): Promise<void> {
    return this.serial(`unmute('${String(source)}')`, () => this.requireSession().publisher.setPaused(checkSource(source), false));
  }

  setPreferredLayers(options: PreferredLayersOptions): Promise<{ consumers: number }> {
    return this.serial('setPreferredLayers()', () => this.requireSession().subscriber.setPreferredLayers(options));
  }

  restartIce(): Promise<void> {
    return this.serial('restartIce()', () => this.requireSession().restartIce());
  }

  async state(): Promise<CallState> {
    const base = this.session?.snapshot() ?? {
      joined: false,
      peerId: null,
      room: null,
      displayName: null,
      producers: [],
      consumers: [],
      transports: { send: null, recv: null },
      peers: [],
      activeSpeakerPeerId: null,
    };
    return { ...base, handlerName: this.handlerName, lastError: this.lastError, droppedEvents: this.log.dropped };
  }

  async drainEvents(): Promise<CallEvent[]> {
    return this.log.drain();
  }

  getConsumerState(): Promise<ConsumerState[]> {
    return this.guard('getConsumerState()', async () => {
      this.requireSession();
      const signaling = await this.connect();
      return (await signaling.request('getConsumerState', {})).consumers;
    });
  }

  getStats(): Promise<{ send: StatsEntry[]; recv: StatsEntry[] }> {
    return this.guard('getStats()', () => this.requireSession().getStats());
  }

  /** Runs a call that changes the call once the ones before it have settled (see the top of the file). */
  private serial<T>(where: string, run: () => Promise<T>): Promise<T> {
    const next = this.operations.then(() => this.guard(where, run));
    this.operations = next.catch(() => {});
    return next;
  }

  /** Runs one API call: a failure is recorded and rethrown with the call's name in front. */
  private async guard<T>(where: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const text = errorMessage(err);
      // Lower layers already name the call for errors they know about; do not say it twice.
      const message = text.startsWith(where.replace(/\(.*$/, '')) ? text : `${where}: ${text}`;
      this.recordError(message);
      throw new Error(message);
    }
  }

  private recordError(message: string): void {
    this.lastError = { message, atMs: Date.now() };
    this.log.push({ type: 'error', message });
  }

  private requireSession(): Session {
    if (!this.session) throw new Error('not joined (call join first)');
    return this.session;
  }

  private async connect(): Promise<SignalingClient> {
    if (this.signaling && !this.signaling.closed) return this.signaling;
    this.connecting ??= SignalingClient.connect(this.options.wsUrl).finally(() => (this.connecting = undefined));
    const signaling = await this.connecting;
    this.signaling = signaling;
    signaling.onClose((reason) => {
      const session = this.session;
      this.session = undefined;
      if (session) {
        this.recordError(`signaling closed while in room ${session.room}: ${reason}`);
        void session.close(`signaling closed: ${reason}`, false);
      }
    });
    return signaling;
  }

  private showStatus(event: CallEvent): void {
    const s = this.session;
    const where = s ? `${s.displayName} in ${s.room}` : 'not joined';
    const detail = event.type === 'error' ? `: ${event.message}` : '';
    this.options.ui.setStatus(`${where}, last event: ${event.type}${detail}`);
  }
}

function checkSource(source: unknown): ProducerSource {
  if (!SOURCES.includes(source as ProducerSource)) {
    throw new Error(`source must be one of ${SOURCES.join(', ')}, got ${JSON.stringify(source)}`);
  }
  return source as ProducerSource;
}
