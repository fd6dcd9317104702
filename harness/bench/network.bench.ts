// Benchmark of the simulated access links (npm run bench:network). Loopback only, every run
// bounded in packets and time (~45 s in all).
//
// 1. Accuracy: probe UDP traffic through links with several settings; configured vs measured
//    one-way delay (p50), jitter (σ of the delay and RFC 3550 interarrival jitter), loss and
//    throughput. The same seeded model is replayed offline on the recorded send times, so the
//    "model" column is what the relay should have done and "late" is its timer error.
// 2. Cost: relay CPU per 1,000 packets/s at a fixed rate (sender/receiver in another process).
// 3. Capacity: packets/s the relay forwards on its one thread with a saturating sender (in a
//    child process) towards a stopped sink process (costs nothing; the kernel drops overflow).
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { createAccessLink } from '../src/network/link.ts';
import { DirectionModel, UDP_OVERHEAD_BYTES } from '../src/network/model.ts';
import { createRandomStreams } from '../src/network/random.ts';
import { resolveLinkProfile } from '../src/network/settings.ts';
import type { LinkSettings } from '../src/network/types.ts';

const SEED = 7;
const LOAD_SCRIPT = fileURLToPath(new URL('./udp-load.ts', import.meta.url));

interface ProbeCase {
  name: string;
  settings: LinkSettings;
  pps: number;
  durationMs: number;
  payloadBytes: number;
}

const CASES: ProbeCase[] = [
  { name: 'delay 50 ms', settings: { delayMs: 50 }, pps: 100, durationMs: 3_000, payloadBytes: 200 },
  { name: 'delay 100 + jitter 20 ms', settings: { delayMs: 100, jitterMs: 20 }, pps: 500, durationMs: 6_000, payloadBytes: 200 },
  { name: 'loss 5%', settings: { lossPct: 5 }, pps: 2_000, durationMs: 5_000, payloadBytes: 200 },
  // Offered 1.5× the rate: the queue fills and the rate limit shows.
  { name: 'rate 1000 kbps', settings: { rateKbps: 1_000 }, pps: 182, durationMs: 4_000, payloadBytes: 1_000 },
  { name: 'rate 400 kbps + delay 40', settings: { rateKbps: 400, delayMs: 40 }, pps: 73, durationMs: 4_000, payloadBytes: 1_000 },
  {
    name: 'GE bursty (7.4%, bursts of 4)',
    settings: { burstLoss: { pGoodToBad: 0.02, pBadToGood: 0.25, lossInBadPct: 100, lossInGoodPct: 0 } },
    pps: 2_000,
    durationMs: 5_000,
    payloadBytes: 200,
  },
];

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function sd(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

/** RFC 3550 interarrival jitter over packets in send order (ms). */
function rfc3550(delays: number[]): number {
  let jitter = 0;
  for (let i = 1; i < delays.length; i++) jitter += (Math.abs((delays[i] as number) - (delays[i - 1] as number)) - jitter) / 16;
  return jitter;
}

function meanBurst(lost: boolean[]): number {
  const bursts: number[] = [];
  let run = 0;
  for (const l of lost) {
    if (l) run++;
    else if (run > 0) bursts.push(run), (run = 0);
  }
  return bursts.length ? bursts.reduce((a, b) => a + b, 0) / bursts.length : 0;
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');

interface ProbeResult {
  row: string[];
  /** Problems against the goals (empty: all met). */
  misses: string[];
}

async function probe(c: ProbeCase): Promise<ProbeResult> {
  const count = Math.round((c.pps * c.durationMs) / 1000);
  const sendMs = new Float64Array(count);
  const recvMs = new Float64Array(count).fill(Number.NaN);
  const target = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  target.on('message', (msg) => {
    const seq = msg.readUInt32BE(0);
    if (seq < count) recvMs[seq] = performance.now();
  });
  await new Promise<void>((resolve) => target.bind(0, '127.0.0.1', resolve));
  const id = `bench-${c.name}`;
  const link = await createAccessLink({ id, seed: SEED, target: { host: '127.0.0.1', port: target.address().port }, profile: resolveLinkProfile({ up: c.settings, down: {} }) });
  const sender = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => sender.connect(link.port, '127.0.0.1', resolve));
    const start = performance.now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * c.pps) + 1);
        for (; sent < due; sent++) {
          const payload = Buffer.alloc(c.payloadBytes);
          payload.writeUInt32BE(sent, 0);
          sendMs[sent] = performance.now();
          sender.send(payload);
        }
        if (sent < count) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
  } finally {
    sender.close();
    target.close();
    await link.close();
  }

  // The same model, same seed and stream, on the recorded send times.
  const resolved = resolveLinkProfile({ up: c.settings, down: {} }).up;
  const model = new DirectionModel(resolved, { blockUdp: false, allowPorts: null }, createRandomStreams(SEED, id, 'up'));
  const modelDelay: number[] = [];
  const measured: number[] = [];
  const late: number[] = [];
  const lost: boolean[] = [];
  let modelLost = 0;
  let agree = 0;
  let bits = 0;
  const windowFrom = sendMs[0]! + 1_000;
  const windowTo = sendMs[0]! + c.durationMs;
  for (let i = 0; i < count; i++) {
    const fate = model.decide({ sizeBytes: c.payloadBytes + UDP_OVERHEAD_BYTES, arrivalMs: sendMs[i]!, transport: 'udp', targetPort: 1 });
    const got = !Number.isNaN(recvMs[i]!);
    lost.push(!got);
    if (fate.kind === 'drop') modelLost++;
    if ((fate.kind === 'drop') === !got) agree++;
    if (!got) continue;
    const delay = recvMs[i]! - sendMs[i]!;
    measured.push(delay);
    if (recvMs[i]! >= windowFrom && recvMs[i]! < windowTo) bits += (c.payloadBytes + UDP_OVERHEAD_BYTES) * 8;
    if (fate.kind === 'forward') {
      modelDelay.push(fate.departMs - sendMs[i]!);
      late.push(delay - (fate.departMs - sendMs[i]!));
    }
  }
  const lossPct = (lost.filter(Boolean).length / count) * 100;
  const kbps = bits / (windowTo - windowFrom);
  const s = c.settings;
  const configuredLoss = s.burstLoss ? (s.burstLoss.pGoodToBad / (s.burstLoss.pGoodToBad + s.burstLoss.pBadToGood)) * 100 : (s.lossPct ?? 0);
  const misses: string[] = [];
  // Delay goal: p50 within 2 ms of the configured delay where nothing else moves it, else of
  // the model's p50 (a queue or a jitter sample of a few seconds has its own median).
  const simple = !s.jitterMs && !s.rateKbps;
  const delayRef = simple ? (s.delayMs ?? 0) : percentile(modelDelay, 50);
  const delayError = Math.abs(percentile(measured, 50) - delayRef);
  if (delayError > 2) misses.push(`${c.name}: delay p50 off by ${f1(delayError)} ms (goal 2)`);
  if (Math.abs(lossPct - configuredLoss) > 0.5 && !s.rateKbps) misses.push(`${c.name}: loss off by ${f2(Math.abs(lossPct - configuredLoss))} points (goal 0.5)`);
  if (s.rateKbps && Math.abs(kbps - s.rateKbps) / s.rateKbps > 0.05) misses.push(`${c.name}: rate off by more than 5%`);
  const row = [
    c.name,
    `${count} @ ${c.pps}/s`,
    `${s.delayMs ?? 0} / ${f1(percentile(modelDelay, 50))} / ${f1(percentile(measured, 50))}`,
    `${f2(percentile(late, 50))} / ${f2(percentile(late, 99))}`,
    `${s.jitterMs ?? 0} / ${f1(sd(modelDelay))} / ${f1(sd(measured))} (RFC 3550 ${f1(rfc3550(measured))})`,
    `${f2(configuredLoss)} / ${f2((modelLost / count) * 100)} / ${f2(lossPct)}${s.burstLoss ? ` (bursts ${f1(meanBurst(lost))})` : ''}`,
    `${agree}/${count}`,
    s.rateKbps ? `${s.rateKbps} / ${f1(kbps)} (${f1(((kbps - s.rateKbps) / s.rateKbps) * 100)}%)` : '—',
  ];
  return { row, misses };
}

interface LoadResult {
  /** Forwarded by the relay while measured. */
  pps: number;
  /** Sent by the load process over its whole run. */
  sentPps: number;
  cpuPct: number;
}

async function readLine(lines: AsyncIterator<string>): Promise<Record<string, number>> {
  const { value, done } = await lines.next();
  if (done) throw new Error('a load process exited early');
  return JSON.parse(value as string) as Record<string, number>;
}

function startLoadProcess(mode: 'sink' | 'send') {
  const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator]() };
}

/**
 * Sends from one child process through a link to another (stopped, so it costs nothing) and
 * measures this process, where only the relay runs.
 */
async function load(settings: LinkSettings, pps: number, durationMs: number, payloadBytes = 200): Promise<LoadResult> {
  const sink = startLoadProcess('sink');
  const sender = startLoadProcess('send');
  const killer = setTimeout(() => [sink, sender].forEach((p) => p.child.kill('SIGKILL')), durationMs + 15_000);
  try {
    const { port } = await readLine(sink.lines);
    const relay = await createAccessLink({ id: 'bench-load', seed: SEED, target: { host: '127.0.0.1', port: port! }, profile: resolveLinkProfile({ up: settings, down: {} }) });
    try {
      sender.child.stdin.write(`${JSON.stringify({ sendPort: relay.port, pps, durationMs, payloadBytes })}\n`);
      // Skip the first 500 ms (process start, JIT warm-up), then measure until 500 ms before the end.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const f0 = relay.counters().up.packetsForwarded;
      await new Promise((resolve) => setTimeout(resolve, durationMs - 1_000));
      const cpu = process.cpuUsage(cpu0);
      const elapsedMs = performance.now() - t0;
      const forwarded = relay.counters().up.packetsForwarded - f0;
      const result = await readLine(sender.lines);
      return {
        pps: (forwarded / elapsedMs) * 1000,
        cpuPct: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
        sentPps: (result.sent! / result.elapsedMs!) * 1000,
      };
    } finally {
      await relay.close();
    }
  } finally {
    clearTimeout(killer);
    sink.child.kill('SIGKILL');
    sender.child.kill('SIGKILL');
  }
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const [load1] = loadavg();
  console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${f2(load1 ?? 0)} at start (a busy machine shows as late p99)\n`);
  console.log('## Accuracy (configured / model on the same send times / measured)\n');
  const rows: string[][] = [];
  const misses: string[] = [];
  for (const c of CASES) {
    const result = await probe(c);
    rows.push(result.row);
    misses.push(...result.misses);
  }
  console.log(
    table(['case', 'packets', 'delay p50 ms', 'late p50 / p99 ms', 'jitter σ ms', 'loss %', 'same fate as model', 'rate kbps'], rows),
  );

  console.log('\n## Cost and capacity (relay alone in this process; sender and sink are child processes)\n');
  const costRows: string[][] = [];
  for (const [label, settings] of [
    ['no shaping', {}],
    ['delay 20 ms', { delayMs: 20 }],
    ['lte profile (up)', { delayMs: 25, jitterMs: 8, jitterCorrelation: 0.6, lossPct: 0.1, rateKbps: 50_000 }],
  ] as Array<[string, LinkSettings]>) {
    const r = await load(settings, 5_000, 4_000);
    costRows.push([label, '5,000/s fixed', f1(r.sentPps), f1(r.pps), `${f1(r.cpuPct)}%`, `${f2(r.cpuPct / (r.pps / 1000))}%`]);
  }
  let capacity = Infinity;
  for (const [label, settings] of [
    ['no shaping', {}],
    ['delay 20 ms', { delayMs: 20 }],
  ] as Array<[string, LinkSettings]>) {
    const r = await load(settings, 0, 4_000);
    // The relay runs on one thread: packets/s at 100% of a core, from what it did with its share.
    const perCore = r.pps / Math.min(1, r.cpuPct / 100);
    capacity = Math.min(capacity, perCore);
    costRows.push([label, 'saturating', f1(r.sentPps), f1(r.pps), `${f1(r.cpuPct)}%`, `${f2(r.cpuPct / (r.pps / 1000))}%`, f1(perCore)]);
  }
  console.log(
    table(
      ['link', 'offered', 'sent packets/s', 'forwarded packets/s', 'relay CPU (one core = 100%)', 'CPU per 1,000 packets/s', 'packets/s per core'],
      costRows.map((r) => (r.length === 6 ? [...r, ''] : r)),
    ),
  );
  console.log('\nA relay below 100% CPU when saturating means the sending process was the limit; packets/s per core scales its rate to a full core.');
  if (capacity < 50_000) misses.push(`capacity ${f1(capacity)} packets/s per core (goal 50,000)`);
  console.log(misses.length ? `\nGoals missed:\n- ${misses.join('\n- ')}` : '\nAll goals met: delay p50 within 2 ms, loss within 0.5 points, rate within 5%, ≥ 50,000 packets/s per core.');
}

await main();
