// The SFU's log sink: levelled lines on stderr by default, or the caller's own sink (the harness
// routes them into its run log). One small interface so every module logs the same way.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Writes lines at `level` and above to stderr, each prefixed with the time and the level. */
export function createConsoleLogger(level: LogLevel, prefix = 'sfu'): Logger {
  const write = (lineLevel: string) => (message: string) => {
    process.stderr.write(`${new Date().toISOString()} ${prefix} ${lineLevel} ${message}\n`);
  };
  return filterLogger({ debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') }, level);
}

/**
 * Passes lines at `level` and above to `sink`. A sink that throws is ignored: a broken log sink
 * must not break signaling, and there is nowhere left to report it.
 */
export function filterLogger(sink: Logger, level: LogLevel): Logger {
  const at = (lineLevel: Exclude<LogLevel, 'silent'>) => (message: string) => {
    if (RANK[lineLevel] < RANK[level]) return;
    try {
      sink[lineLevel](message);
    } catch {
      // Deliberately ignored (see above).
    }
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The message of anything thrown, for log lines and error replies. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
