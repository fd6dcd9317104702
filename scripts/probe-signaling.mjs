// Reproduces the hostile-input probes of issue 18 against the standalone SFU of one or more
// checkouts and prints one table, a column per checkout (e.g. the code before and after):
//
//   node --import tsx scripts/probe-signaling.mjs --repo /path/to/before --repo .
//
// Each checkout's SFU (`sfu/src/main.ts`, one worker, loopback) is started by this script, fresh
// for each probe, with the token secret in SFU_TOKEN_SECRET (both versions read it) where a probe
// needs one; tokens are minted with that checkout's own createRoomToken. Loopback only; it loads
// the machine for about a minute per checkout (run it under the shared lock).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const SECRET = 'probe-token-secret-0123';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Loaded into each SFU process (--import): on SIGUSR2 it collects garbage and prints the memory
// the process holds (V8 heap in use plus Buffers outside it, where unsent socket data waits), so
// that what the server holds can be told from garbage it has not collected yet.
const HEAP_HOOK = join(mkdtempSync(join(tmpdir(), 'rtc-probe-')), 'heap-hook.mjs');
writeFileSync(HEAP_HOOK, "process.on('SIGUSR2', () => { globalThis.gc?.(); const m = process.memoryUsage(); process.stderr.write(`HEAP ${m.heapUsed + m.external}\\n`); });\n");

function parseArgs(argv) {
  const repos = [];
  let only;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repo') repos.push(resolve(argv[++i]));
    else if (argv[i] === '--only') only = new Set(argv[++i].split(','));
    else throw new Error(`unknown argument ${argv[i]}; usage: --repo DIR [--repo DIR ...] [--only memory,rooms,tokens,origins,idle,argv,public]`);
  }
  if (repos.length === 0) repos.push(process.cwd());
  return { repos, only };
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** Starts `repo`'s SFU; resolves with its pid, port and a stop(), or with the error it exited with. */
async function startSfu(repo, { args = [], env = {}, listenIp = '127.0.0.1' } = {}) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', pathToFileURL(HEAP_HOOK).href, '--import', 'tsx', 'sfu/src/main.ts', '--listen-ip', listenIp, '--port', String(port), '--rtc-port', '0', '--workers', '1', '--log-level', 'error', ...args],
    { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const code = await Promise.race([exited, sleep(100).then(() => undefined)]);
    if (code !== undefined) return { started: false, code, output: output.trim(), pid: child.pid };
    if (/^signaling\s+ws:/m.test(output)) break; // the banner main.ts prints once it listens
    if (Date.now() > deadline) throw new Error(`the SFU of ${repo} did not start: ${output}`);
  }
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    }
  };
  /** Heap in use plus external Buffers after a full GC, MiB. */
  const heapMiB = async () => {
    const seen = (output.match(/^HEAP \d+$/gm) ?? []).length;
    child.kill('SIGUSR2');
    for (let i = 0; i < 100; i++) {
      const all = output.match(/^HEAP (\d+)$/gm) ?? [];
      if (all.length > seen) return Number(all.at(-1).slice(5)) / 2 ** 20;
      await sleep(20);
    }
    return Number.NaN;
  };
  return { started: true, pid: child.pid, port, host: listenIp, stop, heapMiB, output: () => output };
}

function connect(port, { headers = {}, localAddress } = {}) {
  return new Promise((resolveConnect) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers, ...(localAddress && { localAddress }) });
    ws.on('error', () => {});
    // Collected from the start: a server may answer (and close) in the packet of its handshake.
    ws.inbox = [];
    ws.on('message', (raw) => ws.inbox.push(JSON.parse(String(raw))));
    ws.once('open', () => resolveConnect({ ok: true, ws }));
    ws.once('unexpected-response', (_req, res) => resolveConnect({ ok: false, status: res.statusCode }));
    ws.once('error', (e) => resolveConnect({ ok: false, status: String(e.message) }));
  });
}

/** Sends a request; resolves with its response, or with an error reply not tied to a request (id null). */
async function rpc(ws, method, data, timeoutMs = 5000) {
  const id = Math.floor(Math.random() * 1e9);
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ kind: 'request', id, method, data }));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reply = ws.inbox.find((m) => m.kind === 'response' && (m.id === id || m.id === null));
    if (reply) return reply;
    await sleep(10);
  }
  return { ok: false, error: { code: 'timeout' } };
}

function httpStatus(port, path, headers) {
  return new Promise((resolveStatus) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolveStatus(res.statusCode);
    });
    req.on('error', (e) => resolveStatus(e.message));
    req.end();
  });
}

const health = async (port) => JSON.parse(await new Promise((r) => request({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
  let body = '';
  res.on('data', (d) => (body += d));
  res.on('end', () => r(body));
}).end()));

// --- the probes: each returns the text of its table cell ------------------------------------

/** 12 sockets that never read, sending 60 KB join requests whose unknown keys an error reply may echo; reconnect when dropped. */
async function probeSlowReaders(repo) {
  const sfu = await startSfu(repo);
  try {
    const before = rssMiB(sfu.pid);
    const heapBefore = await sfu.heapMiB();
    const keys = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}_${'x'.repeat(1000)}`, 1]));
    const frame = JSON.stringify({ kind: 'request', id: 1, method: 'join', data: { roomId: 'r', ...keys } });
    const slots = new Array(12).fill(null);
    let sent = 0;
    let reconnects = 0;
    let peak = before;
    const endAt = Date.now() + 20_000;
    while (Date.now() < endAt) {
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i];
        if (!slot || slot.readyState > WebSocket.OPEN) {
          if (slot) reconnects++;
          const c = await connect(sfu.port);
          if (!c.ok) continue;
          c.ws._socket.pause(); // never read a reply
          slots[i] = c.ws;
          continue;
        }
        if (slot.readyState === WebSocket.OPEN && slot.bufferedAmount < 1 << 20) {
          for (let k = 0; k < 8; k++) slot.send(frame);
          sent += 8;
        }
      }
      peak = Math.max(peak, rssMiB(sfu.pid));
      await sleep(20);
    }
    const atEnd = rssMiB(sfu.pid);
    await sleep(10_000); // the slow readers still connected: what the server keeps holding
    const held = rssMiB(sfu.pid);
    const heapHeld = await sfu.heapMiB();
    for (const ws of slots) ws?.terminate();
    return (
      `RSS ${before.toFixed(0)} MiB → peak ${peak.toFixed(0)} (+${(peak - before).toFixed(0)}), end ${atEnd.toFixed(0)}, 10 s later ${held.toFixed(0)} (+${(held - before).toFixed(0)}); ` +
      `heap+buffers after GC ${heapBefore.toFixed(0)} → ${heapHeld.toFixed(0)} MiB (+${(heapHeld - heapBefore).toFixed(0)}) with the readers still connected; ${sent} frames sent, ${reconnects} sockets dropped by the server`
    );
  } finally {
    await sfu.stop();
  }
}

/** 1,000 sockets, each joining its own room, as fast as they can, from `sources` loopback addresses. */
async function probeThousandRooms(repo, sources) {
  const sfu = await startSfu(repo);
  try {
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => {
        const c = await connect(sfu.port, { localAddress: `127.0.0.${1 + (i % sources)}` });
        if (!c.ok) return 'refused';
        const reply = await rpc(c.ws, 'join', { roomId: `room-${i}` }, 15_000);
        c.ws.__keep = true;
        return reply.ok ? 'joined' : reply.error.code;
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const { rooms } = await health(sfu.port);
    const counts = {};
    for (const r of results) counts[r] = (counts[r] ?? 0) + 1;
    return `${rooms} rooms open after ${seconds.toFixed(1)} s (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')})`;
  } finally {
    await sfu.stop();
  }
}

async function tokenModule(repo) {
  return import(pathToFileURL(resolve(repo, 'sfu/src/tokens.ts')).href);
}

async function joinWith(port, data) {
  const c = await connect(port);
  if (!c.ok) return `upgrade refused (${c.status})`;
  const reply = await rpc(c.ws, 'join', data);
  c.ws.close();
  return reply.ok ? 'ADMITTED' : `refused (${reply.error.code})`;
}

/** Token forgeries, non-canonical expiry and an over-long lifetime, on a real join. */
async function probeTokens(repo) {
  const { createRoomToken } = await tokenModule(repo);
  const sfu = await startSfu(repo, { env: { SFU_TOKEN_SECRET: SECRET } });
  if (!sfu.started) return { error: sfu.output };
  try {
    // Without the secret, an attacker can still move the fields of a token it holds around: v1
    // carries the peer id outside the signature's framing, v2 carries both ids in its signed payload.
    const move = (token, roomId, peerId) => {
      const parts = token.split('.');
      if (parts[0] === 'v1') return [parts[0], parts[1], Buffer.from(peerId).toString('base64url'), parts[3]].join('.');
      const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      const moved = Buffer.from(JSON.stringify({ r: roomId, p: peerId, e: payload.e })).toString('base64url');
      return [parts[0], moved, parts[2]].join('.');
    };
    const forXY = move(createRoomToken(SECRET, { roomId: 'x:y', peerId: 'p' }), 'x', 'y:p');
    const aBC = move(createRoomToken(SECRET, { roomId: 'a', peerId: 'b:c' }), 'a:b', 'c');
    const valid = createRoomToken(SECRET, { roomId: 'z' });
    let leadingZero;
    if (valid.startsWith('v1.')) {
      const [v, expiry, peer, sig] = valid.split('.');
      leadingZero = [v, `00${expiry}`, peer, sig].join('.');
    } else {
      // The same grant with its expiry spelled another way, signed with the secret as a minter would.
      const payloadJson = Buffer.from(valid.split('.')[1], 'base64url').toString('utf8').replace(/"e":(\d+)/, (_m, e) => `"e":${e}.0e0`);
      const payload = Buffer.from(payloadJson).toString('base64url');
      leadingZero = `v2.${payload}.${createHmac('sha256', SECRET).update(`v2.${payload}`).digest('base64url')}`;
    }
    const tenYears = createRoomToken(SECRET, { roomId: 'z', ttlSeconds: 10 * 365 * 86_400 });
    return {
      xy: await joinWith(sfu.port, { roomId: 'x', token: forXY }),
      bc: await joinWith(sfu.port, { roomId: 'a:b', token: aBC }),
      zero: await joinWith(sfu.port, { roomId: 'z', token: leadingZero }),
      life: await joinWith(sfu.port, { roomId: 'z', token: tenYears }),
      ok: await joinWith(sfu.port, { roomId: 'z', token: valid }),
    };
  } finally {
    await sfu.stop();
  }
}

/** Origin and Host: a foreign page's WebSocket, a rebound DNS name over HTTP. */
async function probeOrigins(repo) {
  const sfu = await startSfu(repo);
  try {
    const evil = await connect(sfu.port, { headers: { Origin: 'https://evil.example' } });
    if (evil.ok) evil.ws.close();
    const same = await connect(sfu.port, { headers: { Origin: `http://127.0.0.1:${sfu.port}` } });
    if (same.ok) same.ws.close();
    return {
      origin: evil.ok ? 'ACCEPTED (101)' : `refused (${evil.status})`,
      same: same.ok ? 'accepted (101)' : `refused (${same.status})`,
      host: await httpStatus(sfu.port, '/healthz', { Host: 'rebound.attacker.example' }),
    };
  } finally {
    await sfu.stop();
  }
}

/** A socket that never joins: still open after 12 s? */
async function probeIdle(repo) {
  const sfu = await startSfu(repo);
  try {
    const c = await connect(sfu.port);
    let closedAfterMs;
    const opened = Date.now();
    c.ws.once('close', () => (closedAfterMs = Date.now() - opened));
    await sleep(12_000);
    c.ws.terminate();
    return closedAfterMs === undefined ? 'OPEN after 12 s' : `closed after ${(closedAfterMs / 1000).toFixed(1)} s`;
  } finally {
    await sfu.stop();
  }
}

/** --token-secret on the command line: readable in /proc/<pid>/cmdline (what ps shows)? */
async function probeArgv(repo) {
  const sfu = await startSfu(repo, { args: ['--token-secret', 'argv-secret-visible-to-ps'] });
  if (!sfu.started) return `refused at start: "${sfu.output.split('\n')[0].slice(0, 90)}…"`;
  try {
    const argv = readFileSync(`/proc/${sfu.pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('argv-secret-visible-to-ps') ? 'VISIBLE in ps argv' : 'not in argv';
  } finally {
    await sfu.stop();
  }
}

/** Listening on a non-loopback address without a token secret. */
async function probePublic(repo) {
  const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!ip) return 'no non-loopback address here';
  const sfu = await startSfu(repo, { listenIp: ip });
  if (!sfu.started) return `refused at start (exit ${sfu.code})`;
  await sfu.stop();
  return `STARTED on ${ip}, anyone may join`;
}

async function probeRepo(repo, only) {
  const wanted = (group) => only === undefined || only.has(group);
  const rev = await new Promise((r) => {
    const git = spawn('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo });
    let out = '';
    git.stdout.on('data', (d) => (out += d));
    git.on('close', () => r(out.trim()));
  });
  process.stderr.write(`probing ${repo} (${rev})...\n`);
  const cells = {};
  if (wanted('memory')) cells.memory = await probeSlowReaders(repo);
  if (wanted('rooms')) {
    cells.rooms = await probeThousandRooms(repo, 1);
    cells.rooms5 = await probeThousandRooms(repo, 5);
  }
  if (wanted('tokens')) {
    const tokens = await probeTokens(repo);
    Object.assign(cells, tokens.error ? { xy: tokens.error } : tokens);
  }
  if (wanted('origins')) Object.assign(cells, await probeOrigins(repo));
  if (wanted('idle')) cells.idle = await probeIdle(repo);
  if (wanted('argv')) cells.argv = await probeArgv(repo);
  if (wanted('public')) cells.public = await probePublic(repo);
  return { name: `${repo.split('/').pop()} (${rev})`, cells };
}

const ROWS = [
  ['memory', '12 slow readers x 60 KB echo-bait frames, 20 s'],
  ['rooms', '1,000 sockets each joining its own room, one source address'],
  ['rooms5', 'the same from 5 source addresses (127.0.0.1-5)'],
  ['xy', "token for room 'x:y' + peer 'p' used on room 'x' (as peer 'y:p')"],
  ['bc', "token for room 'a' + peer 'b:c' used on room 'a:b' (as peer 'c')"],
  ['zero', 'expiry spelled non-canonically (leading zeros / 1.0e0)'],
  ['life', 'token with a 10-year lifetime'],
  ['ok', 'a valid token (control)'],
  ['origin', 'WebSocket upgrade with Origin https://evil.example'],
  ['same', 'WebSocket upgrade from the SFU\'s own origin (control)'],
  ['host', 'GET /healthz with Host: rebound.attacker.example'],
  ['idle', 'socket that never joins'],
  ['argv', '--token-secret on the command line'],
  ['public', 'listen on a LAN address without a token secret'],
];

const { repos, only } = parseArgs(process.argv.slice(2));
const results = [];
for (const repo of repos) results.push(await probeRepo(repo, only));
const header = ['probe', ...results.map((r) => r.name)];
const rows = ROWS.filter(([key]) => results.some((r) => key in r.cells));
const lines = [header, header.map(() => '---'), ...rows.map(([key, label]) => [label, ...results.map((r) => String(r.cells[key] ?? ''))])];
process.stdout.write(lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n') + '\n');
process.exit(0);
