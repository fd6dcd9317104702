import { describe, expect, it } from 'vitest';
import { contentTypeOf, resolveStaticPath } from './static.ts';

const ROOT = '/srv/client';

describe('resolveStaticPath', () => {
  it.each([
    ['/', '/srv/client/index.html'],
    ['/app.js', '/srv/client/app.js'],
    ['/assets/a%20b.css', '/srv/client/assets/a b.css'],
    ['/x/../app.js', '/srv/client/app.js'],
  ])('maps %s inside the directory', (path, expected) => {
    expect(resolveStaticPath(ROOT, path)).toBe(expected);
  });

  it.each([
    '/../etc/passwd',
    '/..%2fetc%2fpasswd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%5c..%5cetc',
    '/app.js%00.html',
    '/%E0%A4%A',
    '/..',
    '/./',
  ])('refuses %s', (path) => {
    expect(resolveStaticPath(ROOT, path)).toBeUndefined();
  });
});

describe('contentTypeOf', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.js.map', 'application/json; charset=utf-8'],
    ['style.CSS', 'text/css; charset=utf-8'],
    ['blob.bin', 'application/octet-stream'],
  ])('%s is %s', (file, type) => {
    expect(contentTypeOf(file)).toBe(type);
  });
});
