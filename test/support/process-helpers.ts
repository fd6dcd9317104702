// Small helpers for the tests that start a third-party server as a child process (Janus,
// simple-whip-server): a free loopback port to give it, whether it answers yet, and the end of
// its log for the error when it does not.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 now (the OS picks it; a server started next takes it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('could not find a free port');
  return address.port;
}

/** A GET of `url` answers 2xx within 2 s. */
export async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** The last `lines` lines of a log file, or '(no log)'. */
export function logTail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A started server process: whether it has ended, and a stop that waits for it to end. */
export interface Supervised {
  readonly ended: boolean;
  /** SIGTERM, SIGKILL after 5 s, resolved once the process has ended. Idempotent. */
  stop(): Promise<void>;
}

/** Watches `child` and kills it if this process exits first (the 'exit' hook: setpriv covers SIGKILL). */
export function supervise(child: ChildProcess): Supervised {
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    child.once('error', () => ((ended = true), resolve()));
    child.once('exit', () => ((ended = true), resolve()));
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  return {
    get ended() {
      return ended;
    },
    stop: () =>
      (stopping ??= (async () => {
        if (!ended) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        }
        process.off('exit', killOnExit);
      })()),
  };
}
