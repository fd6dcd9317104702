#!/usr/bin/env node
// Bundles the reference call page (sfu/client) with esbuild into <outDir>/index.html + app.js
// (+ app.js.map). Usable as a function from the setup script or the SFU (`buildClient()`), and
// directly: `node scripts/build-client.mjs [--out-dir DIR] [--minify]`.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLIENT_DIR = join(repoRoot, 'sfu', 'client');
/** Where the page is written unless told otherwise (git-ignored). */
export const DEFAULT_CLIENT_OUT_DIR = join(CLIENT_DIR, 'dist');

/**
 * @param {object} [options]
 * @param {string} [options.outDir] Output directory. Default sfu/client/dist.
 * @param {boolean} [options.minify] Minify app.js. Default false (readable stacks in the page).
 * @param {boolean} [options.sourcemap] Write app.js.map. Default true.
 * @returns {Promise<{ outDir: string, files: string[], durationMs: number }>}
 */
export async function buildClient(options = {}) {
  const startedMs = performance.now();
  const outDir = resolve(options.outDir ?? DEFAULT_CLIENT_OUT_DIR);
  const sourcemap = options.sourcemap ?? true;
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(CLIENT_DIR, 'src', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    // The harness drives Chromium; Chrome 111 is also mediasoup-client's newest handler.
    target: ['chrome111'],
    sourcemap,
    minify: options.minify ?? false,
    // The `debug` module mediasoup-client logs through reads process.env only where it exists.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    metafile: false,
  });
  for (const warning of result.warnings) console.warn(`build-client: ${warning.text}`);
  await copyFile(join(CLIENT_DIR, 'index.html'), join(outDir, 'index.html'));
  const files = ['index.html', 'app.js', ...(sourcemap ? ['app.js.map'] : [])].map((f) => join(outDir, f));
  return { outDir, files, durationMs: Math.round(performance.now() - startedMs) };
}

const invokedDirectly = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const { values } = parseArgs({
    options: { 'out-dir': { type: 'string' }, minify: { type: 'boolean', default: false } },
  });
  try {
    const { outDir, durationMs } = await buildClient({
      ...(values['out-dir'] ? { outDir: values['out-dir'] } : {}),
      minify: values.minify,
    });
    console.log(`build-client: wrote ${outDir} in ${durationMs} ms`);
  } catch (err) {
    // esbuild's errors carry file:line; print them as they are.
    console.error(`build-client failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
