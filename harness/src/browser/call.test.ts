import { describe, expect, it } from 'vitest';
import { readCallState, reduceCallState } from './call.ts';

const consumer = {
  id: 'c1',
  producerId: 'p1',
  producerPeerId: 'presenter[0]',
  source: 'camera',
  kind: 'video',
  type: 'simulcast',
  paused: false,
  layers: { spatialLayer: 2, temporalLayer: 1 },
  trackId: 't1',
  offeredLayers: { spatial: 3, temporal: 3 },
  preferredLayers: { spatialLayer: 0, temporalLayer: null },
  score: 10,
  firstFrameAtMs: 1,
};

describe('reduceCallState', () => {
  it('keeps layered video consumers and the layer events, from the call page state', () => {
    const audio = { ...consumer, id: 'c2', kind: 'audio', type: 'simple' };
    const screen = { ...consumer, id: 'c3', type: 'simple' };
    const events = [
      { type: 'firstFrame', atMs: 5, consumerId: 'c1' },
      { type: 'layersChanged', atMs: 7, consumerId: 'c1', spatialLayer: 1, temporalLayer: null },
    ];
    expect(reduceCallState({ consumers: [consumer, audio, screen] }, events)).toEqual({
      consumers: [
        {
          id: 'c1',
          trackId: 't1',
          producerPeerId: 'presenter[0]',
          spatialLayer: 2,
          temporalLayer: 1,
          offeredSpatialLayers: 3,
          preferredSpatialLayer: 0,
        },
      ],
      layerEvents: [{ tMs: 7, consumerId: 'c1', spatialLayer: 1, temporalLayer: null }],
      events: [{ tMs: 5, type: 'firstFrame', consumerId: 'c1' }],
    });
  });

  it('forwards the call events that time actions, with only their well-typed fields', () => {
    const events = [
      { type: 'consumerAdded', atMs: 10, consumerId: 'c9', producerPeerId: 'p1', source: 'screen', kind: 'video' },
      { type: 'videoResized', atMs: 11, consumerId: 'c9', producerPeerId: 'p1', width: 320, height: 180 },
      { type: 'peerLeft', atMs: 12, peerId: 'p2' },
      { type: 'connectionStateChanged', atMs: 13, direction: 'send', state: 'connected' },
      { type: 'consumerRemoved', atMs: 'late', consumerId: 'c9' },
      { type: 'firstFrame', atMs: 14, consumerId: 7, kind: 'hologram', width: -1 },
    ];
    expect(reduceCallState({ consumers: [] }, events)?.events).toEqual([
      { tMs: 10, type: 'consumerAdded', consumerId: 'c9', producerPeerId: 'p1', source: 'screen', kind: 'video' },
      { tMs: 11, type: 'videoResized', consumerId: 'c9', producerPeerId: 'p1', width: 320, height: 180 },
      { tMs: 12, type: 'peerLeft', peerId: 'p2' },
      { tMs: 14, type: 'firstFrame' },
    ]);
  });

  it('tolerates a page whose surface says less, or something else', () => {
    expect(reduceCallState({ consumers: [{ id: 'c1', kind: 'video', type: 'svc', layers: null }] }, null)).toEqual({
      consumers: [{ id: 'c1', spatialLayer: null, temporalLayer: null }],
      layerEvents: [],
    });
    expect(reduceCallState('joined', [])).toBeUndefined();
    expect(reduceCallState({ consumers: 'none' }, [])).toBeUndefined();
  });
});

describe('readCallState', () => {
  it('drains the events and reads the state of window.rtcHarness', async () => {
    let drained = 0;
    const win = {
      rtcHarness: {
        state: async () => ({ consumers: [consumer] }),
        drainEvents: async () => {
          drained++;
          return [];
        },
      },
    } as unknown as Window;
    expect((await readCallState(win))?.consumers).toHaveLength(1);
    expect(drained).toBe(1);
  });

  it('gives nothing for a page without the surface or one that throws', async () => {
    expect(await readCallState({} as Window)).toBeUndefined();
    const throwing = { rtcHarness: { state: async () => Promise.reject(new Error('not joined')), drainEvents: async () => [] } };
    expect(await readCallState(throwing as unknown as Window)).toBeUndefined();
  });
});
