// Churn and rejoins in a scenario: the rate unit ('1/s', '30/m'), the checks that relate a churn's
// fields to the run (it ends in time, each participant is back before its next turn, the number of
// cycles is bounded), and the expansion of a churn into one planned rejoin per cycle, so that every
// leave and join is an action of its own in the results with its outcome and timing.
import { z } from 'zod';
import { formatValue } from './errors.ts';
import type { PlannedPublish, PlannedStep } from './plan.ts';
import { formatDuration, parseDurationMs, UnitError } from './units.ts';

/** Events per second ('1/s', '0.5/s'), per minute ('30/m', '30/min') or a number per second. */
export type Rate = number | `${number}/s` | `${number}/m` | `${number}/min`;

export const RATE_ALLOWED = "a rate like '1/s', '0.5/s', '30/m' or a number per second";

/** A churn can never plan more cycles than this: every one is a leave and a join of a real page. */
export const MAX_CHURN_CYCLES = 10_000;

/** How long a rejoining participant stays away between its leave and its join. Default for both rejoin and churn. */
export const DEFAULT_AWAY_MS = 500;

/** Per second, from a rate ('1/s' -> 1, '30/m' -> 0.5). Throws UnitError for anything else or ≤ 0. */
export function parseRatePerSecond(input: unknown): number {
  let perSecond: number;
  if (typeof input === 'number') perSecond = input;
  else if (typeof input === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*\/\s*(s|m|min)\s*$/.exec(input);
    if (!m) throw new UnitError(`must be ${RATE_ALLOWED}`);
    perSecond = Number(m[1]) / (m[2] === 's' ? 1 : 60);
  } else throw new UnitError(`must be ${RATE_ALLOWED}`);
  if (!Number.isFinite(perSecond) || perSecond <= 0) throw new UnitError(`must be ${RATE_ALLOWED}, above 0`);
  return perSecond;
}

export const rateSchema = z.custom<Rate>(
  (v) => {
    try {
      parseRatePerSecond(v);
      return true;
    } catch {
      return false;
    }
  },
  { error: `must be ${RATE_ALLOWED}, above 0` },
);

/** The fields of a churn action that relate to each other and to the run. */
export interface ChurnFields {
  at: string | number;
  for: string | number;
  rate: Rate;
  away?: string | number;
}

/** One cycle every `periodMs`, starting at the churn's `at`. */
export function churnCycles(churn: ChurnFields): { count: number; periodMs: number; atMs: number; awayMs: number } {
  const perSecond = parseRatePerSecond(churn.rate);
  const count = Math.floor((parseDurationMs(churn.for) / 1000) * perSecond + 1e-9);
  return { count, periodMs: 1000 / perSecond, atMs: parseDurationMs(churn.at), awayMs: parseDurationMs(churn.away ?? DEFAULT_AWAY_MS / 1000) };
}

/**
 * Problems of a churn at `path` ('timeline[3]') over `participants` (its `who`, expanded), for a
 * run of `durationMs`. Empty when it can be planned.
 */
export function checkChurn(churn: ChurnFields, path: string, participants: number, durationMs: number): string[] {
  const { count, periodMs, atMs, awayMs } = churnCycles(churn);
  const problems: string[] = [];
  if (count < 1) {
    problems.push(`${path}: for × rate must give at least one cycle, got for ${formatValue(churn.for)} at ${formatValue(churn.rate)}`);
  } else if (count > MAX_CHURN_CYCLES) {
    problems.push(`${path}: for × rate gives ${count} cycles, at most ${MAX_CHURN_CYCLES} (every cycle is a real leave and join): lower the rate or shorten for`);
  }
  const lastJoinMs = atMs + (Math.max(count, 1) - 1) * periodMs + awayMs;
  if (atMs + parseDurationMs(churn.for) > durationMs || lastJoinMs >= durationMs) {
    problems.push(`${path}.for must end before the end of the run (duration ${formatDuration(durationMs)}), with the last rejoin in it, got ${formatValue(churn.for)} from ${formatDuration(atMs)}`);
  }
  // Participants take turns: each one's next leave comes participants / rate seconds after its last.
  const turnMs = participants * periodMs;
  if (participants > 0 && awayMs >= turnMs) {
    problems.push(
      `${path}.away must be shorter than the time between one participant's turns (${participants} participant(s) at ` +
        `${formatValue(churn.rate)}: ${formatDuration(Math.round(turnMs))}), or it would leave again before it is back; got ${formatValue(churn.away ?? `${DEFAULT_AWAY_MS}ms`)}`,
    );
  }
  return problems;
}

/**
 * A churn as planned steps: cycle i (from 0) at `at + i × period` makes participant i mod n leave,
 * stay away `away`, and join again with its group's publish. Participants take turns in order.
 */
export function expandChurn(churn: ChurnFields, participantIds: readonly string[], index: number): PlannedStep[] {
  const { count, periodMs, atMs, awayMs } = churnCycles(churn);
  return Array.from({ length: count }, (_, i) => ({
    atMs: Math.round(atMs + i * periodMs),
    action: { do: 'rejoin' as const, awayMs, publish: null, churnCycle: i },
    participantIds: [participantIds[i % participantIds.length]!],
    index,
  }));
}

/** A rejoin's publish as planned: null keeps what the participant's group publishes. */
export type RejoinPublish = PlannedPublish | null;
