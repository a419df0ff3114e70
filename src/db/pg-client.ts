/** SqlClient over a real Postgres server through `pg`'s pool. */
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { QueryResult, SqlClient, SqlQueryable, SqlSession } from './sql-client.ts';
import { redactUrl } from './redact.ts';

// Keep 64-bit integers exact: bigint (20) and numeric (1700) come back as strings; a `date` (1082)
// stays 'YYYY-MM-DD' (pg would make it local midnight, a different day east of UTC); timestamptz
// is a Date. Set per pool, not globally, through `types`, and the same as the PGlite client.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700 || oid === 1082) return (value: string) => value;
    return format === 'binary'
      ? pg.types.getTypeParser(oid, 'binary')
      : pg.types.getTypeParser(oid, 'text');
  },
} as unknown as pg.CustomTypesConfig;

export interface PgClientOptions {
  readonly max?: number;
  /** Schema to put first on the search_path of every connection. */
  readonly searchPath?: string;
  readonly applicationName?: string;
}

function wrap(client: pg.Pool | pg.PoolClient): SqlQueryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
}

/** What each pooled connection has already been set up with (see SqlSession.once). */
const prepared = new WeakMap<pg.PoolClient, Set<string>>();

function session(client: pg.PoolClient): SqlSession {
  const queryable = wrap(client);
  return {
    query: queryable.query,
    async copyFrom(sql, chunks) {
      await pipeline(Readable.from(chunks, { objectMode: false }), client.query(copyFrom(sql)));
    },
    async once(key, sql) {
      let done = prepared.get(client);
      if (!done) prepared.set(client, (done = new Set()));
      if (done.has(key)) return;
      await client.query(sql);
      done.add(key);
    },
  };
}

export function createPgClient(url: string, options: PgClientOptions = {}): SqlClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    types,
    application_name: options.applicationName ?? 'tidemark',
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath},public` } : {}),
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const queryable = wrap(pool);
  return {
    kind: 'postgres',
    description: redactUrl(url),
    query: queryable.query,
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async session(work) {
      const client = await pool.connect();
      try {
        const result = await work(session(client));
        client.release();
        return result;
      } catch (error) {
        client.release(error instanceof Error ? error : new Error(String(error))); // discard: temp state unknown
        throw error;
      }
    },
    async close() {
      await pool.end();
    },
  };
}
