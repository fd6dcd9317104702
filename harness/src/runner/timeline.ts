// Runs the scenario's timeline: each step fires at its offset from the run's start, for each of
// its participants at once. Every action's outcome is recorded (ok or its error, and how long it
// took); a failed action is a result, never a crash of the run.
export interface TimelineStep<A> {
  /** Offset from the run's start, ms. */
  atMs: number;
  action: A;
  participantIds: string[];
}

export interface ActionOutcome<A> {
  atMs: number;
  /** When it actually started, ms from the run's start (late when the machine is busy). */
  startedMs: number;
  action: A;
  participant: string;
  ok: boolean;
  error?: string;
  durationMs: number;
}

export type ActionExecutor<A> = (participantId: string, action: A) => Promise<void>;

export class Timeline<A> {
  readonly #steps: TimelineStep<A>[];
  readonly #execute: ActionExecutor<A>;
  readonly #outcomes: ActionOutcome<A>[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  #startMs = 0;
  #stopped = false;

  constructor(steps: TimelineStep<A>[], execute: ActionExecutor<A>) {
    this.#steps = [...steps].sort((a, b) => a.atMs - b.atMs);
    this.#execute = execute;
  }

  /** Schedules every step relative to `startMs` (unix ms). */
  start(startMs: number, onOutcome?: (o: ActionOutcome<A>) => void): void {
    this.#startMs = startMs;
    for (const step of this.#steps) {
      const delay = Math.max(0, startMs + step.atMs - Date.now());
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (this.#stopped) return;
        for (const id of step.participantIds) {
          const run = this.#runOne(step, id).then((o) => onOutcome?.(o));
          this.#running.add(run);
          void run.finally(() => this.#running.delete(run));
        }
      }, delay);
      this.#timers.add(timer);
    }
  }

  get outcomes(): readonly ActionOutcome<A>[] {
    return this.#outcomes;
  }

  /** Cancels steps not yet fired and waits (bounded) for the ones in flight. */
  async stop(waitMs = 5_000): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.race([Promise.allSettled([...this.#running]), new Promise((r) => setTimeout(r, waitMs))]);
  }

  async #runOne(step: TimelineStep<A>, participantId: string): Promise<ActionOutcome<A>> {
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
    this.#outcomes.push(outcome);
    return outcome;
  }
}
