import { startSfu } from './sfu/src/server.ts';
import WebSocket from 'ws';
const sfu = await startSfu({ numWorkers: 1, logLevel: 'silent' });
const reasons: string[] = [];
sfu.on('roomClosed', ({ reason }) => reasons.push(reason));
for (let i = 0; i < 20; i++) {
  const ws = new WebSocket(sfu.wsUrl);
  await new Promise(r => ws.once('open', r));
  ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'join', data: { roomId: `d${i}` } }));
  if (i % 2) setTimeout(() => ws.terminate(), i % 4); else ws.terminate();
}
await new Promise(r => setTimeout(r, 500));
console.log(sfu.stats(), reasons.reduce((m: any, r) => (m[r] = (m[r] ?? 0) + 1, m), {}));
await sfu.close();
