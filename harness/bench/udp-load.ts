// Processes for the network benchmark, so that the relay's CPU is measured alone.
//
//   udp-load.ts sink   binds a UDP socket, prints { "port": n }, then stops itself (SIGSTOP):
//                      a target that costs no CPU; the kernel drops what overflows its buffer.
//   udp-load.ts send   reads { "sendPort", "pps" (0 = as fast as possible), "durationMs",
//                      "payloadBytes" } on stdin, sends, prints { "sent", "elapsedMs" }, exits.
// Loopback only; bounded by durationMs (and the parent kills both on a timeout).
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';

interface Job {
  sendPort: number;
  pps: number;
  durationMs: number;
  payloadBytes: number;
}

/** Datagrams per turn of the event loop when saturating. */
const BURST = 256;

async function sink(): Promise<void> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ port: socket.address().port })}\n`, () => process.kill(process.pid, 'SIGSTOP'));
}

async function send(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  const job = await new Promise<Job>((resolve) => lines.once('line', (line) => resolve(JSON.parse(line) as Job)));
  lines.close();
  const sender = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve) => sender.connect(job.sendPort, '127.0.0.1', resolve));
  const payload = Buffer.alloc(job.payloadBytes, 0x5a);
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsedMs = performance.now() - start;
      if (elapsedMs >= job.durationMs) return resolve();
      if (job.pps === 0) {
        for (let i = 0; i < BURST; i++, sent++) sender.send(payload);
        setImmediate(tick);
        return;
      }
      // Catch up with the schedule on every tick; timers fire about once per ms.
      const due = Math.floor((elapsedMs / 1000) * job.pps);
      for (; sent < due; sent++) sender.send(payload);
      setTimeout(tick, 1);
    };
    tick();
  });
  const elapsedMs = performance.now() - start;
  sender.close(() => process.stdout.write(`${JSON.stringify({ sent, elapsedMs })}\n`));
}

const mode = process.argv[2];
if (mode === 'sink') await sink();
else if (mode === 'send') await send();
else throw new Error(`usage: udp-load.ts sink|send (got ${mode})`);
