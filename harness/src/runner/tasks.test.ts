// The task lists a run is made of: started in order, stopped in reverse, a failed start and a
// hanging stop included.
import { describe, expect, it } from 'vitest';
import { TaskList, type Task } from './tasks.ts';

function recorder() {
  const events: string[] = [];
  const logs: string[] = [];
  const task = (name: string, behaviour: { startThrows?: boolean; stopThrows?: boolean; stopHangs?: boolean; noStop?: boolean } = {}): Task => ({
    name,
    async start() {
      events.push(`start ${name}`);
      if (behaviour.startThrows) throw new Error(`${name} could not start`);
    },
    ...(behaviour.noStop
      ? {}
      : {
          async stop() {
            events.push(`stop ${name}`);
            if (behaviour.stopThrows) throw new Error(`${name} refused`);
            if (behaviour.stopHangs) await new Promise(() => {});
          },
        }),
  });
  return { events, logs, task, log: (_: 'warn', m: string) => logs.push(m) };
}

describe('TaskList', () => {
  it('starts in order and stops in reverse', async () => {
    const r = recorder();
    const list = new TaskList([r.task('turn'), r.task('sfu'), r.task('browsers', { noStop: true }), r.task('pages')], { log: r.log });
    await list.start();
    await list.stop();
    expect(r.events).toEqual(['start turn', 'start sfu', 'start browsers', 'start pages', 'stop pages', 'stop sfu', 'stop turn']);
    await list.stop();
    expect(r.events).toHaveLength(7);
  });

  it('stops the task whose start threw and those before it, never those after', async () => {
    const r = recorder();
    const list = new TaskList([r.task('turn'), r.task('sfu', { startThrows: true }), r.task('pages')], { log: r.log });
    await expect(list.start()).rejects.toThrow('sfu could not start');
    await list.stop();
    expect(r.events).toEqual(['start turn', 'start sfu', 'stop sfu', 'stop turn']);
  });

  it('starts nothing more once cancelled', async () => {
    const r = recorder();
    let cancelled = false;
    const list = new TaskList([r.task('turn'), { name: 'sfu', start: async () => void (cancelled = true) }, r.task('pages')], { log: r.log });
    await list.start(() => cancelled);
    await list.stop();
    expect(r.events).toEqual(['start turn', 'stop turn']);
  });

  it('logs a stop that throws or hangs and still stops the others', async () => {
    const r = recorder();
    const list = new TaskList([r.task('turn'), r.task('sfu', { stopThrows: true }), r.task('browsers', { stopHangs: true })], { log: r.log, stopTimeoutMs: 50 });
    await list.start();
    await list.stop();
    expect(r.events.slice(3)).toEqual(['stop browsers', 'stop sfu', 'stop turn']);
    expect(r.logs).toEqual(['teardown of browsers: closing the browsers took over 50 ms', 'teardown of sfu: sfu refused']);
  });
});
