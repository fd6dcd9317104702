// The visible page for --headful runs: a status line and a grid of tiles, one per peer (and one
// per screen share), each with its name. Remote tracks are attached to <video>/<audio> elements
// here, which is also what makes Chromium decode and play them out.
import type { MediaKind, ProducerSource } from './api.ts';

export interface RemoteMedia {
  consumerId: string;
  peerId: string;
  displayName: string;
  kind: MediaKind;
  source: ProducerSource;
  track: MediaStreamTrack;
}

export class TileGrid {
  private readonly grid: HTMLElement;
  private readonly status: HTMLElement;
  private readonly tiles = new Map<string, HTMLElement>();
  private readonly elements = new Map<string, { element: HTMLMediaElement; tileKey: string }>();
  private localKey: string | undefined;

  /** `renderVideo` false: remote video gets no element (see attach). */
  constructor(
    root: HTMLElement,
    private readonly renderVideo = true,
  ) {
    root.replaceChildren();
    this.status = el('div', 'status');
    this.grid = el('div', 'grid');
    root.append(this.status, this.grid);
    this.setStatus('not joined');
  }

  setStatus(text: string): void {
    this.status.textContent = text;
  }

  showLocal(peerId: string, displayName: string): void {
    this.localKey = `${peerId}:local`;
    this.tile(this.localKey, `${displayName} (you)`).classList.add('local');
  }

  /** Shows the local camera muted in the local tile, or removes it (null). */
  setLocalPreview(track: MediaStreamTrack | null): void {
    if (!this.localKey) return;
    const tile = this.tiles.get(this.localKey);
    tile?.querySelector('video')?.remove();
    if (!track || !tile) return;
    const video = mediaElement('video', track);
    tile.prepend(video);
  }

  addPeer(peerId: string, displayName: string): void {
    this.tile(`${peerId}:camera`, displayName);
  }

  removePeer(peerId: string): void {
    for (const [consumerId, entry] of this.elements) {
      if (entry.tileKey.startsWith(`${peerId}:`)) this.detach(consumerId);
    }
    for (const key of [...this.tiles.keys()]) {
      if (key.startsWith(`${peerId}:`)) this.removeTile(key);
    }
  }

  /**
   * Attaches a remote track and returns its (playing) element. Without video rendering, a video
   * track gets none and null is returned: Chromium still receives and decodes it (its stats stay
   * live) but nothing paints or composites it.
   */
  attach(media: RemoteMedia): HTMLMediaElement | null {
    if (media.kind === 'video' && !this.renderVideo) return null;
    const isScreen = media.source === 'screen';
    const tileKey = `${media.peerId}:${isScreen ? 'screen' : 'camera'}`;
    const tile = this.tile(tileKey, isScreen ? `${media.displayName} (screen)` : media.displayName);
    const element = mediaElement(media.kind === 'video' ? 'video' : 'audio', media.track);
    element.dataset.consumerId = media.consumerId;
    if (media.kind === 'video') tile.prepend(element);
    else tile.append(element);
    this.elements.set(media.consumerId, { element, tileKey });
    return element;
  }

  detach(consumerId: string): void {
    const entry = this.elements.get(consumerId);
    if (!entry) return;
    this.elements.delete(consumerId);
    entry.element.srcObject = null;
    entry.element.remove();
    // A screen tile exists only for its media; a camera tile stays while its peer is present.
    const tile = this.tiles.get(entry.tileKey);
    if (entry.tileKey.endsWith(':screen') && tile && !tile.querySelector('video, audio')) {
      this.removeTile(entry.tileKey);
    }
  }

  clear(): void {
    for (const consumerId of [...this.elements.keys()]) this.detach(consumerId);
    for (const key of [...this.tiles.keys()]) this.removeTile(key);
    this.localKey = undefined;
  }

  private tile(key: string, label: string): HTMLElement {
    let tile = this.tiles.get(key);
    if (!tile) {
      tile = el('div', 'tile');
      tile.dataset.key = key;
      tile.append(el('div', 'name'));
      this.grid.append(tile);
      this.tiles.set(key, tile);
    }
    const name = tile.querySelector('.name');
    if (name) name.textContent = label;
    return tile;
  }

  private removeTile(key: string): void {
    this.tiles.get(key)?.remove();
    this.tiles.delete(key);
  }
}

function el(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}

function mediaElement(tag: 'video' | 'audio', track: MediaStreamTrack): HTMLMediaElement {
  const element = document.createElement(tag);
  element.autoplay = true;
  if (element instanceof HTMLVideoElement) {
    element.playsInline = true;
    // Audio plays through its own <audio> element; muting the video keeps autoplay allowed.
    element.muted = true;
  }
  element.srcObject = new MediaStream([track]);
  element.play().catch((err: unknown) => console.warn(`${tag}.play() failed`, err));
  return element;
}
