// The boundary: a scenario object from a user's module -> a ScenarioSpec the harness trusts, or a
// ScenarioError listing every problem, one line each: `<file>: <field> <what is allowed>, got <value>`.
// The shape is checked first (schema.ts); relations between fields only on a well-formed shape.
import type { z } from 'zod';
import { checkScenario } from './check.ts';
import { formatPath, formatValue, ScenarioError } from './errors.ts';
import { allowedKeysAt, scenarioSchema } from './schema.ts';
import { closest, didYouMean } from '../util/suggest.ts';
import type { ScenarioSpec } from './types.ts';

/**
 * Validates `input` (the default export of `file`). `label` is what each line starts with; by
 * default the file, e.g. 'scenarios/x.scenario.ts (with --set viewers.count=2)' for overrides.
 */
export function validateScenario(input: unknown, label: string): ScenarioSpec {
  const parsed = scenarioSchema.safeParse(input, { reportInput: true });
  const problems = parsed.success
    ? checkScenario(parsed.data)
    : shapeProblems(parsed.error.issues, input);
  if (problems.length > 0 || !parsed.success) throw new ScenarioError(problems.map((p) => `${label}: ${p}`));
  // The schema's output is a ScenarioSpec (tied in schema.ts); check.ts has checked the rest.
  return parsed.data;
}

function shapeProblems(rawIssues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const issues = rawIssues.flatMap(pickUnionBranch);
  // A mistyped field ('partcipants') also leaves the real one missing: report the typo only.
  const unknownKeys = issues.flatMap((i) =>
    i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ parent: formatPath(i.path), key: k })) : [],
  );
  const explainedByTypo = (issue: z.core.$ZodIssue) => {
    const key = issue.path.at(-1);
    if (typeof key !== 'string' || !isMissing(input, issue.path)) return false;
    const parent = formatPath(issue.path.slice(0, -1));
    return unknownKeys.some((u) => u.parent === parent && closest(u.key, [key]) !== undefined);
  };
  return issues.filter((i) => !explainedByTypo(i)).flatMap((i) => issueLines(i, input));
}

/**
 * A value that fails a union (`video: boolean | {...}`) is reported through the one branch of its
 * type, so `{ fps: 0 }` reads "video.fps must be ...", not "video must be true, false or {...}".
 * A branch is out when it rejects the value as a whole (wrong type, wrong literal, other fields).
 */
function pickUnionBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const branches = issue.errors.filter((list) => !rejectsWhole(list));
  if (branches.length !== 1) return [issue];
  return branches[0]!.flatMap((i) => pickUnionBranch({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
}

const WHOLE_VALUE = new Set(['invalid_type', 'invalid_value', 'unrecognized_keys']);

/** Whether a branch's issues reject the value as a whole; a nested union does when every branch of it does. */
function rejectsWhole(issues: z.core.$ZodIssue[]): boolean {
  return issues.some(
    (i) => i.path.length === 0 && (WHOLE_VALUE.has(i.code) || (i.code === 'invalid_union' && i.errors.length > 0 && i.errors.every(rejectsWhole))),
  );
}

function issueLines(issue: z.core.$ZodIssue, input: unknown): string[] {
  const where = formatPath(issue.path) || 'the scenario';
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(input, issue.path);
    return issue.keys.map((key) => {
      const hint = didYouMean(key, allowed) || (allowed.length ? ` (allowed: ${allowed.join(', ')})` : '');
      return `${formatPath([...issue.path, key])}: unknown field${hint}`;
    });
  }
  const options = (issue as { options?: unknown }).options;
  if (issue.code === 'invalid_union' && Array.isArray(options)) {
    // A timeline action whose `do` is not an action (no matching discriminator).
    const names = options.map(String);
    const value = valueAt(input, issue.path);
    const allowed = `one of ${names.join(', ')}`;
    if (value === undefined) return [`${where} is missing; it must be ${allowed}`];
    return [`${where} must be ${allowed}${didYouMean(String(value), names)}, got ${formatValue(value)}`];
  }
  if (isMissing(input, issue.path)) return [`${where} is missing; it ${issue.message}`];
  return [`${where} ${issue.message}, got ${formatValue(valueAt(input, issue.path))}`];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return input === undefined;
  const parent = valueAt(input, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && !Object.hasOwn(parent, path.at(-1)!);
}
