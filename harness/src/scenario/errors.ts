// A scenario the harness cannot run: a missing file, a field out of range, a bad override. The
// message is what the user reads, one line per problem, each naming the file and the field; the
// CLI prints it without a stack and exits 1.
import { isAbsolute, relative, resolve } from 'node:path';

export class ScenarioError extends Error {
  override name = 'ScenarioError';
  /** Each problem as one line, `<file>: <field> <what is allowed>, got <value>`. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'));
    this.problems = list;
  }
}

/** A file as the user should see it: relative to the working directory when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, file);
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/**
 * A field path for messages: participants.viewers.count, timeline[2].who, thresholds['x{a:b}'][0].
 * Threshold selectors are always quoted, as they are written as strings.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const [i, segment] of path.entries()) {
    const quoted = i === 1 && path[0] === 'thresholds';
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (!quoted && typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment)).replace(/^"|"$/g, "'")}]`;
  }
  return out;
}

/** A value a user wrote, short, for "got ...": 'viewrs', 0, { sfu: 'bundeld' }. */
export function formatValue(value: unknown, maxLength = 60): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return shorten(`'${value}'`, maxLength);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || typeof value === 'bigint') {
    return String(value);
  }
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'function' ? '<function>' : v)) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return shorten(text, maxLength);
}

function shorten(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
