// A coturn TURN server (Debian's `turnserver`) run in the foreground for one run, on loopback:
// a generated config (random REST secret, UDP + TCP on one port, TLS on another with a
// certificate made for the run), its output appended to a log file, ready once it answers a STUN
// Binding request over UDP and accepts TCP on both ports, stopped with SIGTERM then SIGKILL.
//
// No orphan: the process gets PR_SET_PDEATHSIG through util-linux's `setpriv`, so even a
// SIGKILLed harness takes it along; an 'exit' hook covers the usual ways out as well.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { withParentDeathSignal } from '../util/parent-death.ts';
import { makeTempDir } from '../util/temp-dir.ts';
import { createSelfSignedCertificate } from './cert.ts';
import { coturnConfig } from './config.ts';

export interface CoturnOptions {
  /** Where coturn's output goes (appended), e.g. `<outDir>/coturn.log`. Required. */
  logPath: string;
  /** Address of the listeners. Default '127.0.0.1'. */
  listenIp?: string;
  /** Address relayed media leaves from. Default '127.0.0.2' (see CoturnConfigInput.relayIp). */
  relayIp?: string;
  /** Default 'rtc-harness'. */
  realm?: string;
  /** `static-auth-secret`. Default: 32 random bytes, new for every start. */
  secret?: string;
  /** Allocations per user (per participant's credentials). Default 32. */
  userQuota?: number;
  /** Allocations in all. Default 2048. */
  totalQuota?: number;
  /** Log each TURN request (needed for the allocation and byte counts of the summary). Default true. */
  verbose?: boolean;
  /** Default 'turnserver' (from $PATH). */
  binary?: string;
  /** How long start waits for readiness, ms. Default 10000. */
  readyTimeoutMs?: number;
}

/** How coturn ended: an exit code, or the signal that killed it. */
export interface CoturnExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  atMs: number;
}

export interface Coturn {
  readonly pid: number;
  readonly listenIp: string;
  readonly relayIp: string;
  /** TURN over UDP and TCP. */
  readonly port: number;
  /** TURN over TLS. */
  readonly tlsPort: number;
  readonly realm: string;
  readonly secret: string;
  /** The TLS certificate's public key hash (base64 SHA-256 of its SPKI): the one certificate browsers are told to accept. */
  readonly tlsSpkiSha256: string;
  readonly logPath: string;
  /** One URL per transport, as pages are given them. */
  readonly urls: { udp: string; tcp: string; tls: string };
  /** true once the process is gone. */
  readonly exited: boolean;
  /**
   * Resolves when coturn exits without stop() having asked it to (killed, crashed), with how;
   * never resolves otherwise. The run's relayed participants lose their media at that moment.
   */
  readonly died: Promise<CoturnExit>;
  /** SIGTERM, then SIGKILL after graceMs (default 3000); removes the run's config. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const INSTALL_HINT = "install it with 'apt-get install -y coturn' (or run 'npm run setup')";
const START_ATTEMPTS = 3;

/** Starts coturn; throws with the last lines of its log when it cannot. */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      lastError = err as Error;
      // Only a port taken between choosing it and coturn's bind is worth another try.
      if (!/in use|cannot bind|not ready/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOnce(options: CoturnOptions): Promise<Coturn> {
  const listenIp = options.listenIp ?? '127.0.0.1';
  const relayIp = options.relayIp ?? '127.0.0.2';
  const realm = options.realm ?? 'rtc-harness';
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const binary = options.binary ?? 'turnserver';
  // Holds the TURN secret and the TLS key: removed however the process ends (temp-dir.ts).
  const temp = makeTempDir('rtc-harness-turn-');
  const dir = temp.path;
  const removeDir = () => temp.remove();
  let child: ChildProcess;
  let port: number;
  let tlsPort: number;
  let tlsSpkiSha256: string;
  try {
    port = await freePort(listenIp, true);
    tlsPort = await freePort(listenIp, false, port);
    const cert = await createSelfSignedCertificate(dir, listenIp);
    tlsSpkiSha256 = cert.spkiSha256;
    const confPath = join(dir, 'turnserver.conf');
    writeFileSync(
      confPath,
      coturnConfig({
        listenIp,
        relayIp,
        port,
        tlsPort,
        ...cert,
        secret,
        realm,
        minPort: 49152,
        maxPort: 65535,
        userDbPath: join(dir, 'turndb'),
        pidPath: join(dir, 'turnserver.pid'),
        userQuota: options.userQuota ?? 32,
        totalQuota: options.totalQuota ?? 2048,
        verbose: options.verbose ?? true,
      }),
      { mode: 0o600 },
    );
    const logFd = openSync(options.logPath, 'a');
    try {
      const [command, args] = withParentDeathSignal(binary, ['-c', confPath]);
      child = spawn(command, args, { stdio: ['ignore', logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
  } catch (err) {
    removeDir();
    throw err;
  }

  let ended: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => ((ended = { code: null, signal: null, error }), resolve()));
    child.once('exit', (code, signal) => ((ended ??= { code, signal }), resolve()));
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const died = new Promise<CoturnExit>((resolve) => {
    void exited.then(() => {
      if (stopping === undefined && ended) resolve({ code: ended.code, signal: ended.signal, atMs: Date.now() });
    });
  });
  const stop = (graceMs = 3_000): Promise<void> =>
    (stopping ??= (async () => {
      if (!ended) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      removeDir();
    })());

  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  for (;;) {
    if (ended) {
      await stop();
      if ((ended.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new Error(`coturn's turnserver not found (${binary}): ${INSTALL_HINT}`);
      }
      throw new Error(`coturn exited (${ended.error?.message ?? `code ${ended.code}, signal ${ended.signal}`}) before it was ready: ${lastLines(options.logPath)}`);
    }
    if ((await stunAnswers(listenIp, port)) && (await tcpAccepts(listenIp, port)) && (await tcpAccepts(listenIp, tlsPort))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`coturn was not ready after ${options.readyTimeoutMs ?? 10_000} ms (log: ${options.logPath}): ${lastLines(options.logPath)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const host = listenIp.includes(':') ? `[${listenIp}]` : listenIp;
  return {
    pid: child.pid!,
    listenIp,
    relayIp,
    port,
    tlsPort,
    realm,
    secret,
    tlsSpkiSha256,
    logPath: options.logPath,
    urls: {
      udp: `turn:${host}:${port}?transport=udp`,
      tcp: `turn:${host}:${port}?transport=tcp`,
      tls: `turns:${host}:${tlsPort}?transport=tcp`,
    },
    get exited() {
      return ended !== undefined;
    },
    died,
    stop,
  };
}

/** A port free on `host` for TCP (and UDP too when `udp`), other than `not`. */
async function freePort(host: string, udp: boolean, not?: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const address = server.address();
        server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
      });
    });
    if (port === not) continue;
    if (!udp || (await udpFree(host, port))) return port;
  }
  throw new Error(`no free port on ${host} for coturn`);
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** Sends a STUN Binding request (RFC 5389) and waits briefly for any answer. */
function stunAnswers(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(request, 8);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('message', (msg) => done(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101));
    socket.send(request, port, host);
  });
}

function tcpAccepts(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function lastLines(path: string, count = 4): string {
  try {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const errors = lines.filter((l) => /error|cannot|fail/i.test(l));
    return (errors.length ? errors : lines).slice(-count).join(' | ') || '(no output)';
  } catch {
    return '(no log)';
  }
}
