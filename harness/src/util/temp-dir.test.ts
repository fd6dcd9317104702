// The sweep of folders left by killed runs, on real processes: one that has exited, this one, one
// started after its folder was made (a reused pid), and folders that are not the harness's.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, sweepStaleTempDirs } from './temp-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-sweep-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const folder = (name: string) => {
  mkdirSync(join(dir, name));
  return join(dir, name);
};

describe('sweepStaleTempDirs', () => {
  it('removes the folders of processes that are gone, and only those', () => {
    const exited = spawnSync('true').pid!;
    const dead = folder(`rtc-harness-chromium-${exited}-aB3dE9`);
    const deadFirefox = folder(`rtc-harness-firefox-${exited}-aB3dE9`);
    const mine = folder(`rtc-harness-turn-${process.pid}-aB3dE9`);
    const initsOwn = folder('rtc-harness-prometheus-1-aB3dE9');
    const testOutput = folder('rtc-harness-e2e-aB3dE9');
    const notADir = join(dir, `rtc-harness-chromium-${exited}-zzzzzz`);
    writeFileSync(notADir, '');
    const oldUnnamed = folder('rtc-harness-chromium-Qw12Er');
    const twoDaysAgo = (Date.now() - 48 * 3600_000) / 1000;
    utimesSync(oldUnnamed, twoDaysAgo, twoDaysAgo);
    const newUnnamed = folder('rtc-harness-turn-Qw12Es');

    expect(sweepStaleTempDirs(dir).sort()).toEqual([dead, deadFirefox, oldUnnamed].sort());
    for (const kept of [mine, initsOwn, testOutput, notADir, newUnnamed]) expect(existsSync(kept), kept).toBe(true);
    for (const p of [mine, initsOwn, testOutput, notADir, newUnnamed]) rmSync(p, { recursive: true });
  });

  it('a folder made before the process that now holds its pid is stale', async () => {
    const made = folder('rtc-harness-turn-0-aB3dE9');
    await new Promise((r) => setTimeout(r, 1500));
    const later = spawn('sleep', ['10']);
    try {
      const named = join(dir, `rtc-harness-turn-${later.pid}-aB3dE9`);
      // rename keeps the folder's birth time: the folder is older than the process now named in it.
      spawnSync('mv', [made, named]);
      expect(sweepStaleTempDirs(dir)).toEqual([named]);
    } finally {
      later.kill();
    }
  });
});

describe('makeTempDir', () => {
  it("names the folder after this process and removes it on remove()", () => {
    const t = makeTempDir('rtc-harness-chromium-');
    expect(t.path).toMatch(new RegExp(`/rtc-harness-chromium-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(existsSync(t.path)).toBe(true);
    t.remove();
    expect(existsSync(t.path)).toBe(false);
  });
});
