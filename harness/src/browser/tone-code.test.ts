import { describe, expect, it } from 'vitest';
import { BURST_MS, BurstDetector, NOISE_AMPLITUDE, TONE_AMPLITUDE, burstDelayMs, burstTones, decodeBurst, nextBurstMs, slotOf } from './tone-code.ts';

const RATE = 48_000;

/** `seconds` of audio: silence (plus optional noise) with one burst of `sender` starting at `onsetS`, sent on burst `burstMs`. */
function signal(seconds: number, bursts: Array<{ onsetS: number; sender: number; burstMs: number }>, noise = 0): Float32Array {
  const x = new Float32Array(Math.round(seconds * RATE));
  let seed = 12345;
  for (let i = 0; i < x.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    x[i] = noise * ((seed / 0x7fffffff) * 2 - 1);
  }
  for (const b of bursts) {
    const tones = burstTones(b.sender, b.burstMs);
    const start = Math.round(b.onsetS * RATE);
    for (let i = 0; i < (BURST_MS / 1000) * RATE && start + i < x.length; i++) {
      const t = i / RATE;
      x[start + i]! += tones.reduce((sum, f) => sum + TONE_AMPLITUDE * Math.sin(2 * Math.PI * f * t), 0);
    }
  }
  return x;
}

function detect(x: Float32Array, block = 128) {
  const d = new BurstDetector(RATE);
  const heard = [];
  for (let i = 0; i < x.length; i += block) heard.push(...d.push(x.subarray(i, i + block), i / RATE));
  return { heard, unreadable: d.unreadable };
}

describe('tone code', () => {
  it('reads every sender number and slot back from a burst', () => {
    for (const sender of [0, 1, 15, 16, 127, 200, 255]) {
      for (const burstMs of [0, 1000, 2000, 3000, 7000]) {
        const x = signal(0.05, [{ onsetS: 0, sender, burstMs }]).subarray(0, RATE * 0.04);
        expect(decodeBurst(x, RATE)).toEqual({ sender, slot: slotOf(burstMs) });
      }
    }
  });

  it('says nothing of silence or noise', () => {
    expect(decodeBurst(new Float32Array(1920), RATE)).toBeNull();
    expect(detect(signal(2, [], NOISE_AMPLITUDE)).heard).toEqual([]);
  });

  it('times each onset to the sample, in any block size, under noise', () => {
    const bursts = [
      { onsetS: 0.5123, sender: 42, burstMs: 5000 },
      { onsetS: 1.5871, sender: 42, burstMs: 6000 },
      { onsetS: 2.5004, sender: 42, burstMs: 7000 },
    ];
    for (const block of [128, 480, 1000]) {
      const { heard, unreadable } = detect(signal(3, bursts, NOISE_AMPLITUDE), block);
      expect(unreadable).toBe(0);
      expect(heard.map((h) => [h.sender, h.slot])).toEqual(bursts.map((b) => [42, slotOf(b.burstMs)]));
      heard.forEach((h, i) => expect(Math.abs(h.onsetSeconds - bursts[i]!.onsetS)).toBeLessThan(1.5 / 1000));
    }
  });

  it('needs quiet before an onset: a burst hard after another is not a new one', () => {
    const { heard } = detect(signal(1, [{ onsetS: 0.4, sender: 3, burstMs: 0 }, { onsetS: 0.55, sender: 3, burstMs: 1000 }]));
    expect(heard).toHaveLength(1);
  });

  it('turns an onset and its slot into the delay since the burst was sent', () => {
    // Sent at 10 000 ms (slot 2), heard 87 ms later.
    expect(burstDelayMs(10_087, slotOf(10_000))).toBeCloseTo(87, 6);
    // Heard 1.3 s later, in the next second: the slot still names the right burst.
    expect(burstDelayMs(11_300, slotOf(10_000))).toBeCloseTo(1300, 6);
    expect(nextBurstMs(10_000.5)).toBe(11_000);
    expect(nextBurstMs(10_000)).toBe(10_000);
    expect(() => burstTones(256, 0)).toThrow(/0\.\.255/);
  });
});

describe('tone code against other sounds', () => {
  it('does not take a lone 1 kHz beep (a fake microphone) for a burst', () => {
    const x = new Float32Array(1920);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / RATE);
    expect(decodeBurst(x, RATE)).toBeNull();
  });
});
