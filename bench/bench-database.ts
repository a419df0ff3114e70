/**
 * The Postgres the benchmark runs against, and throwaway schemas on it (`bench_<random>`), created
 * and checked over a direct connection so setup never shows up in what is measured.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from '../src/db/identifiers.ts';

export const BENCH_PG_URL =
  process.env.TIDEMARK_BENCH_PG_URL ?? process.env.TIDEMARK_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function benchSchemaName(): string {
  return `bench_${randomBytes(5).toString('hex')}`;
}

/** Run `work` on one direct connection, then close it. */
export async function withDirectClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'tidemark-bench-setup' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createSchema(url: string, schema: string): Promise<void> {
  await withDirectClient(url, (client) => client.query(`CREATE SCHEMA ${quoteIdent(schema)}`));
}

export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  await withDirectClient(url, async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  });
}

/** Fail early, with the fix, when the benchmark's Postgres is not there. */
export async function assertReachable(url: string): Promise<void> {
  try {
    await withDirectClient(url, (client) => client.query('SELECT 1'));
  } catch (error) {
    throw new Error(
      `the benchmark needs a Postgres at ${new URL(url).host} (${(error as Error).message}); ` +
        'start one, or point TIDEMARK_BENCH_PG_URL at it (e.g. postgres://postgres@127.0.0.1:5432/test)',
      { cause: error },
    );
  }
}
