/** SqlClient over embedded PGlite (a data directory, or memory for `pglite:memory`). */
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
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

/**
 * One PGlite per data directory in a process: a second opener in the same process (the API's
 * reconcile while the worker holds the warehouse) shares the open instance, which closes when its
 * last user closes it. Another process is still refused by the directory lock.
 */
const shared = new Map<string, { readonly client: Promise<SqlClient>; users: number }>();

/** Open PGlite at `dataDir` (created if missing), or in memory when `dataDir` is `memory` (never shared). */
export async function createPgliteClient(dataDir: string): Promise<SqlClient> {
  if (dataDir === 'memory') return openPglite(dataDir);
  const key = resolve(dataDir);
  let entry = shared.get(key);
  if (!entry) {
    const created = { client: openPglite(dataDir), users: 0 };
    shared.set(key, created);
    created.client.catch(() => {
      if (shared.get(key) === created) shared.delete(key);
    });
    entry = created;
  }
  const mine = entry;
  mine.users += 1;
  let client: SqlClient;
  try {
    client = await mine.client;
  } catch (error) {
    mine.users -= 1;
    throw error;
  }
  let closed = false;
  return {
    ...client,
    async close() {
      if (closed) return;
      closed = true;
      mine.users -= 1;
      if (mine.users > 0) return;
      if (shared.get(key) === mine) shared.delete(key);
      await client.close();
    },
  };
}

async function openPglite(dataDir: string): Promise<SqlClient> {
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
