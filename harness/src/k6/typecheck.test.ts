// k6 cannot be installed here, so the exported scripts are checked against k6's published API
// (@types/k6) with the TypeScript compiler: every shipped scenario's script, as plain JavaScript
// with its JSDoc types (checkJs), must have no errors; and a script with a wrong k6 call must
// have them, so that the check cannot pass by checking nothing.
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportK6 } from './export.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SCENARIOS = join(REPO, 'scenarios');
/** Where the scripts seem to be, so that 'k6/...' resolves to the repository's node_modules/@types/k6. */
const VIRTUAL_DIR = join(REPO, '.k6-typecheck');

// k6 provides `console` as a global; @types/k6 leaves it to the DOM or Node typings, which would
// also let through browser or Node APIs that k6 does not have.
const K6_GLOBALS = `declare var console: { log(...a: unknown[]): void; info(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void; debug(...a: unknown[]): void };`;

const OPTIONS: ts.CompilerOptions = {
  allowJs: true,
  checkJs: true,
  noEmit: true,
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts'],
  types: ['k6'],
  typeRoots: [join(REPO, 'node_modules/@types')],
  skipLibCheck: true,
};

/** Type errors of each script (file name -> script text), as 'file:line: message'. */
function typeErrors(scripts: Record<string, string>): string[] {
  const files = new Map(Object.entries(scripts).map(([name, text]) => [join(VIRTUAL_DIR, name), text]));
  files.set(join(VIRTUAL_DIR, 'k6-globals.d.ts'), K6_GLOBALS);
  const host = ts.createCompilerHost(OPTIONS);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = files.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile(f, lang, ...rest);
  };
  const program = ts.createProgram([...files.keys()], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(`${VIRTUAL_DIR}/`, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('exported k6 scripts type-check against @types/k6', () => {
  const scripts: Record<string, string> = {};

  beforeAll(async () => {
    for (const file of readdirSync(SCENARIOS).filter((f) => f.endsWith('.scenario.ts')).sort()) {
      scripts[file.replace(/\.scenario\.ts$/, '.k6.js')] = await exportK6(join(SCENARIOS, file));
    }
  }, 60_000);

  it('every shipped scenario exports, and its script has no type errors', () => {
    expect(Object.keys(scripts).length).toBeGreaterThanOrEqual(8);
    expect(typeErrors(scripts)).toEqual([]);
  }, 60_000);

  it('a wrong k6 call, option or metric use is an error (the check reads the k6 API)', () => {
    const smoke = scripts['smoke.k6.js']!;
    const broken = {
      'context.k6.js': smoke.replace('browser.newContext()', 'browser.newContxt()'),
      'executor.k6.js': smoke.replace("executor: 'per-vu-iterations'", "executor: 'per-vu-iteration'"),
      'goto.k6.js': smoke.replace("{ waitUntil: 'load' }", "{ waitUntil: 'loaded' }"),
      'metric.k6.js': smoke.replace("new Trend('video_recv_fps')", "new Trend('video_recv_fps', 'yes')"),
    };
    for (const [name, text] of Object.entries(broken)) expect(text, `${name} changed the script`).not.toBe(smoke);
    const errors = typeErrors(broken);
    for (const name of Object.keys(broken)) expect(errors.some((e) => e.startsWith(`${name}:`)), `${name}: ${errors.join('\n')}`).toBe(true);
    expect(errors.join('\n')).toMatch(/newContxt/);
  }, 60_000);
});
