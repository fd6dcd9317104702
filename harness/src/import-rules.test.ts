// The folder layering of import-rules.ts, checked on every file of harness/src and sfu/ as the
// TypeScript parser reads their imports (static, re-exports and dynamic import()).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AGENT_GLOBAL, AGENT_GLOBAL_FILES, IMPORT_RULES, TYPE_ONLY_IMPORTS } from './import-rules.ts';

const SRC = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(SRC, '../..');

interface Import {
  /** Where the import points, relative to the repository root ('harness/src/stats/types.ts'). */
  target: string;
  typeOnly: boolean;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) return;
    const line = source.getLineAndCharacterOfPosition(specifier.getStart()).line + 1;
    found.push({ target: relative(REPO, resolve(dirname(file), specifier.text)).split(sep).join('/'), typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      // `import type {...}`, or `import { type A, type B }` with nothing else.
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Identifiers and string literals of a file's code (not its comments). */
function namesInCode(file: string): Set<string> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) names.add(node.text);
    else if (ts.isStringLiteralLike(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** The folder of harness/src a repository path is in, or null when it is outside harness/src or a top-level file. */
function folderOf(path: string): string | null {
  const m = /^harness\/src\/([^/]+)\//.exec(path);
  return m ? m[1]! : null;
}

describe('import rules', () => {
  it('every folder of harness/src has rules, and the rules have no cycle', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !(f in IMPORT_RULES)), 'folders without rules in import-rules.ts').toEqual([]);
    // Stronger than no cycle: the table reads bottom-up, each folder after everything it imports.
    const order = Object.keys(IMPORT_RULES);
    const above = order.flatMap((folder, i) =>
      IMPORT_RULES[folder]!.filter((d) => !d.includes('/') && order.indexOf(d) >= i).map((d) => `${folder} -> ${d}`),
    );
    expect(above, 'folders that import a folder listed after them').toEqual([]);
    const cycle = findCycle(IMPORT_RULES);
    expect(cycle, `import-rules.ts allows a cycle: ${cycle?.join(' -> ')}`).toBeNull();
  });

  it('every import of harness/src stays within its folder, goes to a folder its rules allow, and is type-only where they say', () => {
    const broken: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = relative(REPO, file).split(sep).join('/');
      const folder = folderOf(from);
      if (folder === null) continue; // cli.ts, index.ts
      const allowed = IMPORT_RULES[folder] ?? [];
      for (const imp of importsOf(file)) {
        const to = folderOf(imp.target);
        if (to === folder) continue;
        const ok = to !== null ? allowed.includes(to) : allowed.includes(imp.target);
        if (!ok) broken.push(`${from}:${imp.line} imports ${imp.target}, which ${folder}/ may not import`);
        else if (to !== null && TYPE_ONLY_IMPORTS[folder]?.includes(to) && !imp.typeOnly) {
          broken.push(`${from}:${imp.line} imports ${imp.target} as a value; ${folder}/ imports only types from ${to}/`);
        }
      }
    }
    expect(broken).toEqual([]);
    // Parses every file of harness/src with TypeScript: ~5 s on a busy 2-core machine.
  }, 60_000);

  it('the SFU stands alone: nothing in sfu/ imports the harness or the tests', () => {
    const broken = sourceFiles(join(REPO, 'sfu')).flatMap((file) =>
      importsOf(file)
        .filter((imp) => !imp.target.startsWith('sfu/'))
        .map((imp) => `${relative(REPO, file)}:${imp.line} imports ${imp.target}`),
    );
    expect(broken).toEqual([]);
  });

  it(`only the agent and its bridge reach the page global ${AGENT_GLOBAL} (comments aside)`, () => {
    const naming = sourceFiles(SRC)
      .filter((file) => !file.endsWith('.test.ts') && namesInCode(file).has(AGENT_GLOBAL))
      .map((file) => relative(SRC, file).split(sep).join('/'));
    expect(naming.filter((f) => !AGENT_GLOBAL_FILES.includes(f) && f !== 'import-rules.ts')).toEqual([]);
    expect(namesInCode(join(SRC, 'participants/agent-bridge.ts')).has(AGENT_GLOBAL)).toBe(true);
  });

  it('the check finds a type import, a value import and a cycle (so that it cannot pass by reading nothing)', () => {
    const imports = importsOf(join(SRC, 'results/schema.ts'));
    expect(imports.some((i) => i.target === 'harness/src/stats/aggregate.ts' && i.typeOnly)).toBe(true);
    expect(importsOf(join(SRC, 'runner/run.ts')).some((i) => i.target === 'harness/src/runner/tasks.ts' && !i.typeOnly)).toBe(true);
    expect(findCycle({ a: ['b'], b: ['c'], c: ['a'] })).toEqual(['a', 'b', 'c', 'a']);
  });
});

/** A cycle among the folders (file entries are leaves), or null. */
function findCycle(rules: Readonly<Record<string, readonly string[]>>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of rules[node] ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of Object.keys(rules)) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}
