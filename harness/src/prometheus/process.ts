// A helper daemon (Prometheus, the Pushgateway) run in the foreground for the length of a run:
// started on a free loopback port, waited for until its readiness URL answers, stopped with
// SIGTERM then SIGKILL. Its output goes to a log file in the run's folder. If the harness exits
// without stopping it (an uncaught error, a second Ctrl-C), an 'exit' hook kills it: no orphan.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { withParentDeathSignal } from '../util/parent-death.ts';

export interface DaemonOptions {
  /** For messages: 'Prometheus'. */
  name: string;
  binary: string;
  /** Arguments, given the port chosen for it. */
  args: (port: number) => string[];
  /** Where stdout and stderr go (appended). */
  logPath: string;
  /** Path answering 200 once ready, e.g. '/-/ready'. */
  readyPath: string;
  /** How long start() waits for readiness, ms. Default 20000. */
  readyTimeoutMs?: number;
  /** What to tell the user when the binary is missing. */
  installHint: string;
  /** A fixed port. Default: a free one. */
  port?: number;
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10000). Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const HOST = '127.0.0.1';
const PORT_ATTEMPTS = 3;

/** A port free on loopback now (another process may still take it: start() retries). */
export function freePort(host = HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  if (options.port !== undefined) return startOnce(options, options.port);
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    try {
      return await startOnce(options, port);
    } catch (err) {
      lastError = err as Error;
      // Only a port taken between freePort() and the daemon's bind is worth another try.
      if (!/address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError ?? new Error(`${options.name} did not start`);
}

async function startOnce(options: DaemonOptions, port: number): Promise<Daemon> {
  const logFd = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    const [command, args] = withParentDeathSignal(options.binary, options.args(port));
    child = spawn(command, args, { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const url = `http://${HOST}:${port}`;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
    })());

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  let ended: Awaited<typeof exited> | undefined;
  void exited.then((e) => (ended = e));
  for (;;) {
    if (ended) {
      await stop();
      if (ended.error && (ended.error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`${options.name} not found at ${options.binary}: ${options.installHint}`);
      }
      throw new Error(`${options.name} exited (${ended.error?.message ?? `code ${ended.code}`}) before it was ready: ${lastLines(options.logPath)}`);
    }
    if (await answers(`${url}${options.readyPath}`)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} was not ready after ${options.readyTimeoutMs ?? 20_000} ms (log: ${options.logPath}): ${lastLines(options.logPath)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name: options.name, pid: child.pid!, port, url, stop };
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

function lastLines(path: string, count = 3): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-count).join(' | ') || '(no output)';
  } catch {
    return '(no log)';
  }
}
