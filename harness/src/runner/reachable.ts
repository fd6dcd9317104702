// Before any browser opens a page: does the call server the run targets answer at all? A server
// that is down would otherwise cost every participant its full navigation timeout in turn (30 s
// each, measured: 3 participants against a port that accepts and never answers took 97 s to end);
// with this check the run ends with exit 2 in seconds, naming the address and the reason.
// Only the connection is judged: any HTTP answer (a 404, a 401, a TLS certificate Node does not
// trust but the browsers may) means something is there, and the pages will tell the rest.

/** How long the server has to answer, ms: a page load would wait 30 s, a live server answers in far less. */
export const REACHABLE_TIMEOUT_MS = 10_000;

// Node's (undici's) connection-level failures: nothing answered at that address.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/**
 * null when `url`'s server answers HTTP within `timeoutMs`, else why not ('connection refused',
 * 'no answer within 10 s'). Only http(s): a file:// page has no server to ask.
 */
export async function whyUnreachable(url: string, timeoutMs = REACHABLE_TIMEOUT_MS, method: 'GET' | 'OPTIONS' = 'GET'): Promise<string | null> {
  if (!/^https?:\/\//i.test(url)) return null;
  try {
    const res = await fetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel().catch(() => {});
    return null;
  } catch (err) {
    const e = err as Error & { cause?: NodeJS.ErrnoException };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${+(timeoutMs / 1000).toFixed(1)} s`;
    const code = e.cause?.code;
    if (code === 'ECONNREFUSED') return 'connection refused (is it running, on this port?)';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `its host name does not resolve (${code})`;
    if (code !== undefined && UNREACHABLE_CODES.has(code)) return `${code}: ${e.cause?.message ?? e.message}`;
    // Anything else happened after a connection (TLS, protocol): the server is there.
    return null;
  }
}
