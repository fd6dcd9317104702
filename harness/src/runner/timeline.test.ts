import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { Timeline } from './timeline.ts';

type Act = { do: string; ms: number };

/** Runs a timeline whose actions take `ms` each; returns the log of starts and ends and the outcomes. */
async function play(steps: { atMs: number; action: Act; participantIds: string[] }[], waitMs: number) {
  const log: string[] = [];
  const timeline = new Timeline<Act>(steps, async (id, action) => {
    log.push(`start ${id} ${action.do}`);
    await delay(action.ms);
    log.push(`end ${id} ${action.do}`);
    if (action.do === 'fail') throw new Error('refused');
  });
  timeline.start(Date.now());
  await delay(waitMs);
  await timeline.stop();
  return { log, outcomes: timeline.outcomes };
}

describe('Timeline', () => {
  it("runs one participant's actions one after another, and other participants' at their time", async () => {
    const { log, outcomes } = await play(
      [
        { atMs: 0, action: { do: 'join', ms: 120 }, participantIds: ['a'] },
        { atMs: 20, action: { do: 'leave', ms: 10 }, participantIds: ['a', 'b'] },
      ],
      250,
    );
    // a's leave came due while its join was going: it waited; b's did not.
    expect(log).toEqual(['start a join', 'start b leave', 'end b leave', 'end a join', 'start a leave', 'end a leave']);
    const aLeave = outcomes.find((o) => o.participant === 'a' && o.action.do === 'leave')!;
    expect(aLeave.startedMs).toBeGreaterThanOrEqual(115);
    expect(aLeave.atMs).toBe(20);
  });

  it('records outcomes in the timeline order, whatever order they finished in', async () => {
    const { outcomes } = await play(
      [
        { atMs: 0, action: { do: 'slow', ms: 150 }, participantIds: ['a'] },
        { atMs: 10, action: { do: 'fast', ms: 5 }, participantIds: ['c', 'b'] },
        { atMs: 30, action: { do: 'fail', ms: 5 }, participantIds: ['b'] },
      ],
      250,
    );
    expect(outcomes.map((o) => `${o.participant} ${o.action.do}`)).toEqual(['a slow', 'c fast', 'b fast', 'b fail']);
    expect(outcomes[3]).toMatchObject({ ok: false, error: 'refused' });
  });

  it('does not start an action still waiting for its participant once stopped', async () => {
    const { log, outcomes } = await play(
      [
        { atMs: 0, action: { do: 'join', ms: 100 }, participantIds: ['a'] },
        { atMs: 10, action: { do: 'leave', ms: 10 }, participantIds: ['a'] },
      ],
      40,
    );
    expect(log).toEqual(['start a join', 'end a join']);
    expect(outcomes.map((o) => o.action.do)).toEqual(['join']);
  });
});
