// The load guard's account of CPU that was not the run's, against real busy processes on this
// machine: one outside the run's process tree (as a neighbour's job would be), one inside it. It
// is here rather than with the unit tests because the unit tests run in parallel and would count
// as neighbours themselves.
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { processTable, processTreeCpuSeconds } from '../../harness/src/runner/cpu.ts';
import { LoadGuard } from '../../harness/src/runner/guard.ts';

const BUSY = 'const end = Date.now() + 6000; while (Date.now() < end);';
const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Ticks a guard once a second for `seconds`, reading this process's tree, and returns its verdict. */
async function watch(seconds: number) {
  const guard = new LoadGuard({ cpuPercent: 101, sustainedMs: 60_000 });
  for (let i = 0; i <= seconds; i++) {
    guard.tick(Date.now(), processTreeCpuSeconds(process.pid, processTable()));
    await new Promise((r) => setTimeout(r, 1000));
  }
  return guard.verdict();
}

describe('load guard', () => {
  it("counts a busy process outside the run as not the run's, and one inside it as the run's", async () => {
    // Outside: the shell exits at once and its busy child is adopted by init.
    const shell = spawnSync('sh', ['-c', `${JSON.stringify(process.execPath)} -e '${BUSY}' >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' });
    started.push(Number(shell.stdout.trim()));
    const outside = await watch(3);
    console.log(`busy neighbour: machine ${outside.avgCpuPercent?.toFixed(0)}%, not the run's ${outside.avgOthersCpuPercent?.toFixed(0)}%`);
    // One core of this machine's cores is busy: that share, less what the scheduler took back.
    const oneCorePercent = 100 / (await import('node:os')).cpus().length;
    expect(outside.avgOthersCpuPercent!).toBeGreaterThan(oneCorePercent * 0.6);
    for (const pid of started.splice(0)) process.kill(pid, 'SIGKILL');

    const child = spawn(process.execPath, ['-e', BUSY], { stdio: 'ignore' });
    started.push(child.pid!);
    const inside = await watch(3);
    console.log(`busy child: machine ${inside.avgCpuPercent?.toFixed(0)}%, not the run's ${inside.avgOthersCpuPercent?.toFixed(0)}%`);
    expect(inside.avgCpuPercent!).toBeGreaterThan(oneCorePercent * 0.6);
    expect(inside.avgOthersCpuPercent!).toBeLessThan(outside.avgOthersCpuPercent! - oneCorePercent * 0.4);
  });
});
