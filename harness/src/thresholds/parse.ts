// Thresholds in k6's syntax, as data: a selector names a metric and filters its samples by tag
// ('video_recv_fps{group:viewers,rid:h}'), an expression compares one aggregate of them with a
// number ('p(95) < 150'). Both parse into plain objects; errors give the 1-based column.
import { isMetricName, METRICS, type MetricName } from '../stats/catalogue.ts';
import { closest } from '../util/suggest.ts';

export type SimpleAggregation = 'avg' | 'min' | 'max' | 'med' | 'count' | 'last';
export type Aggregation = { kind: SimpleAggregation } | { kind: 'p'; percentile: number };
export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export const SIMPLE_AGGREGATIONS: readonly SimpleAggregation[] = ['avg', 'min', 'max', 'med', 'count', 'last'];
export const COMPARISONS: readonly Comparison[] = ['<=', '>=', '==', '!=', '<', '>'];

/** 'p(95) < 150' as data. */
export interface ParsedExpression {
  aggregation: Aggregation;
  op: Comparison;
  value: number;
}

/** 'video_recv_fps{group:viewers}' as data. */
export interface Selector {
  metric: MetricName;
  /** Tag name -> value every sample must carry (all must match). Empty: every sample. */
  filter: Record<string, string>;
}

/** One threshold, ready to evaluate: one selector and one expression. */
export interface ThresholdDef extends Selector {
  /** The selector as written, e.g. 'video_recv_fps{group:viewers}'. */
  key: string;
  /** The expression as written, e.g. 'p(5) > 20'. */
  expression: string;
  parsed: ParsedExpression;
  /** Stop the run as soon as this threshold fails (checked periodically). Default false. */
  abortOnFail: boolean;
  /** With abortOnFail: do not check before this long after the run's start, ms. Default 0. */
  delayAbortEvalMs: number;
}

/** Words people write for an aggregation, for "did you mean". */
const AGGREGATION_ALIASES: Record<string, string> = {
  mean: 'avg',
  average: 'avg',
  median: 'med',
  minimum: 'min',
  maximum: 'max',
  total: 'count',
};

const ALLOWED_AGGREGATIONS = 'avg, min, max, med, count, last or p(N)';
const ALLOWED_OPERATORS = '<, <=, >, >=, == or !=';

/**
 * A syntax error in a selector or expression: the message quotes the text, `problem` does not
 * (for callers that show the text already); `column` is 1-based.
 */
export class ThresholdSyntaxError extends Error {
  override name = 'ThresholdSyntaxError';
  constructor(
    readonly text: string,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`'${text}': ${problem}`);
  }
}

/** A small cursor over the text, so each error knows its column. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  match(re: RegExp): string | null {
    const sticky = new RegExp(re.source, 'y' + re.flags.replace('y', ''));
    sticky.lastIndex = this.pos;
    const m = sticky.exec(this.text);
    if (!m) return null;
    this.pos += m[0].length;
    return m[0];
  }
  /** What stands at the cursor (past any spaces), for "found ..." in messages. */
  found(): string {
    const rest = this.text.slice(this.pos).trimStart();
    return rest === '' ? 'the end' : `'${/^\S{1,12}/.exec(rest)![0]}'`;
  }
  fail(problem: string, at = this.pos): never {
    throw new ThresholdSyntaxError(this.text, at + 1, problem);
  }
}

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)/;

/** Parses 'p(95) < 150', 'avg>=20.5', 'count == 0'. Throws ThresholdSyntaxError. */
export function parseExpression(text: string): ParsedExpression {
  const s: Scanner = new Scanner(text);
  s.skipSpace();
  const aggregation = parseAggregation(s);
  s.skipSpace();
  const opAt = s.pos;
  const op = s.match(/<=|>=|==|!=|<|>/) as Comparison | null;
  if (!op) {
    const hint = s.text[opAt] === '=' ? " (use '==' to compare for equality)" : '';
    s.fail(`expected an operator (${ALLOWED_OPERATORS}) at column ${opAt + 1}, found ${s.found()}${hint}`);
  }
  s.skipSpace();
  const numberAt = s.pos;
  const num = s.match(NUMBER);
  if (num === null) s.fail(`expected a number at column ${numberAt + 1}, found ${s.found()}`);
  s.skipSpace();
  if (!s.atEnd()) {
    const hint = /^[a-z%]/i.test(s.text[s.pos]!) ? ' (write the number alone, in the metric\'s unit)' : '';
    s.fail(`unexpected ${s.found()} at column ${s.pos + 1}, expected the end of the expression${hint}`);
  }
  return { aggregation, op, value: Number(num) };
}

function parseAggregation(s: Scanner): Aggregation {
  const at = s.pos;
  const name = s.match(/[a-z][a-z0-9_.]*/i);
  if (name === null) {
    s.fail(`expected an aggregation (${ALLOWED_AGGREGATIONS}) at column ${at + 1}, found ${s.found()}`, at);
  }
  if (name === 'p') {
    s.skipSpace();
    if (!s.match(/\(/)) s.fail(`expected '(' after p at column ${s.pos + 1}, found ${s.found()} (write p(95))`);
    s.skipSpace();
    const numberAt = s.pos;
    const num = s.match(NUMBER);
    if (num === null) s.fail(`expected a percentile at column ${numberAt + 1}, found ${s.found()}`);
    const percentile = Number(num);
    if (percentile < 0 || percentile > 100) {
      s.fail(`percentile must be from 0 to 100 at column ${numberAt + 1}, found ${num}`, numberAt);
    }
    s.skipSpace();
    if (!s.match(/\)/)) s.fail(`expected ')' at column ${s.pos + 1}, found ${s.found()}`);
    return { kind: 'p', percentile };
  }
  if ((SIMPLE_AGGREGATIONS as readonly string[]).includes(name)) return { kind: name as SimpleAggregation };
  const shorthand = /^p(\d+(?:\.\d+)?)$/.exec(name);
  const suggestion = shorthand
    ? `p(${shorthand[1]})`
    : (AGGREGATION_ALIASES[name.toLowerCase()] ?? closest(name, SIMPLE_AGGREGATIONS));
  const hint = suggestion ? `did you mean ${suggestion}? ` : '';
  return s.fail(`unknown aggregation '${name}' at column ${at + 1} (${hint}allowed: ${ALLOWED_AGGREGATIONS})`, at);
}

/** Parses 'metric' or 'metric{tag:value,tag2:value}'. Throws ThresholdSyntaxError. */
export function parseSelector(text: string): Selector {
  const s: Scanner = new Scanner(text);
  const name = s.match(/[a-z_][a-z0-9_]*/i);
  if (name === null) s.fail(`expected a metric name at column 1, found ${s.found()}`);
  if (!isMetricName(name)) {
    const suggestion = closest(name, Object.keys(METRICS));
    s.fail(`unknown metric '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : ' (see the metric catalogue: harness/src/stats/catalogue.ts)'}`, 0);
  }
  const filter: Record<string, string> = {};
  s.skipSpace();
  if (s.atEnd()) return { metric: name, filter };
  if (!s.match(/\{/)) s.fail(`expected '{' or the end at column ${s.pos + 1}, found ${s.found()}`);
  for (;;) {
    s.skipSpace();
    const tagAt = s.pos;
    const tag = s.match(/[a-z_][a-z0-9_]*/i);
    if (tag === null) s.fail(`expected a tag name at column ${tagAt + 1}, found ${s.found()}`);
    s.skipSpace();
    if (!s.match(/:/)) s.fail(`expected ':' after the tag '${tag}' at column ${s.pos + 1}, found ${s.found()}`);
    s.skipSpace();
    const valueAt = s.pos;
    const value = (s.match(/[^,}]*/) ?? '').trim();
    if (value === '') s.fail(`expected a value for the tag '${tag}' at column ${valueAt + 1}, found ${s.found()}`);
    if (Object.hasOwn(filter, tag)) s.fail(`the tag '${tag}' appears twice (column ${tagAt + 1})`, tagAt);
    filter[tag] = value;
    if (s.match(/,/)) continue;
    if (s.match(/\}/)) break;
    s.fail(`expected ',' or '}' at column ${s.pos + 1}, found ${s.found()}`);
  }
  s.skipSpace();
  if (!s.atEnd()) s.fail(`unexpected ${s.found()} at column ${s.pos + 1} after '}'`);
  return { metric: name, filter };
}

export interface ThresholdOptions {
  /** Default false. */
  abortOnFail?: boolean;
  /** Default 0. */
  delayAbortEvalMs?: number;
}

/** One selector and one expression -> a ThresholdDef. Throws ThresholdSyntaxError. */
export function parseThreshold(key: string, expression: string, options: ThresholdOptions = {}): ThresholdDef {
  const { metric, filter } = parseSelector(key);
  return {
    key,
    metric,
    filter,
    expression,
    parsed: parseExpression(expression),
    abortOnFail: options.abortOnFail ?? false,
    delayAbortEvalMs: options.delayAbortEvalMs ?? 0,
  };
}

/** The aggregation as written in expressions: 'p(95)', 'avg'. */
export function formatAggregation(a: Aggregation): string {
  return a.kind === 'p' ? `p(${a.percentile})` : a.kind;
}
