// Meetecho's simple-whip-server (Debian's `simple-whip-server`), a WHIP server nobody here wrote,
// in front of a Janus started by ./janus.ts with `websockets: true`: it publishes each WHIP session
// into a VideoRoom room over Janus's WebSocket API.
//
// Debian's package cannot be installed next to Node 20 (it depends on Debian's nodejs), so its
// .deb is fetched with `apt-get download` and unpacked once into a cache (`npm run setup` does the
// same), and server.js runs with this repo's node: its npm modules (express 4, websocket, ...) are
// devDependencies here, found through NODE_PATH. Each server gets a folder of its own with the two
// sources and a config.js naming its Janus and a free port.
//
// server.js listens on every interface and has no setting for it: a preloaded module binds its
// one `listen(port, callback)` to 127.0.0.1 instead, leaving the sources as Debian ships them.
// No orphan: node gets PR_SET_PDEATHSIG through `setpriv`, as janus does.
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureSimpleWhipServerSources } from '../../scripts/simple-whip-server.mjs';
import { answers, freePort, logTail, supervise } from './process-helpers.ts';

export interface SimpleWhipServerOptions {
  /** Janus's WebSocket API: `(await startJanus({ websockets: true })).wsUrl`. Required. */
  janusWsUrl: string;
  /** Where the .deb and its unpacked files are kept. Default `$RTC_HARNESS_CACHE_DIR/simple-whip-server`, else `~/.cache/rtc-harness/simple-whip-server`. */
  cacheDir?: string;
  /** How long start waits for the REST API (the server first connects to Janus), ms. Default 15000. */
  readyTimeoutMs?: number;
}

/** What POST /whip/create takes (the server's README); the room must exist in Janus already. */
export interface WhipEndpointSpec {
  /** The endpoint's id: its WHIP URL is `${url}/endpoint/${id}`. */
  id: string;
  /** The VideoRoom room its publisher joins, e.g. 1234 (Debian's demo room). */
  room: number;
  /** Required from clients as `Authorization: Bearer <token>`. Default none. */
  token?: string;
  /** The publisher's display name in the room (also its session key in the server). Default 'WHIP Publisher <room>'. */
  label?: string;
}

/** One entry of GET /whip/endpoints: `enabled` while a WHIP session publishes through it. */
export interface WhipEndpointState {
  id: string;
  room: number;
  label: string;
  enabled: boolean;
}

export interface SimpleWhipServer {
  /** The WHIP REST API's base, e.g. http://127.0.0.1:41236/whip. */
  readonly url: string;
  /** The server's output (its `debug` channels whip:* and janus:*). */
  readonly logPath: string;
  /** Creates an endpoint (POST /whip/create) and returns its WHIP URL. */
  createEndpoint(spec: WhipEndpointSpec): Promise<string>;
  /** The WHIP URL of an endpoint created with createEndpoint; throws for any other id. */
  endpoint(id: string): string;
  /** GET /whip/endpoints (not authenticated, by the server's design). */
  endpoints(): Promise<WhipEndpointState[]>;
  /** SIGTERM then SIGKILL, removes its folder. Idempotent. */
  stop(): Promise<void>;
}

/** The npm modules server.js and whip-janus.js require. */
const PACKAGE = 'simple-whip-server';
const MODULES = ['async', 'express', 'cors', 'colors/safe', 'debug', 'body-parser', 'websocket'];
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startSimpleWhipServer(options: SimpleWhipServerOptions): Promise<SimpleWhipServer> {
  const sources = ensureSimpleWhipServerSources(options.cacheDir);
  const modules = join(repoRoot, 'node_modules');
  const requireFromRepo = createRequire(join(repoRoot, 'package.json'));
  const missing = MODULES.filter((m) => {
    try {
      requireFromRepo.resolve(m);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new Error(`${PACKAGE} needs the npm modules ${missing.join(', ')} (devDependencies of this repo): run 'npm run setup'`);

  const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-whip-server-'));
  const logPath = join(dir, 'server.log');
  try {
    for (const file of ['server.js', 'whip-janus.js']) copyFileSync(join(sources, file), join(dir, file));
    const port = await freePort();
    writeFileSync(join(dir, 'config.js'), serverConfig(options.janusWsUrl, port));
    writeFileSync(join(dir, 'loopback.cjs'), LOOPBACK_PRELOAD);

    const logFd = openSync(logPath, 'a');
    const nodeArgs = ['--require', join(dir, 'loopback.cjs'), join(dir, 'server.js')];
    const [command, args] = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
    const child = spawn(command, args, {
      cwd: dir,
      stdio: ['ignore', logFd, logFd],
      // vdebug logs every Janus message in full; the rest is what one reads after a failure.
      env: { ...process.env, NODE_PATH: modules, DEBUG: 'whip:*,janus:*,-janus:vdebug', DEBUG_COLORS: 'no', FORCE_COLOR: '0' },
    });
    closeSync(logFd);
    const proc = supervise(child);
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        await proc.stop();
        rmSync(dir, { recursive: true, force: true });
      })());

    const url = `http://127.0.0.1:${port}/whip`;
    const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (proc.ended) {
        const tail = logTail(logPath);
        await stop();
        throw new Error(`${PACKAGE} exited while starting:\n${tail}`);
      }
      if (await answers(`${url}/healthcheck`)) break;
      if (Date.now() > deadline) {
        const tail = logTail(logPath);
        await stop();
        // It opens its REST API only once it has a session with Janus.
        throw new Error(`${PACKAGE} did not answer ${url}/healthcheck within ${readyTimeoutMs} ms (is Janus's WebSocket API up at ${options.janusWsUrl}?):\n${tail}`);
      }
      await sleep(200);
    }

    const created = new Map<string, string>();
    return {
      url,
      logPath,
      async createEndpoint(spec) {
        const res = await fetch(`${url}/create`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(spec) });
        const body = (await res.text()).trim();
        if (!res.ok) throw new Error(`POST ${url}/create ${JSON.stringify(spec)} answered ${res.status}${body ? `: ${body}` : ''}`);
        const whip = `${url}/endpoint/${encodeURIComponent(spec.id)}`;
        created.set(spec.id, whip);
        return whip;
      },
      endpoint(id) {
        const whip = created.get(id);
        if (!whip) throw new Error(`no endpoint '${id}' was created on this server (createEndpoint first)`);
        return whip;
      },
      async endpoints() {
        const res = await fetch(`${url}/endpoints`);
        if (!res.ok) throw new Error(`GET ${url}/endpoints answered ${res.status}`);
        return (await res.json()) as WhipEndpointState[];
      },
      stop,
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** config.js in the shape of Debian's /etc/simple-whip-server/config.js. */
function serverConfig(janusWsUrl: string, port: number): string {
  const config = { janus: { address: janusWsUrl }, port, rest: '/whip', allowTrickle: true, strictETags: false, iceServers: [] };
  return `module.exports = ${JSON.stringify(config, null, 2)};\n`;
}

/** Preloaded into server.js: its `http.listen(port, callback)` binds 127.0.0.1, not every interface. */
const LOOPBACK_PRELOAD = `'use strict';
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === 'number' && (rest.length === 0 || typeof rest[0] === 'function')) return listen.call(this, port, '127.0.0.1', ...rest);
  return listen.call(this, port, ...rest);
};
`;

