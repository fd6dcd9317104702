// Daemons the harness starts (coturn, Prometheus, the Pushgateway) must not outlive it: a
// SIGKILL or an OOM kill of the harness runs none of its exit handlers. util-linux's setpriv
// (always on Debian) execs the daemon in place, same pid, with the kernel's parent-death signal
// set, so the kernel kills it when the harness dies, however it dies.
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';

/** The command and arguments that start `binary args` with a parent-death SIGKILL where setpriv exists. */
export function withParentDeathSignal(binary: string, args: readonly string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, [...args]];
}
