// Which folder of harness/src may import which: the layering the code keeps, checked by
// import-rules.test.ts on every file (tests included). Lower layers first: a folder imports only
// the folders listed for it (and itself), all of them listed before it, so there is no cycle, and
// an import that would make two folders depend on each other fails the suite with its file.
// Top-level files (cli.ts, index.ts) may import anything.
//
// Reading the table: the SFU stands alone (sfu/ imports nothing of the harness); stats/,
// thresholds/ and network/ are pure; browser/ is the code that runs in the page; results/ is the
// results.json schema that the runner writes and reporters/ and compare/ only read; analysis/
// turns samples into findings and knows nothing of pages or the runner; runner/ wires it all.

/** A folder of harness/src, or a file elsewhere in the repository (from its root). */
export type Dependency = string;

export const IMPORT_RULES: Readonly<Record<string, readonly Dependency[]>> = {
  util: [],
  stats: ['util'],
  network: ['util'],
  thresholds: ['stats', 'util'],
  // Bundled into the page: the raw snapshot types and their version, nothing of Node's side.
  browser: ['stats'],
  pages: ['util'],
  turn: ['network', 'stats', 'util', 'sfu/src/turn.ts'],
  scenario: ['pages', 'network', 'turn', 'thresholds', 'stats', 'util'],
  results: ['stats', 'network', 'turn', 'util'],
  compare: ['results', 'thresholds', 'stats', 'util'],
  analysis: ['results', 'network', 'stats', 'util'],
  participants: ['pages', 'browser', 'scenario', 'stats', 'util'],
  reporters: ['results', 'compare', 'network', 'stats', 'util'],
  prometheus: ['reporters', 'results', 'scenario', 'stats', 'util', 'sfu/src/metrics.ts'],
  merge: ['reporters', 'results', 'thresholds', 'stats', 'util'],
  runner: [
    'analysis',
    'browser',
    'network',
    'pages',
    'participants',
    'reporters',
    'results',
    'scenario',
    'stats',
    'thresholds',
    'turn',
    'util',
    'sfu/src/server.ts',
  ],
  k6: ['browser', 'pages', 'scenario', 'stats', 'thresholds'],
  k8s: ['prometheus', 'scenario'],
};

/**
 * Folders that may import only types from some of the folders they depend on: results/ describes
 * a file (it may read the metric catalogue to format values), and reading results.json must not
 * load the links or coturn that produced it.
 */
export const TYPE_ONLY_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  results: ['network', 'turn'],
};

/** The only files that may name the stats agent's page global: the agent itself and its one bridge. */
export const AGENT_GLOBAL = '__rtcHarnessAgent';
export const AGENT_GLOBAL_FILES: readonly string[] = ['browser/agent.ts', 'participants/agent-bridge.ts'];
