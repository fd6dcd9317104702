// The verdict of a run (or of shards merged), from what it measured and decided.
import type { SfuLeakCheck } from './analyses.ts';
import type { Verdict } from './schema.ts';

export interface VerdictInputs {
  /** false while the run goes on: 'running'. */
  final: boolean;
  /** Why the run could not be carried out, if it could not. */
  runError: string | null;
  /** The load generator's verdict: why its figures describe the machine, not the call. */
  guard: { invalidReason: string | null };
  thresholds: readonly { ok: boolean; key: string; expression: string }[];
  /** Participants that joined but never connected. */
  neverConnected: readonly string[];
  /** The bundled SFU's counts after everyone left. */
  sfu?: SfuLeakCheck;
}

/**
 * The verdict, in order: a run that could not be carried out or whose load generator was
 * saturated is `invalid` (its figures describe this machine, not the system under test); a failed
 * threshold, a participant that joined but never connected (someone could not make the call,
 * whatever the thresholds say) or state the bundled SFU kept after everyone left is `fail`;
 * else `pass`.
 */
export function decideVerdict(input: VerdictInputs): { verdict: Verdict; reason?: string } {
  if (!input.final) return { verdict: 'running' };
  if (input.runError) return { verdict: 'invalid', reason: `the run could not be carried out: ${input.runError}` };
  if (input.guard.invalidReason) return { verdict: 'invalid', reason: input.guard.invalidReason };
  const reasons: string[] = [];
  const failed = input.thresholds.filter((t) => !t.ok);
  if (failed.length > 0) {
    const names = failed.map((t) => `${t.key} ${t.expression}`);
    reasons.push(`${failed.length} threshold(s) failed: ${names.slice(0, 3).join('; ')}${names.length > 3 ? '; …' : ''}`);
  }
  const nc = input.neverConnected;
  if (nc.length > 0) reasons.push(`${nc.length} participant(s) never connected: ${nc.slice(0, 5).join(', ')}${nc.length > 5 ? ', …' : ''}`);
  const dropped = input.sfu?.dropped ?? [];
  if (dropped.length > 0) {
    const ids = dropped.map((d) => d.id);
    reasons.push(`the SFU dropped ${dropped.length} participant(s) from their room: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''} (${dropped[0]!.reason})`);
  }
  if (input.sfu?.leaked) reasons.push(`the SFU leaked state: ${describeLeak(input.sfu)}`);
  return reasons.length > 0 ? { verdict: 'fail', reason: reasons.join('; ') } : { verdict: 'pass' };
}

/** What the SFU held that it should not have. */
function describeLeak(check: SfuLeakCheck): string {
  const after = Object.entries(check.afterLeave).filter(([, n]) => n > 0);
  if (after.length > 0) return `after every participant left it still held ${after.map(([k, n]) => `${n} ${k}`).join(', ')}`;
  const { counts, expected } = check.beforeLeave;
  const off = (Object.keys(counts) as (keyof typeof counts)[]).filter((k) => counts[k] !== expected[k]);
  return `before the leaves it held ${off.map((k) => `${counts[k]} ${k} (pages account for ${expected[k]})`).join(', ')}`;
}
