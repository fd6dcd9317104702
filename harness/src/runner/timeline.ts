// Runs the scenario's timeline: each step fires at its offset from the run's start, for each of
// its participants at once. One participant's actions run one after another, as one user's would:
// a leave that comes due while that participant's join is still going waits for it, instead of
// tearing the join down half-way (on a busy machine a churn's turns overlap otherwise). Every
// action's outcome is recorded (ok or its error, how long it took, how late it started), in the
// timeline's order whatever order they finished in; a failed action is a result, never a crash.
export interface TimelineStep<A> {
  /** Offset from the run's start, ms. */
  atMs: number;
  action: A;
  participantIds: string[];
}

export interface ActionOutcome<A> {
  atMs: number;
  /** When it actually started, ms from the run's start (late when the machine is busy, or when the participant's previous action was still going). */
  startedMs: number;
  action: A;
  participant: string;
  ok: boolean;
  error?: string;
  durationMs: number;
}

export type ActionExecutor<A> = (participantId: string, action: A) => Promise<void>;

/** An outcome and where its action stands in the timeline: step, then participant within the step. */
interface Ordered<A> {
  order: [step: number, participant: number];
  outcome: ActionOutcome<A>;
}

export class Timeline<A> {
  readonly #steps: TimelineStep<A>[];
  readonly #execute: ActionExecutor<A>;
  readonly #outcomes: Ordered<A>[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();
  /** Per participant: its last action's promise; the next one starts after it settles. */
  readonly #lanes = new Map<string, Promise<unknown>>();
  #startMs = 0;
  #stopped = false;

  constructor(steps: TimelineStep<A>[], execute: ActionExecutor<A>) {
    // Stable: steps at the same offset keep the scenario's order.
    this.#steps = [...steps].sort((a, b) => a.atMs - b.atMs);
    this.#execute = execute;
  }

  /** Schedules every step relative to `startMs` (unix ms). */
  start(startMs: number, onOutcome?: (o: ActionOutcome<A>) => void): void {
    this.#startMs = startMs;
    this.#steps.forEach((step, stepIndex) => {
      const delay = Math.max(0, startMs + step.atMs - Date.now());
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (this.#stopped) return;
        step.participantIds.forEach((id, participantIndex) => {
          const previous = this.#lanes.get(id) ?? Promise.resolve();
          const run = previous.then(() => this.#runOne(step, id, [stepIndex, participantIndex])).then((o) => o && onOutcome?.(o));
          this.#lanes.set(id, run);
          this.#running.add(run);
          void run.finally(() => this.#running.delete(run));
        });
      }, delay);
      this.#timers.add(timer);
    });
  }

  /** Every finished action's outcome, in the timeline's order (offset, then the scenario's order). */
  get outcomes(): readonly ActionOutcome<A>[] {
    return [...this.#outcomes].sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1]).map((o) => o.outcome);
  }

  /** Cancels steps not yet fired or still waiting for their participant, and waits (bounded) for the ones in flight. */
  async stop(waitMs = 5_000): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.race([Promise.allSettled([...this.#running]), new Promise((r) => setTimeout(r, waitMs))]);
  }

  async #runOne(step: TimelineStep<A>, participantId: string, order: Ordered<A>['order']): Promise<ActionOutcome<A> | null> {
    // Waited for the participant's previous action past the end of the run: it never started.
    if (this.#stopped) return null;
    const started = Date.now();
    let ok = true;
    let error: string | undefined;
    try {
      await this.#execute(participantId, step.action);
    } catch (err) {
      ok = false;
      error = (err as Error)?.message ?? String(err);
    }
    const outcome: ActionOutcome<A> = {
      atMs: step.atMs,
      startedMs: started - this.#startMs,
      action: step.action,
      participant: participantId,
      ok,
      durationMs: Date.now() - started,
      ...(error === undefined ? {} : { error }),
    };
    this.#outcomes.push({ order, outcome });
    return outcome;
  }
}
