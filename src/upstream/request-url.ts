/**
 * Request URLs: a path under the connection's base URL plus a query. Arrays repeat the key
 * (`userIds=1&userIds=2`, Cliniko's `q[]=a&q[]=b`) as the upstreams expect; `undefined` values
 * are left out so callers can pass optional filters as they are.
 */

export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

/** Parse and check a connection's base URL once, naming the setting when it is wrong. */
export function parseBaseUrl(baseUrl: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new RangeError(`baseUrl "${baseUrl}" is not a URL; write it like https://api.connecteam.com`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new RangeError(`baseUrl "${baseUrl}" must start with https:// (or http:// for a local simulator)`);
  }
  if (parsed.username || parsed.password) {
    throw new RangeError('baseUrl must not carry credentials; supply them through the auth hook');
  }
  return parsed;
}

/**
 * `path` appended to the base URL's own path (so a base of `…/api/v1` keeps its `/api/v1`),
 * then the query. `path` may already hold a query string; `query` adds to it.
 */
export function buildUrl(base: URL, path: string, query: Query = {}): URL {
  const url = new URL(base.href);
  const [pathPart = '', existingQuery] = path.split(/\?(.*)/s, 2);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/${pathPart.replace(/^\/+/, '')}`;
  url.search = existingQuery ?? '';
  url.hash = '';
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) url.searchParams.append(key, String(item));
    } else {
      url.searchParams.append(key, String(value));
    }
  }
  return url;
}
