/** SqlClient over embedded PGlite (a data directory, or memory for `pglite:memory`). */
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import type { QueryResult, SqlClient, SqlQueryable } from './sql-client.ts';
import { lockDirectory } from './directory-lock.ts';

// Same value shapes as the pg client: bigint and numeric as exact strings, dates as YYYY-MM-DD.
const parsers = {
  [pgliteTypes.INT8]: (value: string) => value,
  [pgliteTypes.NUMERIC]: (value: string) => value,
  [pgliteTypes.DATE]: (value: string) => value,
};

interface PgliteLike {
  query<Row>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; affectedRows?: number }>;
}

function wrap(db: PgliteLike): SqlQueryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await db.query<Row>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
    },
  };
}

/** Open PGlite at `dataDir` (created if missing), or in memory when `dataDir` is `memory`. */
export async function createPgliteClient(dataDir: string): Promise<SqlClient> {
  let release = () => {};
  if (dataDir !== 'memory') {
    mkdirSync(dataDir, { recursive: true });
    release = lockDirectory(dataDir);
  }
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir === 'memory' ? undefined : dataDir, { parsers });
  } catch (error) {
    release();
    throw error;
  }
  const queryable = wrap(db);
  // PGlite is one connection: transactions are serialized by PGlite itself.
  return {
    kind: 'pglite',
    pglite: db,
    description: dataDir === 'memory' ? 'pglite (in memory)' : `pglite:${dataDir}`,
    query: queryable.query,
    async exec(sql) {
      await db.exec(sql);
    },
    async transaction(work) {
      return db.transaction(async (tx) => work(wrap(tx)));
    },
    async close() {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}
