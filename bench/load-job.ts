/**
 * Database cost alone, at 0 ms added RTT: the same normalized rows (hashes precomputed) loaded into
 * an empty table with the sync's DDL (primary key and window index) by COPY, the loading limit, and
 * merged by `PostgresDestination.mergeBatch` in batches, timing only the database calls. Each
 * sample goes into a fresh table after a CHECKPOINT, so no sample pays for another's dirty pages.
 */
import pg from 'pg';
import { openPostgres } from '../src/db/open.ts';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import { PostgresDestination } from '../src/destinations/postgres/postgres-destination.ts';
import { createTableSql, qualifiedName } from '../src/destinations/postgres/sql.ts';
import { benchSchemaName, createSchema, dropSchemas, withDirectClient } from './bench-database.ts';
import { BENCH_TENANT, benchTable } from './bench-sync.ts';
import { copyRows } from './copy-rows.ts';
import type { LoadJob, LoadResult, LoadSample } from './jobs.ts';
import { maxRssMb, measure } from './measure.ts';
import { readMergeRows } from './read-rows.ts';

async function freshTable(url: string, table: TargetTable): Promise<void> {
  await withDirectClient(url, async (client) => {
    await client.query(`DROP TABLE IF EXISTS ${qualifiedName(table)}`);
    for (const statement of createTableSql(table)) await client.query(statement);
    await client.query('CHECKPOINT');
  });
}

async function dropTable(url: string, table: TargetTable): Promise<void> {
  await withDirectClient(url, (client) => client.query(`DROP TABLE ${qualifiedName(table)}`));
}

async function timeCopy(job: LoadJob, table: TargetTable, rows: readonly MergeRow[]): Promise<LoadSample> {
  await freshTable(job.directUrl, table);
  const client = new pg.Client({ connectionString: job.proxyUrl, application_name: 'tidemark-bench-copy' });
  await client.connect();
  try {
    const { value: copied, timed } = await measure(() => copyRows(client, table, BENCH_TENANT, rows, new Date()));
    if (copied !== rows.length) throw new Error(`COPY loaded ${copied} of ${rows.length} rows`);
    return { seconds: timed.seconds, cpuSeconds: timed.cpuSeconds, roundTrips: timed.roundTrips };
  } finally {
    await client.end();
    await dropTable(job.directUrl, table);
  }
}

async function timeMerge(job: LoadJob, table: TargetTable, rows: readonly MergeRow[], batchSize: number): Promise<LoadSample> {
  await freshTable(job.directUrl, table);
  const destination = new PostgresDestination(await openPostgres(job.proxyUrl, { max: 1, applicationName: 'tidemark-bench-merge' }));
  try {
    await destination.ensureTable(table); // also opens the connection, outside the timed span
    const { value: created, timed } = await measure(async () => {
      let created = 0;
      for (let i = 0; i < rows.length; i += batchSize) {
        created += (await destination.mergeBatch(table, BENCH_TENANT, rows.slice(i, i + batchSize), new Date())).created;
      }
      return created;
    });
    if (created !== rows.length) throw new Error(`mergeBatch created ${created} of ${rows.length} rows`);
    return { seconds: timed.seconds, cpuSeconds: timed.cpuSeconds, roundTrips: timed.roundTrips };
  } finally {
    await destination.close();
    await dropTable(job.directUrl, table);
  }
}

export async function runLoadJob(job: LoadJob): Promise<LoadResult> {
  const rows = await readMergeRows(job);
  const schema = benchSchemaName();
  await createSchema(job.directUrl, schema);
  const copy: LoadSample[] = [];
  const merge: Record<string, LoadSample[]> = {};
  try {
    // Interleaved, so drift on the machine (autovacuum, page cache) hits every method alike.
    for (let r = 0; r < job.repeats; r++) {
      copy.push(await timeCopy(job, benchTable(schema, 'copy_target'), rows));
      for (const batchSize of job.batchSizes) {
        (merge[String(batchSize)] ??= []).push(await timeMerge(job, benchTable(schema, `merge_target_${batchSize}`), rows, batchSize));
      }
    }
  } finally {
    await dropSchemas(job.directUrl, [schema]);
  }
  return { kind: 'load', rows: rows.length, copy, merge, maxRssMb: maxRssMb() };
}
