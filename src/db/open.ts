/**
 * Open a Postgres-speaking database from a URL: `postgres://…`/`postgresql://…` for a server,
 * `pglite:PATH` for an embedded data directory, `pglite:memory` for a throwaway one.
 */
import type { SqlClient } from './sql-client.ts';
import { createPgClient, type PgClientOptions } from './pg-client.ts';
import { createPgliteClient } from './pglite-client.ts';
import { redactUrl } from './redact.ts';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url) || url.startsWith('pglite:');
}

export async function openPostgres(url: string, options: PgClientOptions = {}): Promise<SqlClient> {
  if (url.startsWith('pglite:')) {
    const path = url.slice('pglite:'.length).replace(/^\/\//, '');
    if (!path) throw new Error('pglite URL needs a data directory: pglite:./.tidemark/data or pglite:memory');
    return createPgliteClient(path);
  }
  if (/^postgres(ql)?:\/\//.test(url)) return createPgClient(url, options);
  throw new Error(`unsupported database URL "${redactUrl(url)}": use postgres://user@host:5432/db or pglite:PATH`);
}
