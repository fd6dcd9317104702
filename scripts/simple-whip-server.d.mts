// Types of simple-whip-server.mjs, for TypeScript callers (the tests).
export function defaultSimpleWhipServerCacheDir(): string;
export function ensureSimpleWhipServerSources(cacheDir?: string): string;
