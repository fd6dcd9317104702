// Serves the built call page from one directory: `/` is index.html, every other path a file
// inside the directory and never outside it (no `..`, no encoded escapes, no symlinks out).
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The file under `root` that `pathname` names, or undefined if it names nothing servable. */
export function resolveStaticPath(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = resolve(root, relative);
  return inside(resolve(root), full) && full !== resolve(root) ? full : undefined;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
  res.end(`${text}\n`);
}

export async function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = resolveStaticPath(root, pathname);
  if (!path) return plain(res, 404, 'not found');
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return plain(res, 404, `the call page is not built (no ${root}); run 'npm run build:client'`);
  }
  let realFile: string;
  let size: number;
  try {
    realFile = await realpath(path);
    const info = await stat(realFile);
    if (!info.isFile()) return plain(res, 404, 'not found');
    size = info.size;
  } catch {
    return plain(res, 404, 'not found');
  }
  // A symlink inside the directory must not lead out of it.
  if (!inside(realRoot, realFile)) return plain(res, 404, 'not found');
  res.writeHead(200, {
    'Content-Type': contentTypeOf(realFile),
    'Content-Length': size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(realFile), res);
}
