// A shard's clock against the call server's, so that `merge` can put samples from several
// machines on one time axis. NTP's idea on HTTP: read the server's time a few times, keep the
// exchange with the shortest round trip, and assume the server read its clock half-way through.
// An rtc-harness SFU says its time in ms at /healthz (nowMs); any other server gives its HTTP
// Date header, good to a second.
import type { ClockOffset } from '../results/schema.ts';
import type { RunContext } from './context.ts';
import type { Task } from './tasks.ts';

const EXCHANGES = 5;
const TIMEOUT_MS = 3_000;

/** Estimates the offset of this machine's clock to the server at `origin`; null when it cannot be read. */
export async function estimateClockOffset(origin: string, fetchFn: typeof fetch = fetch): Promise<ClockOffset | null> {
  let best: ClockOffset | null = null;
  for (let i = 0; i < EXCHANGES; i++) {
    const sentMs = Date.now();
    let serverMs: number | null = null;
    let source = `${origin}/healthz`;
    try {
      const res = await fetchFn(`${origin}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { 'cache-control': 'no-cache' } });
      const body: unknown = await res.json().catch(() => null);
      const nowMs = (body as { nowMs?: unknown } | null)?.nowMs;
      if (typeof nowMs === 'number' && Number.isFinite(nowMs)) serverMs = nowMs;
      else {
        const date = Date.parse(res.headers.get('date') ?? '');
        // The Date header truncates to the second: its middle is the best guess.
        if (Number.isFinite(date)) serverMs = date + 500;
        source = 'HTTP Date header';
      }
    } catch {
      continue;
    }
    const receivedMs = Date.now();
    if (serverMs === null) continue;
    const rttMs = receivedMs - sentMs;
    const offsetMs = serverMs - (sentMs + rttMs / 2);
    if (!best || rttMs < best.rttMs) best = { offsetMs: Math.round(offsetMs), rttMs, source };
  }
  return best;
}

/** For a shard on a server it did not start: measured once before the pages open. */
export function clockSyncTask(run: RunContext): Task {
  return {
    name: 'clock sync',
    async start() {
      const target = run.plan.target;
      if (!run.plan.shard) return;
      if (target.kind !== 'url') {
        // The bundled SFU runs on this machine: same clock.
        run.clockOffset = { offsetMs: 0, rttMs: 0, source: 'the bundled SFU on this machine' };
        return;
      }
      const origin = new URL(target.url.replaceAll('{room}', 'r').replaceAll('{name}', 'n')).origin;
      run.clockOffset = await estimateClockOffset(origin);
      if (run.clockOffset) run.log('info', `clock: ${run.clockOffset.offsetMs} ms from ${origin} (round trip ${run.clockOffset.rttMs} ms, ${run.clockOffset.source})`);
      else run.log('warn', `clock: could not read the time of ${origin}; merge will take this shard's clock as is`);
    },
  };
}
