// The run's clock: when it starts, joins and timeline actions play at their offsets, and the run
// stops when its duration is over. A run where nobody could join stops at once: there is no call
// to measure, and waiting out the duration would say nothing more.
import type { PlannedAction, PlannedNetwork, PlannedPublish } from '../scenario/plan.ts';
import { publish } from './actions.ts';
import type { Collectors } from './collectors.ts';
import type { RunContext } from './context.ts';
import type { Task } from './tasks.ts';
import { Timeline, type TimelineStep } from './timeline.ts';

/** The first join of a participant: open nothing more, join and publish what the plan says. */
export type RunAction = PlannedAction | { do: 'enter'; publish: PlannedPublish };

export class Clock implements Task {
  readonly name = 'clock';
  readonly #run: RunContext;
  readonly #collectors: Collectors;
  #durationTimer: NodeJS.Timeout | undefined;
  #entersSettled = 0;

  constructor(run: RunContext, collectors: Collectors) {
    this.#run = run;
    this.#collectors = collectors;
  }

  async start(): Promise<void> {
    const run = this.#run;
    const { plan } = run;
    run.startMs = Date.now();
    run.links?.setStart(run.startMs);
    run.analysis.start(run.startMs);
    const steps: TimelineStep<RunAction>[] = [
      ...plan.participants.map((p) => ({ atMs: p.joinAtMs, action: { do: 'enter', publish: p.publish } as RunAction, participantIds: [p.id] })),
      ...plan.timeline.map((s) => ({ atMs: s.atMs, action: s.action as RunAction, participantIds: s.participantIds })),
    ];
    const timeline = new Timeline<RunAction>(steps, (id, action) => this.#execute(id, action));
    run.timeline = timeline;
    timeline.start(run.startMs, (o) => {
      if (!o.ok) run.log('warn', `${o.action.do} ${o.participant} failed: ${o.error}`);
      else if (o.action.do === 'enter') run.log('info', `${o.participant} joined in ${o.durationMs} ms`);
      if (o.action.do !== 'enter') return;
      // A participant that could not join at all says why in its own result.
      if (!o.ok) run.records.get(o.participant)!.error ??= o.error ?? 'its join failed';
      if (++this.#entersSettled === plan.participants.length && ![...run.records.values()].some((r) => r.participant?.joinedAtMs != null)) {
        const first = timeline.outcomes.find((x) => x.action.do === 'enter' && !x.ok);
        run.fail(`nobody joined the call (the first error: ${first?.error ?? 'none'})`);
        run.stop('nobody joined');
      }
    });
    this.#durationTimer = setTimeout(() => run.stop('duration reached'), Math.max(0, run.startMs + plan.durationMs - Date.now()));
  }

  /** Waits (bounded) for the actions under way; none starts after this. */
  async stop(): Promise<void> {
    clearTimeout(this.#durationTimer);
    await this.#run.timeline?.stop();
  }

  async #execute(id: string, action: RunAction): Promise<void> {
    const run = this.#run;
    const rec = run.records.get(id)!;
    const p = rec.participant;
    if (!p || rec.error) throw new Error(`${id} is not available (${rec.error ?? 'never opened'})`);
    if (action.do === 'enter') {
      await p.join();
      run.tracked.entered(id, rec.plan.room, Date.now(), action.publish);
      this.#collectors.startFor(rec);
      // Without a publish hook, the adapter's join sent what the app sends.
      if (p.adapter.publish && (action.publish.audio || action.publish.video)) await publish(p, action.publish);
      return;
    }
    const { links, turn } = run;
    await run.tracked.perform(p, action, {
      room: rec.plan.room,
      groupPublish: rec.plan.publish,
      ...(links ? { setNetwork: async (pid: string, set: PlannedNetwork) => links.apply(pid, set) } : {}),
      ...(links && turn ? { forceTurn: async (pid: string, transport: 'udp' | 'tcp' | 'tls') => links.apply(pid, turn.access(transport)) } : {}),
    });
    if (action.do === 'join' || action.do === 'rejoin') this.#collectors.startFor(rec);
  }
}
