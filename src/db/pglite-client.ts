/** SqlClient over embedded PGlite (a data directory, or memory for `pglite:memory`). */
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import type { QueryResult, SqlClient, SqlQueryable } from './sql-client.ts';

// Same value shapes as the pg client: bigint and numeric as exact strings.
const parsers = {
  [pgliteTypes.INT8]: (value: string) => value,
  [pgliteTypes.NUMERIC]: (value: string) => value,
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
  if (dataDir !== 'memory') mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir === 'memory' ? undefined : dataDir, { parsers });
  const queryable = wrap(db);
  // PGlite is one connection: transactions are serialized by PGlite itself.
  return {
    kind: 'pglite',
    description: dataDir === 'memory' ? 'pglite (in memory)' : `pglite:${dataDir}`,
    query: queryable.query,
    async exec(sql) {
      await db.exec(sql);
    },
    async transaction(work) {
      return db.transaction(async (tx) => work(wrap(tx)));
    },
    async close() {
      await db.close();
    },
  };
}
