// The rooms of one SFU by id: created on first join on the least-loaded worker, forgotten when
// they close. Two joins racing for a new room share one creation; a join that finds its room
// closing under it (last peer just left) simply creates a fresh one.
import { TypedEmitter } from './events.ts';
import { SignalingError } from './errors.ts';
import type { Logger } from './logger.ts';
import { Room, type RoomSettings } from './room.ts';
import type { Peer, PeerCloseReason } from './peer.ts';
import type { WorkerPool } from './workers.ts';

export type RoomRegistryEvents = {
  roomCreated: [room: Room];
  roomClosed: [room: Room, reason: string];
  peerJoined: [room: Room, peer: Peer];
  peerLeft: [room: Room, peer: Peer, reason: PeerCloseReason];
};

export class RoomRegistry extends TypedEmitter<RoomRegistryEvents> {
  readonly #pool: WorkerPool;
  readonly #settings: RoomSettings;
  readonly #logger: Logger;
  readonly #pending = new Map<string, Promise<Room>>();
  readonly #rooms = new Map<string, Room>();
  #closed = false;

  constructor(pool: WorkerPool, settings: RoomSettings, logger: Logger) {
    super(logger);
    this.#pool = pool;
    this.#settings = settings;
    this.#logger = logger;
  }

  get rooms(): Iterable<Room> {
    return this.#rooms.values();
  }

  get size(): number {
    return this.#rooms.size;
  }

  /** The open room `roomId`, if there is one (never creates it). */
  get(roomId: string): Room | undefined {
    const room = this.#rooms.get(roomId);
    return room && !room.closed ? room : undefined;
  }

  /** The open room `roomId`, created if needed. */
  async acquire(roomId: string): Promise<Room> {
    for (;;) {
      if (this.#closed) throw new Error('the SFU is closing');
      const open = this.#rooms.get(roomId);
      if (open && !open.closed) return open;
      let pending = this.#pending.get(roomId);
      if (!pending) {
        // Rooms being created count too, or a burst of joins could all pass the check at once.
        const { maxRooms } = this.#settings.limits;
        if (this.#rooms.size + this.#pending.size >= maxRooms) {
          throw new SignalingError('limit_exceeded', `the SFU has ${maxRooms} rooms open (its maxRooms); join an existing room or try later`);
        }
        pending = this.#create(roomId);
        this.#pending.set(roomId, pending);
        const settle = () => this.#pending.delete(roomId);
        pending.then(settle, settle);
      }
      const room = await pending;
      if (!room.closed) return room;
    }
  }

  async #create(roomId: string): Promise<Room> {
    const worker = this.#pool.pick();
    const room = await Room.create(roomId, worker, this.#settings, this.#logger);
    if (this.#closed) {
      room.close('the SFU is closing');
      return room;
    }
    this.#rooms.set(roomId, room);
    room.on('peerJoined', (peer) => this.safeEmit('peerJoined', room, peer));
    room.on('peerLeft', (peer, reason) => this.safeEmit('peerLeft', room, peer, reason));
    room.once('close', (reason) => {
      if (this.#rooms.get(roomId) === room) this.#rooms.delete(roomId);
      this.#logger.info(`room ${roomId} closed: ${reason}`);
      this.safeEmit('roomClosed', room, reason);
    });
    this.#logger.info(`room ${roomId} created on worker ${worker.index}`);
    this.safeEmit('roomCreated', room);
    return room;
  }

  /** Closes every room; later joins fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#rooms.values()]) room.close('the SFU is closing');
    this.#rooms.clear();
  }
}
