// Types of build-client.mjs, for TypeScript callers (the setup script, tests).
export interface BuildClientOptions {
  /** Output directory. Default sfu/client/dist. */
  outDir?: string;
  /** Minify app.js. Default false (readable stacks in the page). */
  minify?: boolean;
  /** Write app.js.map. Default true. */
  sourcemap?: boolean;
}

export interface BuiltClient {
  /** Absolute output directory. */
  outDir: string;
  /** Absolute paths of the files written. */
  files: string[];
  durationMs: number;
}

export const CLIENT_DIR: string;
export const DEFAULT_CLIENT_OUT_DIR: string;
export function buildClient(options?: BuildClientOptions): Promise<BuiltClient>;
