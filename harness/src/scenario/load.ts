// Loads a *.scenario.ts (or .js/.mjs) file: imports it (the CLI runs under tsx, tests under
// vitest; both import TypeScript directly), takes its default export and validates it. Every
// failure is a ScenarioError of one line naming the file: not found, not a scenario, a syntax
// error, an exception while importing, no default export, or the first invalid fields.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { displayPath, formatValue, ScenarioError } from './errors.ts';
import type { ScenarioSpec } from './types.ts';
import { validateScenario } from './validate.ts';
import { isModulePath } from '../pages/builtin.ts';

export const SCENARIO_FILE = /\.scenario\.(ts|mts|js|mjs)$/;
const SCENARIO_FILE_NAMES = '.scenario.ts, .scenario.mts, .scenario.js or .scenario.mjs';

/** The validated default export of a scenario file. Throws ScenarioError. */
export async function loadScenario(file: string): Promise<ScenarioSpec> {
  const shown = displayPath(file);
  const abs = resolve(file);
  const info = await stat(abs).catch(() => null);
  if (!info) throw new ScenarioError(`${shown}: file not found (looked for ${abs})`);
  if (info.isDirectory()) {
    const inside = (await readdir(abs)).filter((f) => SCENARIO_FILE.test(f)).sort();
    const hint = inside.length ? `: ${inside.slice(0, 5).map((f) => join(shown, f)).join(', ')}` : '';
    throw new ScenarioError(`${shown}: is a folder; give one scenario file${hint}`);
  }
  if (!SCENARIO_FILE.test(basename(abs))) {
    throw new ScenarioError(`${shown}: not a scenario file (expected a name ending in ${SCENARIO_FILE_NAMES})`);
  }

  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ScenarioError(`${shown}: ${describeImportError(err, abs, shown)}`);
  }
  if (mod.default === undefined) {
    const named = Object.keys(mod).filter((k) => k !== 'default');
    const hint = named.length ? ` (it exports ${named.join(', ')})` : '';
    throw new ScenarioError(`${shown}: no default export${hint}; end the file with export default defineScenario({ ... })`);
  }
  if (mod.default === null || typeof mod.default !== 'object' || Array.isArray(mod.default)) {
    throw new ScenarioError(
      `${shown}: the default export must be a scenario object, export default defineScenario({ ... }), got ${formatValue(mod.default)}`,
    );
  }
  return validateScenario(await withPageModule(mod.default as Record<string, unknown>, abs, shown), shown);
}

/**
 * A `target.page` naming a module ('./my-app.adapter.ts') is imported here, relative to the
 * scenario, and replaced by its default export; the adapter is then checked like one written inline.
 */
async function withPageModule(spec: Record<string, unknown>, abs: string, shown: string): Promise<Record<string, unknown>> {
  const target = spec.target as Record<string, unknown> | undefined;
  const page = target?.page;
  if (typeof page !== 'string' || !isModulePath(page)) return spec;
  const file = resolve(dirname(abs), page);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const message = (err as Error)?.message?.split('\n')[0] ?? String(err);
    throw new ScenarioError(`${shown}: target.page: cannot load ${formatValue(page)} (${displayPath(file)}): ${message}`);
  }
  if (mod.default === undefined) {
    throw new ScenarioError(`${shown}: target.page: ${formatValue(page)} has no default export; end it with export default definePageAdapter({ name, join, ... })`);
  }
  return { ...spec, target: { ...target, page: mod.default } };
}

/** One line: what went wrong while importing, with the place in the user's file if known. */
function describeImportError(err: unknown, abs: string, shown: string): string {
  const error = err instanceof Error ? err : new Error(String(err));
  // tsx (esbuild) and vitest (oxc) word syntax errors differently, over several coloured lines.
  const text = error.message.replace(/\x1b\[[0-9;]*m/g, '');
  const firstLine = (text.replace(/^Transform failed with \d+ errors?:\s*/i, '').split('\n')[0] ?? '')
    .replace(/^.*?:\d+:\d+: ERROR: /, '')
    .replace(/^\[[A-Z_]+\]\s*/, '')
    .replaceAll(pathToFileURL(abs).href, shown)
    .replaceAll(abs, shown)
    .trim();
  const syntax =
    error.name === 'SyntaxError' || error.name === 'TransformError' || /^(\[PARSE_ERROR\]|Transform failed)/.test(text);
  // Where: the location in the message (syntax errors) or the first stack frame in the file.
  const escaped = basename(abs).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const place = new RegExp(`${escaped}:(\\d+):(\\d+)`);
  const at = syntax
    ? place.exec(text)
    : place.exec(error.stack?.split('\n').find((l) => l.includes(abs) || l.includes(pathToFileURL(abs).href)) ?? '');
  const where = at ? ` (at line ${at[1]}, column ${at[2]})` : '';
  return syntax ? `syntax error: ${firstLine}${where}` : `failed while loading: ${error.name}: ${firstLine}${where}`;
}
