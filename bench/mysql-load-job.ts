/**
 * MariaDB database cost alone, at 0 ms added RTT (through the proxy, which counts round trips): the
 * same normalized rows loaded into an empty table with the sync's DDL (primary key and window index)
 * by LOAD DATA LOCAL INFILE, the loading limit, and merged by `MysqlDestination.mergeBatch` in
 * batches, timing only the database calls. Each sample goes into a freshly created table.
 */
import mysql from 'mysql2/promise';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import { MysqlDestination } from '../src/destinations/mysql/mysql-destination.ts';
import { createTableSql, qualifiedName } from '../src/destinations/mysql/sql.ts';
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import { BENCH_TENANT } from './bench-sync.ts';
import type { DialectLoadJob, LoadResult, LoadSample } from './jobs.ts';
import { loadDataRows } from './load-data-rows.ts';
import { maxRssMb, measure } from './measure.ts';
import { withMysql } from './mysql-bench-database.ts';
import { readMergeRows } from './read-rows.ts';

const freshTable = (url: string, table: TargetTable) =>
  withMysql(url, async (c) => {
    await c.query(`DROP TABLE IF EXISTS ${qualifiedName(table)}`);
    await c.query(createTableSql(table));
  });

const dropTable = (url: string, table: TargetTable) => withMysql(url, (c) => c.query(`DROP TABLE IF EXISTS ${qualifiedName(table)}`));

async function timeLoadData(job: DialectLoadJob, table: TargetTable, rows: readonly MergeRow[]): Promise<LoadSample> {
  await freshTable(job.destinationDirect, table);
  // Its own connection with LOAD DATA LOCAL allowed (the destination's pool refuses it), set up like the destination's.
  const connection = await mysql.createConnection({ uri: job.proxyUrl, charset: 'UTF8MB4_UNICODE_CI', flags: ['+LOCAL_FILES'] });
  try {
    await connection.query(`SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'`);
    const { value: loaded, timed } = await measure(() => loadDataRows(connection, table, BENCH_TENANT, rows, new Date()));
    if (loaded !== rows.length) throw new Error(`LOAD DATA loaded ${loaded} of ${rows.length} rows`);
    return { seconds: timed.seconds, cpuSeconds: timed.cpuSeconds, roundTrips: timed.roundTrips };
  } finally {
    await connection.end();
    await dropTable(job.destinationDirect, table);
  }
}

async function timeMerge(job: DialectLoadJob, table: TargetTable, rows: readonly MergeRow[], batchSize: number): Promise<LoadSample> {
  await freshTable(job.destinationDirect, table);
  const destination = new MysqlDestination(job.proxyUrl);
  try {
    await destination.ensureTable(table); // also opens and sets up the connection, outside the timed span
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
    await dropTable(job.destinationDirect, table);
  }
}

export async function runMysqlLoadJob(job: DialectLoadJob): Promise<LoadResult> {
  const rows = await readMergeRows(job);
  const target = (name: string): TargetTable => ({ spec: shiftsStream.table, name: `${name}_${job.shifts}` });
  const copy: LoadSample[] = [];
  const merge: Record<string, LoadSample[]> = {};
  // Interleaved, so drift on the machine (purge, page cache) hits every method alike.
  for (let r = 0; r < job.repeats; r++) {
    copy.push(await timeLoadData(job, target('load_target'), rows));
    for (const batchSize of job.batchSizes) {
      (merge[String(batchSize)] ??= []).push(await timeMerge(job, target(`merge_target_${batchSize}`), rows, batchSize));
    }
  }
  return { kind: 'load', rows: rows.length, copy, merge, maxRssMb: maxRssMb() };
}
