// Credentials that ride in URLs (a call page's `?token=`, an endpoint's `access_token`, a
// `user:password@` part) must not reach a log, a CI job's output or results.json, which are
// read by more people than the credentials are meant for. Messages are redacted where they leave
// the run (its log and the participants' errors), not where they are made: puppeteer, fetch and
// page adapters put URLs into their errors in their own words.

/** Query and fragment parameters whose values are credentials (compared without case, `-`/`_`). */
const SECRET_PARAMS = new Set([
  'token', 'accesstoken', 'authtoken', 'idtoken', 'jwt', 'auth', 'authorization', 'key', 'apikey',
  'secret', 'clientsecret', 'password', 'pass', 'pwd', 'credential', 'credentials', 'signature', 'sig',
]);

export const REDACTED = '<redacted>';

function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // A malformed escape: judge the name as written.
  }
  return SECRET_PARAMS.has(decoded.toLowerCase().replace(/[-_]/g, ''));
}

/** `k=v&k2=v2` with the values of secret names replaced, the rest byte for byte. */
function redactParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) return pair;
      return isSecretParam(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
}

// A URL inside free text: a scheme, then up to whitespace, a quote or a bracket. Braces belong to
// it: target URLs carry {room} and {name} placeholders.
const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>()[\]]+/gi;

/** One URL with its password and secret query/fragment values replaced; anything else as it was. */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url);
  if (!m) return url;
  const [, scheme, authority = '', path = '', query, fragment] = m;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  const user = userinfo === null ? '' : userinfo.includes(':') ? `${userinfo.slice(0, userinfo.indexOf(':'))}:${REDACTED}@` : `${userinfo}@`;
  const q = query === undefined ? '' : `?${redactParams(query.slice(1))}`;
  const f = fragment === undefined ? '' : `#${redactParams(fragment.slice(1))}`;
  return `${scheme}${user}${host}${path}${q}${f}`;
}

/** Every URL in `text` redacted (see redactUrl). */
export function redactUrlsIn(text: string): string {
  // Punctuation that ends a sentence is the sentence's, not the URL's.
  return text.replace(URL_IN_TEXT, (match) => {
    const url = match.replace(/[.,;:!?]+$/, '');
    return redactUrl(url) + match.slice(url.length);
  });
}
