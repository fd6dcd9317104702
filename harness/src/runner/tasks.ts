// A run is two lists of tasks: what the call runs on (TURN, the SFU, links, browsers, pages) and
// the call itself (hang-up, collectors, the clock, the periodic work). A list starts its tasks in
// order and stops, in reverse, every task whose start was called, also the one whose start threw
// half-way: whatever it had opened is closed. A stop that throws or hangs is logged and the next
// one still runs, so a stuck browser never keeps the SFU or coturn alive.

export interface Task {
  /** Names the task in the log: 'browsers', 'TURN server'. */
  readonly name: string;
  start(): Promise<void>;
  /** Closes what start opened, also when start failed part-way. */
  stop?(): Promise<void>;
}

export interface TaskListOptions {
  log: (level: 'warn', message: string) => void;
  /** Longest wait for one task's stop, ms. Default 20_000. */
  stopTimeoutMs?: number;
}

export class TaskList {
  readonly #tasks: readonly Task[];
  readonly #options: TaskListOptions;
  /** Tasks whose start was called, in order. */
  readonly #started: Task[] = [];

  constructor(tasks: readonly Task[], options: TaskListOptions) {
    this.#tasks = tasks;
    this.#options = options;
  }

  /** Starts the tasks in order; `cancelled` is asked before each, and a cancelled list starts nothing more. Throws the first start's error. */
  async start(cancelled: () => boolean = () => false): Promise<void> {
    for (const task of this.#tasks) {
      if (cancelled()) return;
      this.#started.push(task);
      await task.start();
    }
  }

  /** Stops every started task in reverse order, each bounded; never throws. Stopping twice stops nothing twice. */
  async stop(): Promise<void> {
    const timeoutMs = this.#options.stopTimeoutMs ?? 20_000;
    for (const task of this.#started.splice(0).reverse()) {
      if (!task.stop) continue;
      try {
        const limit = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
        await withTimeout(task.stop(), timeoutMs, `closing the ${task.name} took over ${limit}`);
      } catch (err) {
        this.#options.log('warn', `teardown of ${task.name}: ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
