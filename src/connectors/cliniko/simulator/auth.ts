/**
 * Who is calling: Cliniko's HTTP Basic with the API key as the user name and an empty password
 * (the key with or without its shard suffix), and the User-Agent Cliniko requires, an app name
 * with a contact email (upstream-apis.md §3.2). Nothing here ever repeats the key back.
 */
import type { IncomingMessage } from 'node:http';

export type Caller = { readonly ok: true; readonly user: string } | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

const USER_AGENT = /^.*\S.*\(\s*[^\s@()]+@[^\s@()]+\.[^\s@()]+\s*\)\s*$/;

function basicUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(0, colon);
}

/** The key without a `-<shard>` suffix. */
function withoutShard(key: string): string {
  return key.replace(/-[a-z]{2}\d{1,2}$/i, '');
}

export function identifyCaller(request: IncomingMessage, apiKey: string, shard: string): Caller {
  const user = basicUser(request.headers.authorization);
  if (user === undefined || (user !== apiKey && user !== withoutShard(apiKey))) {
    const suffix = /-([a-z]{2}\d{1,2})$/i.exec(user ?? '')?.[1]?.toLowerCase();
    const elsewhere = suffix !== undefined && suffix !== shard ? ` (the key names shard ${suffix}; this is ${shard})` : '';
    return { ok: false, status: 401, message: `Unauthorized: send the API key as the Basic auth user name with an empty password${elsewhere}` };
  }
  if (!USER_AGENT.test(request.headers['user-agent'] ?? '')) {
    return { ok: false, status: 403, message: 'Forbidden: requests must send a User-Agent with your app name and a contact email, e.g. "Really helpful app (devs@helpfulapp.com)"' };
  }
  return { ok: true, user: withoutShard(apiKey) };
}
