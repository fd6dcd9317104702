// `--reporter console,junit=out/junit.xml,html`: which reporters a run uses, Playwright-style.
// results.json and samples.jsonl are always written (they are the run's record); by default the
// console summary, report.html, junit.xml and summary.md are written too, since they are cheap and
// a CI job wants them all. A name may carry a path: `junit=reports/junit.xml`.
import { join } from 'node:path';
import { closest } from '../util/suggest.ts';
import type { Reporter } from './reporter.ts';
import { ConsoleReporter } from './console.ts';
import { JsonReporter } from './json.ts';
import { JUnitReporter } from './junit.ts';
import { MarkdownReporter } from './markdown.ts';
import { HtmlReporter } from './html/reporter.ts';

export const REPORTER_NAMES = ['console', 'json', 'junit', 'markdown', 'html'] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

/** Used when --reporter is not given. */
export const DEFAULT_REPORTERS = 'console,html,junit,markdown';

/** The file each file reporter writes in the output folder when no path is given. */
const DEFAULT_FILES: Partial<Record<ReporterName, string>> = { junit: 'junit.xml', markdown: 'summary.md', html: 'report.html' };

export interface ReporterChoice {
  name: ReporterName;
  /** Where it writes, when given as name=path. */
  path?: string;
}

export class ReporterListError extends Error {
  override name = 'ReporterListError';
}

/** Parses a comma-separated list; throws ReporterListError naming the bad entry. */
export function parseReporterList(text: string): ReporterChoice[] {
  const choices: ReporterChoice[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    const path = eq < 0 ? undefined : part.slice(eq + 1).trim();
    if (!(REPORTER_NAMES as readonly string[]).includes(name)) {
      const suggestion = closest(name, REPORTER_NAMES);
      throw new ReporterListError(`unknown reporter '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : ''}; choose from ${REPORTER_NAMES.join(', ')}`);
    }
    if (path === '') throw new ReporterListError(`'${part}': a path after '=' is missing (e.g. junit=reports/junit.xml)`);
    if (path !== undefined && name === 'console') throw new ReporterListError(`'${part}': the console reporter prints to the terminal and takes no path`);
    if (choices.some((c) => c.name === name)) throw new ReporterListError(`reporter '${name}' is listed twice`);
    choices.push({ name: name as ReporterName, ...(path !== undefined ? { path } : {}) });
  }
  if (choices.length === 0) throw new ReporterListError(`no reporter given; choose from ${REPORTER_NAMES.join(', ')}`);
  return choices;
}

export interface CreateReportersOptions {
  outDir: string;
  /** The console prints only its summary. Default false. */
  quiet?: boolean;
}

export interface CreatedReporters {
  reporters: Reporter[];
  /**
   * The console reporter when chosen; otherwise one that writes to stderr, for messages that must
   * reach the user anyway (stdout may carry `--reporter json`). It is not in `reporters`.
   */
  console: ConsoleReporter;
  /** The files the chosen reporters write, in order. */
  files: string[];
}

export function createReporters(choices: readonly ReporterChoice[], options: CreateReportersOptions): CreatedReporters {
  const files = choices.flatMap((c) => {
    const file = c.path ?? (DEFAULT_FILES[c.name] ? join(options.outDir, DEFAULT_FILES[c.name]!) : undefined);
    return file ? [file] : [];
  });
  const quiet = options.quiet ?? false;
  const chosenConsole = choices.some((c) => c.name === 'console') ? new ConsoleReporter({ quiet, reportFiles: files }) : null;
  const reporters = choices.map((c): Reporter => {
    switch (c.name) {
      case 'console':
        return chosenConsole!;
      case 'json':
        return new JsonReporter(c.path ? { path: c.path } : {});
      case 'junit':
        return new JUnitReporter(c.path ? { path: c.path } : {});
      case 'markdown':
        // Other reports are linked by name: they sit beside summary.md unless given a path.
        return new MarkdownReporter({ ...(c.path ? { path: c.path } : {}), reportFiles: files.filter((f) => !f.endsWith('summary.md')).map((f) => f.split('/').pop()!) });
      case 'html':
        return new HtmlReporter(c.path ? { path: c.path } : {});
    }
  });
  return { reporters, console: chosenConsole ?? new ConsoleReporter({ quiet, out: process.stderr }), files };
}
