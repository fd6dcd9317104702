// The other peers in the joined room and the active speaker. Listening starts before the join
// request is sent, so a peer that joins while this page is still setting up its transports is
// not missed.
import type { PeerInfo } from './api.ts';
import type { EventLog } from './event-log.ts';
import type { SignalingClient } from './signaling.ts';
import type { TileGrid } from './ui.ts';

export class Roster {
  readonly peers = new Map<string, PeerInfo>();
  activeSpeakerPeerId: string | null = null;
  /** Called after a peer left and its tile is gone (the Session removes its consumers). */
  onPeerLeft: ((peerId: string) => void) | undefined;
  private selfPeerId: string | undefined;
  private readonly unsubscribe: (() => void)[];

  constructor(signaling: SignalingClient, log: EventLog, private readonly ui: TileGrid) {
    this.unsubscribe = [
      signaling.on('peerJoined', (peer) => {
        this.add(peer);
        log.push({ type: 'peerJoined', peerId: peer.peerId, displayName: peer.displayName });
      }),
      signaling.on('peerLeft', ({ peerId }) => {
        this.peers.delete(peerId);
        this.onPeerLeft?.(peerId);
        ui.removePeer(peerId);
        log.push({ type: 'peerLeft', peerId });
      }),
      signaling.on('activeSpeaker', ({ peerId }) => {
        this.activeSpeakerPeerId = peerId;
        log.push({ type: 'activeSpeaker', peerId });
      }),
    ];
  }

  /** The join response: this page's own id and the peers already present. */
  seed(selfPeerId: string, peers: readonly PeerInfo[]): void {
    this.selfPeerId = selfPeerId;
    for (const peer of peers) this.add(peer);
  }

  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.onPeerLeft = undefined;
  }

  private add(peer: PeerInfo): void {
    if (peer.peerId === this.selfPeerId) return;
    this.peers.set(peer.peerId, peer);
    this.ui.addPeer(peer.peerId, peer.displayName);
  }
}
