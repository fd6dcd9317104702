// The clip file itself: a well-formed y4m of the asked size and rate, the loop's length, the same
// bytes every time (so every machine and every cached copy is the same clip), and a picture that
// moves and has texture (an encoder would otherwise have nothing to work on).
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIP_SECONDS, ensureClip } from './clip.ts';

describe('ensureClip', () => {
  let dir: string;
  const saved = process.env.RTC_HARNESS_CACHE_DIR;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtc-harness-clip-test-'));
    process.env.RTC_HARNESS_CACHE_DIR = dir;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.RTC_HARNESS_CACHE_DIR;
    else process.env.RTC_HARNESS_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const format = { width: 160, height: 90, fps: 10 };
  const frameBytes = (format.width * format.height * 3) / 2;

  it('writes a y4m of the size and rate asked, one loop long', () => {
    const bytes = readFileSync(ensureClip(format));
    const header = bytes.subarray(0, bytes.indexOf(0x0a) + 1).toString();
    expect(header).toBe('YUV4MPEG2 W160 H90 F10:1 Ip A1:1 C420jpeg\n');
    expect(bytes.length).toBe(header.length + CLIP_SECONDS * format.fps * ('FRAME\n'.length + frameBytes));
  });

  it('is the same clip every time, and kept: a second call makes nothing', () => {
    const path = ensureClip(format);
    const first = createHash('sha256').update(readFileSync(path)).digest('hex');
    rmSync(path);
    const again = ensureClip(format);
    expect(again).toBe(path);
    expect(createHash('sha256').update(readFileSync(again)).digest('hex')).toBe(first);
  });

  it('moves and has texture: consecutive frames differ, and luma spreads over a wide range', () => {
    const bytes = readFileSync(ensureClip(format));
    const start = bytes.indexOf(0x0a) + 1;
    const luma = (i: number) => bytes.subarray(start + i * (6 + frameBytes) + 6, start + i * (6 + frameBytes) + 6 + format.width * format.height);
    const a = luma(0);
    const b = luma(5);
    let changed = 0;
    for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 8) changed++;
    expect(changed / a.length).toBeGreaterThan(0.3);
    expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(100);
  });

  it('refuses a size an encoder would not take', () => {
    expect(() => ensureClip({ width: 161, height: 90, fps: 10 })).toThrow(/even width and height/);
    expect(() => ensureClip({ width: 160, height: 90, fps: 0 })).toThrow(/frame rate/);
  });
});
