/**
 * Real databases for tests: each test gets its own schema on the machine's Postgres (so files run
 * in parallel), or its own in-memory PGlite. Never a mock.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgres } from '../../src/db/open.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';

export const PG_URL = process.env.TIDEMARK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The Postgres-speaking backends the suites run against; filter with DIALECTS=postgres,pglite. */
export const POSTGRES_BACKENDS = (['postgres', 'pglite'] as const).filter(
  (name) => !process.env.DIALECTS || process.env.DIALECTS.split(',').includes(name),
);
export type PostgresBackend = (typeof POSTGRES_BACKENDS)[number];

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Create a fresh schema on the test server; `drop()` removes it with everything in it. */
export async function freshSchema(prefix = 't'): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = uniqueName(prefix);
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.end();
  return {
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

/** A database for one test on `backend`: its URL, a client, and how to clean up. */
export interface TestDatabase {
  readonly url: string;
  readonly schema: string | undefined;
  readonly client: SqlClient;
  cleanup(): Promise<void>;
}

export async function testDatabase(backend: PostgresBackend, prefix = 't'): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const client = await openPostgres('pglite:memory');
    return { url: 'pglite:memory', schema: undefined, client, cleanup: () => client.close() };
  }
  const { schema, drop } = await freshSchema(prefix);
  const client = await openPostgres(PG_URL, { searchPath: schema });
  return {
    url: PG_URL,
    schema,
    client,
    async cleanup() {
      await client.close();
      await drop();
    },
  };
}

/** Run one statement on the test server with a fresh client and return its rows. */
export async function pgRows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
