/**
 * `mysql://user@host:3306/db` (or `mariadb://…`) into mysql2 pool options. The database may be left
 * out when every table names its own (a destination's `schema` is a database on MySQL).
 */
import type { PoolOptions } from 'mysql2/promise';
import { redactUrl } from '../../db/redact.ts';

export function isMysqlUrl(url: string): boolean {
  return /^(mysql|mariadb):\/\//.test(url);
}

/** `ssl=true` (or `required`): TLS with the server's certificate verified; `ssl=false`: none. */
function sslOption(value: string, url: string): PoolOptions['ssl'] {
  if (value === 'true' || value === 'required') return {};
  if (value === 'false') return undefined;
  throw new Error(`destination URL "${redactUrl(url)}": ssl=${value} is not understood; use ssl=true (verified TLS) or ssl=false`);
}

export function mysqlUrlOptions(url: string): PoolOptions {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
  } catch {
    throw new Error(`destination URL "${redactUrl(url)}" is not a URL; use mysql://user@host:3306/database`);
  }
  if (!parsed.hostname) throw new Error(`destination URL "${redactUrl(url)}" names no host; use mysql://user@host:3306/database`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  let ssl: PoolOptions['ssl'];
  for (const [name, value] of parsed.searchParams) {
    if (name !== 'ssl') throw new Error(`destination URL "${redactUrl(url)}": parameter ${name} is not understood; the accepted one is ssl=true|false`);
    ssl = sslOption(value, url);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 3306,
    ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(database ? { database } : {}),
    ...(ssl ? { ssl } : {}),
  };
}
