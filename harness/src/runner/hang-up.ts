// At the end of the call everyone hangs up. On someone else's server (an app, a WHIP/WHEP
// endpoint) through its adapter, as a user would, so that the server ends their sessions now
// rather than keep ghosts (a WHEP viewer of the next run could be handed a ghost's stream);
// bounded: a page that cannot leave is closed with its browser anyway. On the bundled SFU the
// hang-up is the leak check: once everyone left, what the SFU still counts leaked.
import { checkSfuAtEnd } from '../analysis/sfu-check.ts';
import type { RunContext } from './context.ts';
import type { Task } from './tasks.ts';

const LEAVE_TIMEOUT_MS = 5_000;

export function hangUpTask(run: RunContext): Task {
  return {
    name: 'hang-up',
    async start() {},
    async stop() {
      const records = [...run.records.values()];
      const sfu = run.sfu;
      if (!sfu) {
        const joined = records.flatMap((r) => (r.participant?.state === 'joined' && r.participant.adapter.leave ? [r.participant] : []));
        // Not the run's signal: it was aborted when the run stopped, and a WHIP client's DELETE
        // (or an app's own leave request) made with it would never be sent.
        const signal = AbortSignal.timeout(LEAVE_TIMEOUT_MS);
        const leaves = joined.map((p) => p.leave(signal).catch((err: unknown) => run.log('warn', `hang-up: ${(err as Error).message}`)));
        // A page that hangs in its leave hook is closed with its browser anyway.
        await Promise.race([Promise.all(leaves), new Promise((r) => setTimeout(r, LEAVE_TIMEOUT_MS))]);
        return;
      }
      const joined = records.flatMap((r) => (r.participant?.state === 'joined' ? [{ participant: r.participant, room: r.plan.room }] : []));
      run.sfuCheck = await checkSfuAtEnd(joined, () => sfu.metricsText(), (level, message) => run.log(level, message));
      for (const d of run.sfuCheck?.dropped ?? []) {
        const rec = run.records.get(d.id)!;
        rec.error ??= `dropped from its room by the SFU: ${d.reason}`;
        run.log('error', `${d.id}: ${rec.error}`);
      }
    },
  };
}
