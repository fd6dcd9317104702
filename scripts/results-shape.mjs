#!/usr/bin/env node
// Compares the shape of results.json files: the key paths one has and the other lacks, per
// scenario folder, so that a change to the harness can show it left results.json as users read it.
// Arrays count as one element (`participants[]`); values' types are compared where both are set.
//
//   node scripts/results-shape.mjs <before-dir> <after-dir>
//
// Each dir holds run folders as `npm run scenarios` writes them (<scenario>-<n>/results.json).
// Exits 1 when a scenario's key paths differ, 0 otherwise.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node scripts/results-shape.mjs <before-dir> <after-dir>');
  process.exit(2);
}

/** path -> set of value types seen there ('number', 'string', 'null', ...). */
function shape(value, path = '', into = new Map()) {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (!into.has(path)) into.set(path, new Set());
  into.get(path).add(type);
  if (type === 'array') for (const v of value) shape(v, `${path}[]`, into);
  else if (type === 'object') for (const [k, v] of Object.entries(value)) shape(v, path ? `${path}.${k}` : k, into);
  return into;
}

/** Scenario name -> shape merged over its runs. */
function shapes(dir) {
  const byScenario = new Map();
  for (const run of readdirSync(dir).sort()) {
    const file = join(dir, run, 'results.json');
    if (!existsSync(file)) continue;
    const scenario = run.replace(/-\d+$/, '');
    const merged = byScenario.get(scenario) ?? new Map();
    for (const [p, types] of shape(JSON.parse(readFileSync(file, 'utf8')))) {
      if (!merged.has(p)) merged.set(p, new Set());
      for (const t of types) merged.get(p).add(t);
    }
    byScenario.set(scenario, merged);
  }
  return byScenario;
}

for (const dir of [before, after]) {
  if (!existsSync(dir)) {
    console.error(`${dir}: no such folder (give two folders of runs, as npm run scenarios writes them)`);
    process.exit(2);
  }
}
const a = shapes(before);
const b = shapes(after);
let differs = false;
for (const scenario of [...new Set([...a.keys(), ...b.keys()])].sort()) {
  const sa = a.get(scenario);
  const sb = b.get(scenario);
  if (!sa || !sb) {
    console.log(`${scenario}: only in ${sa ? before : after}`);
    differs = true;
    continue;
  }
  const gone = [...sa.keys()].filter((p) => !sb.has(p));
  const added = [...sb.keys()].filter((p) => !sa.has(p));
  // A value measured in one run and null in another is the same field; a number turned string is not.
  const retyped = [...sa.keys()].filter((p) => sb.has(p)).filter((p) => {
    const ta = [...sa.get(p)].filter((t) => t !== 'null');
    const tb = [...sb.get(p)].filter((t) => t !== 'null');
    return ta.length > 0 && tb.length > 0 && !ta.some((t) => tb.includes(t));
  });
  const ok = gone.length === 0 && added.length === 0 && retyped.length === 0;
  differs ||= !ok;
  console.log(`${scenario}: ${sa.size} key paths before, ${sb.size} after: ${ok ? 'same shape' : 'DIFFERENT'}`);
  for (const p of gone) console.log(`  - ${p}`);
  for (const p of added) console.log(`  + ${p}`);
  for (const p of retyped) console.log(`  ~ ${p}: ${[...sa.get(p)].join('|')} -> ${[...sb.get(p)].join('|')}`);
}
process.exit(differs ? 1 : 0);
