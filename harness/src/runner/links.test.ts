// ParticipantLinks on real links (real sockets on 127.0.0.1; no traffic is needed to check what
// they are set to and what is recorded).
import { afterEach, describe, expect, it } from 'vitest';
import { getProfile } from '../network/profiles.ts';
import { resolveLinkUpdate } from '../network/settings.ts';
import { parseTrace } from '../network/trace.ts';
import type { PlannedTrace } from '../scenario/plan.ts';
import { ParticipantLinks } from './links.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const open: ParticipantLinks[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

function links(): ParticipantLinks {
  const l = new ParticipantLinks([{ host: '127.0.0.1', port: 40_000 }], 42);
  open.push(l);
  return l;
}

const trace = (csv: string, loop = false): PlannedTrace => ({ trace: parseTrace(csv, 'traces/t.csv'), loop });

describe('ParticipantLinks', () => {
  it('starts a group trace with the run clock and records each point with its time and file', async () => {
    const l = links();
    await l.create('riders[0]', 'riders', trace('timeSeconds,delayMs,lossPct\n0,40,\n0.15,,3\n'));
    expect(l.profile('riders[0]')!.down.delayMs).toBe(0); // waits for the clock
    l.setStart(Date.now());
    expect(l.profile('riders[0]')!.down.delayMs).toBe(40);
    await sleep(300);
    expect(l.profile('riders[0]')).toMatchObject({ up: { delayMs: 40, lossPct: 3 }, down: { delayMs: 40, lossPct: 3 } });
    const changes = l.changes.filter((c) => c.trace === 'traces/t.csv');
    expect(changes).toHaveLength(2);
    expect(changes[1]!.atMs).toBeGreaterThanOrEqual(145);
    expect(changes[1]!.atMs).toBeLessThan(290);
  });

  it('stops a trace when a later change comes, and records outages with their length', async () => {
    const l = links();
    await l.create('viewers[0]', 'viewers', resolveLinkUpdate(getProfile('lte')));
    l.setStart(Date.now());
    l.apply('viewers[0]', trace('timeSeconds,rateKbps\n0,800\n0.2,100\n'));
    expect(l.profile('viewers[0]')!.up.rateKbps).toBe(800);
    l.apply('viewers[0]', { outageMs: 5000 });
    await sleep(300);
    // The 0.2 s point never came: the outage change stopped the trace.
    expect(l.profile('viewers[0]')!.up.rateKbps).toBe(800);
    const last = l.changes.at(-1)!;
    expect(last).toMatchObject({ participant: 'viewers[0]', outageMs: 5000 });
    expect(last.trace).toBeUndefined();
    expect(l.changes.map((c) => c.outageMs ?? null)).toEqual([null, null, 5000]);
    expect(l.changes[0]!.atMs).toBeLessThanOrEqual(0); // the initial setting, before the start
  });

  it('gives each participant its own link address for the page to use', async () => {
    const l = links();
    await l.create('a[0]', 'a', { both: { lossPct: 50 } });
    await l.create('a[1]', 'a', { both: { lossPct: 50 } });
    expect(l.rewriteRules('a[0]')['127.0.0.1:40000']).not.toBe(l.rewriteRules('a[1]')['127.0.0.1:40000']);
    expect(l.rewriteRules('nobody')).toEqual({});
  });
});
