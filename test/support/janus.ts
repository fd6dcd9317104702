// A Janus gateway (Debian's `janus`, 1.1.x) and its demo pages (`janus-demos`) for the tests that
// drive a real third-party call app: Debian's config copied to a temporary folder and narrowed to
// what the VideoRoom demo needs (HTTP API on a free loopback port, the VideoRoom plugin only, no
// admin API, no event handlers, a small RTP port range), the demos served over node:http with a
// settings.js that names this Janus. `websockets: true` adds the WebSocket API on a free loopback
// port too, for clients that speak only that (Meetecho's simple-whip-server).
//
// Media: Janus never offers a loopback candidate, so ICE is held to the machine's first non-loopback
// IPv4 interface, and `mediaHost` is its address (what a scenario's target.media names). Janus's
// ICE (libnice) checks every candidate a browser gives it, even with ice_lite on: a shaped page
// must not give it its own host candidates, or media takes a direct path around the page's link.
//
// No orphan: janus gets PR_SET_PDEATHSIG through util-linux's `setpriv`, so even a SIGKILLed test
// process takes it along; an 'exit' hook covers the usual ways out as well.
import { spawn } from 'node:child_process';
import { closeSync, cpSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { answers, freePort, logTail, supervise } from './process-helpers.ts';

export interface JanusOptions {
  /** UDP ports Janus's ICE may use, inclusive. Default [20000, 20099]. */
  rtpPorts?: [number, number];
  /** Default 'janus' (from $PATH). */
  binary?: string;
  /** Debian's config folder, copied. Default '/etc/janus'. */
  configDir?: string;
  /** The demo pages. Default '/usr/share/janus/demos'. */
  demosDir?: string;
  /** How long start waits for `GET /janus/info` to answer, ms. Default 15000. */
  readyTimeoutMs?: number;
  /** More janus flags, appended: ['-l'] logs libnice's ICE debugging. Default none. */
  extraArgs?: string[];
  /** The WebSocket API (protocol 'janus-protocol') on 127.0.0.1, a free port: see `Janus.wsUrl`. Default false. */
  websockets?: boolean;
}

export interface Janus {
  /** Where the demo pages are served: `${httpUrl}/videoroomtest.html`. */
  readonly httpUrl: string;
  /** Janus's HTTP API, e.g. http://127.0.0.1:41234/janus. */
  readonly apiUrl: string;
  /** Its WebSocket API, e.g. ws://127.0.0.1:41235, when started with `websockets: true`; else null. */
  readonly wsUrl: string | null;
  /** The address Janus offers its ICE candidates on (target.media's host). */
  readonly mediaHost: string;
  /** The UDP port range of its candidates, inclusive. */
  readonly rtpPorts: [number, number];
  /** Janus's output. */
  readonly logPath: string;
  /** SIGTERM then SIGKILL, closes the page server, removes the config. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT = "install the Debian packages with 'apt-get install janus janus-demos' (or run 'npm run setup' as root)";

export async function startJanus(options: JanusOptions = {}): Promise<Janus> {
  const binary = options.binary ?? 'janus';
  const configDir = options.configDir ?? '/etc/janus';
  const demosDir = options.demosDir ?? '/usr/share/janus/demos';
  const rtpPorts = options.rtpPorts ?? [20000, 20099];
  if (!onPath(binary) || !existsSync(join(configDir, 'janus.jcfg'))) throw new Error(`Janus is not installed (no '${binary}' or ${configDir}/janus.jcfg): ${INSTALL_HINT}`);
  if (!existsSync(join(demosDir, 'videoroomtest.html'))) throw new Error(`Janus's demo pages are not installed (no ${demosDir}/videoroomtest.html): ${INSTALL_HINT}`);
  const media = mediaInterface();

  const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-janus-'));
  const logPath = join(dir, 'janus.log');
  let pages: Server | undefined;
  try {
    cpSync(configDir, dir, { recursive: true });
    const apiPort = await freePort();
    const mainPath = join(dir, 'janus.jcfg');
    const httpPath = join(dir, 'janus.transport.http.jcfg');
    const wsPort = options.websockets ? await freePort() : null;
    writeFileSync(mainPath, janusConfig(readFileSync(mainPath, 'utf8'), { dir, rtpPorts, iceInterface: media.name, websockets: wsPort !== null }));
    writeFileSync(httpPath, httpTransportConfig(readFileSync(httpPath, 'utf8'), apiPort));
    if (wsPort !== null) {
      const wsPath = join(dir, 'janus.transport.websockets.jcfg');
      writeFileSync(wsPath, wsTransportConfig(readFileSync(wsPath, 'utf8'), wsPort));
    }
    const apiUrl = `http://127.0.0.1:${apiPort}/janus`;
    const wsUrl = wsPort === null ? null : `ws://127.0.0.1:${wsPort}`;
    pages = await serveDemos(demosDir, apiUrl);
    const address = pages.address();
    const httpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const logFd = openSync(logPath, 'a');
    // setpriv execs janus in place (same pid) with a parent-death signal set.
    const janusArgs = ['-F', dir, '-o', ...(options.extraArgs ?? [])];
    const [command, args] = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', binary, ...janusArgs]] : [binary, janusArgs];
    const child = spawn(command, args, { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    const proc = supervise(child);
    const server = pages;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        await proc.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        rmSync(dir, { recursive: true, force: true });
      })());

    const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
    for (;;) {
      if (proc.ended) {
        const tail = logTail(logPath);
        await stop();
        throw new Error(`janus exited while starting:\n${tail}`);
      }
      if ((await answers(`${apiUrl}/info`)) && (wsPort === null || (await accepts(wsPort)))) break;
      if (Date.now() > deadline) {
        const tail = logTail(logPath);
        await stop();
        throw new Error(`janus did not answer ${apiUrl}/info${wsUrl ? ` and ${wsUrl}` : ''} within ${options.readyTimeoutMs ?? 15_000} ms:\n${tail}`);
      }
      await sleep(200);
    }
    return { httpUrl, apiUrl, wsUrl, mediaHost: media.address, rtpPorts, logPath, stop };
  } catch (err) {
    if (pages?.listening) pages.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Sets `key = value` in a `section: { ... }` of a jcfg (libconfig) file: replaces the line, else adds it first in the section. */
export function setInSection(text: string, section: string, key: string, value: string | number | boolean): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^${section}:\\s*\\{`).test(l));
  if (start < 0) throw new Error(`no '${section}: {' section in the Janus config`);
  let end = lines.findIndex((l, i) => i > start && /^\}/.test(l));
  if (end < 0) end = lines.length;
  const rendered = `\t${key} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
  const existing = lines.findIndex((l, i) => i > start && i < end && new RegExp(`^\\s*${key}\\s*=`).test(l));
  if (existing >= 0) lines[existing] = rendered;
  else lines.splice(start + 1, 0, rendered);
  return lines.join('\n');
}

/** janus.jcfg for one test: this folder, the VideoRoom plugin and HTTP (and WebSocket) transport only, ICE on one interface and port range. */
function janusConfig(text: string, o: { dir: string; rtpPorts: [number, number]; iceInterface: string; websockets: boolean }): string {
  // Every library of a kind but those in `keep`, from the folder the config names (plugins_folder, ...).
  const others = (kind: string, ...keep: string[]) => {
    const folder = new RegExp(`^\\s*${kind}_folder\\s*=\\s*"([^"]+)"`, 'm').exec(text)?.[1];
    if (!folder || !existsSync(folder)) return '';
    return readdirSync(folder)
      .filter((f) => /^libjanus_.*\.so$/.test(f) && !keep.includes(f))
      .join(',');
  };
  let out = text;
  out = setInSection(out, 'general', 'configs_folder', o.dir);
  out = setInSection(out, 'media', 'rtp_port_range', `${o.rtpPorts[0]}-${o.rtpPorts[1]}`);
  out = setInSection(out, 'nat', 'ice_enforce_list', o.iceInterface);
  // Loaded plugins open ports of their own (the streaming demo's RTP mountpoints) and cost start-up time.
  out = setInSection(out, 'plugins', 'disable', others('plugins', 'libjanus_videoroom.so'));
  // Debian's WebSockets config takes port 8188 for every Janus on the machine: only on request, on a port of its own.
  out = setInSection(out, 'transports', 'disable', o.websockets ? others('transports', 'libjanus_http.so', 'libjanus_websockets.so') : others('transports', 'libjanus_http.so'));
  out = setInSection(out, 'loggers', 'disable', others('loggers', ''));
  out = setInSection(out, 'events', 'broadcast', false);
  out = setInSection(out, 'events', 'disable', others('events', ''));
  return out;
}

/** janus.transport.http.jcfg: the API on 127.0.0.1:port, no admin API. */
function httpTransportConfig(text: string, port: number): string {
  let out = text;
  out = setInSection(out, 'general', 'ip', '127.0.0.1');
  out = setInSection(out, 'general', 'port', port);
  out = setInSection(out, 'general', 'https', false);
  out = setInSection(out, 'admin', 'admin_http', false);
  out = setInSection(out, 'admin', 'admin_https', false);
  return out;
}

/** janus.transport.websockets.jcfg: the Janus API over ws://127.0.0.1:port, no wss, no admin API. */
function wsTransportConfig(text: string, port: number): string {
  let out = text;
  out = setInSection(out, 'general', 'ws', true);
  out = setInSection(out, 'general', 'ws_port', port);
  out = setInSection(out, 'general', 'ws_ip', '127.0.0.1');
  out = setInSection(out, 'general', 'wss', false);
  out = setInSection(out, 'admin', 'admin_ws', false);
  out = setInSection(out, 'admin', 'admin_wss', false);
  return out;
}

/**
 * Debian's settings.js points at port 8088 and lacks the `token` and `apisecret` globals the demos
 * read. An empty iceServers list: janus.js would otherwise add Google's STUN server, unreachable here.
 */
export function demoSettings(apiUrl: string): string {
  return `var server = ${JSON.stringify(apiUrl)};\nvar iceServers = [];\nvar token = null;\nvar apisecret = null;\n`;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/** The demo folder over HTTP on 127.0.0.1 (a free port), with our settings.js. */
async function serveDemos(root: string, apiUrl: string): Promise<Server> {
  const settings = demoSettings(apiUrl);
  const server = createHttpServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/settings.js') {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.js']! }).end(settings);
      return;
    }
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    // The demo folder's javascript/ entries are symlinks into /usr/share/javascript: statSync follows them.
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

/** The first non-internal IPv4 interface: Janus's candidates go there. */
function mediaInterface(): { name: string; address: string } {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return { name, address: v4.address };
  }
  throw new Error('no non-loopback IPv4 interface: Janus offers no loopback ICE candidate, so its media needs one');
}

function onPath(binary: string): boolean {
  if (binary.includes('/')) return existsSync(binary);
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, binary)));
}

/** A TCP connect to 127.0.0.1:port succeeds (the WebSocket transport listens). */
async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 2_000 });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

