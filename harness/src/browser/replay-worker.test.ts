// The replay worker's frame swap, run on Node's web streams with frames shaped like Chromium's
// RTCEncodedVideoFrame (a type, a payload, the metadata's mime type). The browser's side of it
// (the transform on a real sender, through the bundled SFU) is test/e2e/replay.test.ts.
import { describe, expect, it } from 'vitest';
import { nextReplayFrame, replayTransform, takeReplayClip, type ReplayReport } from './replay-worker.ts';

interface FakeFrame {
  type: 'key' | 'delta';
  data: ArrayBuffer;
  getMetadata(): { mimeType: string };
}

const clipFrame = (n: number, key = false) => ({ key, data: new Uint8Array([n]).buffer });
const encoderFrame = (type: 'key' | 'delta', mimeType = 'video/VP8'): FakeFrame => ({ type, data: new Uint8Array([255]).buffer, getMetadata: () => ({ mimeType }) });

/** Runs the frames through a replay transform; returns the first byte of each payload sent, and the reports. */
async function run(frames: FakeFrame[]): Promise<{ sent: number[]; reports: ReplayReport[] }> {
  const reports: ReplayReport[] = [];
  const sent: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const readable = new ReadableStream<FakeFrame>({
    start(c) {
      for (const f of frames) c.enqueue(f);
      c.close();
    },
  });
  const writable = new WritableStream<FakeFrame>({
    write(f) {
      sent.push(new Uint8Array(f.data)[0]!);
      if (sent.length === frames.length) done();
    },
  });
  replayTransform({ postMessage: (m) => reports.push(m as ReplayReport) }, { readable, writable } as never, { role: 'replay', trackId: 't1' });
  await finished;
  return { sent, reports };
}

describe('replay worker', () => {
  it("follows the clip's chain, and starts it again on the encoder's key frames and at its end", async () => {
    expect(takeReplayClip({ replayClip: [clipFrame(0, true), clipFrame(1), clipFrame(2)] })).toBe(true);
    const { sent, reports } = await run(['key', 'delta', 'delta', 'delta', 'delta', 'key', 'delta'].map((t) => encoderFrame(t as 'key' | 'delta')));
    // 0 1 2 | loop: 0 1 | a key frame asked for: 0 1
    expect(sent).toEqual([0, 1, 2, 0, 1, 0, 1]);
    expect(reports).toEqual([{ role: 'replay', trackId: 't1', replayed: true, mimeType: 'video/VP8' }]);
  });

  it('passes another codec through untouched and says so', async () => {
    takeReplayClip({ replayClip: [clipFrame(0, true), clipFrame(1)] });
    const { sent, reports } = await run([encoderFrame('key', 'video/H264'), encoderFrame('delta', 'video/H264')]);
    expect(sent).toEqual([255, 255]);
    expect(reports).toEqual([{ role: 'replay', trackId: 't1', replayed: false, mimeType: 'video/H264' }]);
  });

  it('ignores messages that are not a clip', () => {
    expect(takeReplayClip({ something: 1 })).toBe(false);
    expect(takeReplayClip(null)).toBe(false);
  });

  it('picks the next frame', () => {
    expect(nextReplayFrame(true, 7, 10)).toEqual({ index: 0, position: 1 });
    expect(nextReplayFrame(false, 7, 10)).toEqual({ index: 7, position: 8 });
    expect(nextReplayFrame(false, 10, 10)).toEqual({ index: 0, position: 1 });
  });
});
