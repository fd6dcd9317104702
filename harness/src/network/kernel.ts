// Detects whether kernel shaping (tc netem inside per-participant network namespaces) could
// replace the user-space relay. Detection only: the harness shapes in user space everywhere;
// a kernel mode would give exact per-packet timing at no relay CPU, but needs root, the
// sch_netem module and a namespace (veth pair) per participant, and the browsers would have to
// run inside those namespaces. This tells a user why it is off on their machine.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export type KernelShaping =
  | { available: true; detail: string }
  | {
      available: false;
      /** One sentence a user can act on. */
      reason: string;
      /** What was checked, in order, with its outcome. */
      checks: string[];
    };

interface RunResult {
  code: number | null;
  stderr: string;
}

function run(file: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs }, (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stderr: String(stderr || (error && !stderr ? error.message : '')).trim() });
    });
  });
}

async function findExecutable(name: string): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      await access(path, 1 /* X_OK */);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

export interface KernelDetectOptions {
  /** Time limit of each probe command, ms. Default 5000. */
  timeoutMs?: number;
}

/**
 * Tries `tc qdisc add dev lo root netem delay 1ms` in a throwaway network namespace
 * (`unshare --net`, gone when the command exits, so nothing is left to clean up).
 */
export async function detectKernelShaping(options: KernelDetectOptions = {}): Promise<KernelShaping> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const checks: string[] = [];
  const no = (reason: string): KernelShaping => ({ available: false, reason, checks });

  if (process.platform !== 'linux') return no(`netem is Linux-only (this is ${process.platform}); the user-space relay shapes instead`);
  checks.push('platform: linux');

  const uid = process.getuid?.() ?? -1;
  checks.push(`uid: ${uid}`);
  if (uid !== 0) return no('kernel shaping needs root (CAP_NET_ADMIN) to create namespaces and qdiscs; the user-space relay needs neither');

  const tc = await findExecutable('tc');
  const unshare = await findExecutable('unshare');
  checks.push(`tc: ${tc ?? 'not found'}`, `unshare: ${unshare ?? 'not found'}`);
  if (!tc || !unshare) return no('tc (iproute2) and unshare (util-linux) are needed: apt-get install -y iproute2 util-linux');

  const probe = await run(unshare, ['--net', tc, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], timeoutMs);
  checks.push(`unshare --net tc qdisc add dev lo root netem: ${probe.code === 0 ? 'ok' : `exit ${probe.code}: ${probe.stderr}`}`);
  if (probe.code === 0) return { available: true, detail: 'netem qdisc accepted in a throwaway network namespace' };

  if (/qdisc kind is unknown/i.test(probe.stderr)) {
    const modprobe = await findExecutable('modprobe');
    if (modprobe) {
      const dry = await run(modprobe, ['-n', 'sch_netem'], timeoutMs);
      checks.push(`modprobe -n sch_netem: ${dry.code === 0 ? 'loadable' : `exit ${dry.code}: ${dry.stderr}`}`);
      if (dry.code === 0) return no('the sch_netem module exists but is not loaded: run modprobe sch_netem');
    }
    return no('this kernel has no netem qdisc (sch_netem is neither built in nor available as a module); the user-space relay shapes instead');
  }
  if (/operation not permitted|permission denied/i.test(probe.stderr)) {
    return no('creating a network namespace was refused (a container without CAP_SYS_ADMIN?); the user-space relay shapes instead');
  }
  return no(`the netem probe failed: ${probe.stderr || `exit ${probe.code}`}`);
}
