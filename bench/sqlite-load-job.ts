/**
 * SQLite database cost alone: the same normalized rows into an empty table with the sync's DDL, by
 * one prepared plain INSERT run per row inside one transaction (SQLite has no bulk-load statement:
 * this is its loading limit), and by `SqliteDestination.mergeBatch` in batches. Every sample gets a
 * new database file (WAL, like the destination's), so no sample pays for another's pages.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import { SqliteDestination } from '../src/destinations/sqlite/sqlite-destination.ts';
import { qualifiedName } from '../src/destinations/sqlite/sql.ts';
import { sqliteInstant, toSqliteParam } from '../src/destinations/sqlite/values.ts';
import { quoteIdent } from '../src/db/identifiers.ts';
import { BENCH_TENANT } from './bench-sync.ts';
import type { DialectLoadJob, LoadResult, LoadSample } from './jobs.ts';
import { maxRssMb, measure } from './measure.ts';
import { readMergeRows } from './read-rows.ts';
import { createSqliteFile } from './sqlite-tidemark-job.ts';

const TABLE: TargetTable = { spec: shiftsStream.table, name: shiftsStream.table.name };

function insertAll(path: string, rows: readonly MergeRow[], syncedAt: Date): number {
  const db = new DatabaseSync(path, { readBigInts: true });
  try {
    const names = [...TABLE.spec.columns.map((c) => c.name), 'tenant_id', 'row_hash', 'synced_at'];
    const insert = db.prepare(`INSERT INTO ${qualifiedName(TABLE)} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`);
    const at = sqliteInstant(syncedAt);
    db.exec('BEGIN IMMEDIATE');
    let inserted = 0;
    for (const row of rows) {
      const params = TABLE.spec.columns.map((c) => toSqliteParam(row.values[c.name], c.type, c.name));
      inserted += Number(insert.run(...params, BENCH_TENANT, row.hash, at).changes);
    }
    db.exec('COMMIT');
    return inserted;
  } finally {
    db.close();
  }
}

async function sample(job: DialectLoadJob, name: string, rows: readonly MergeRow[], load: (path: string) => Promise<number>): Promise<LoadSample> {
  const path = join(job.destinationDirect, `${name}-${job.shifts}.db`);
  createSqliteFile(path, [TABLE]);
  try {
    const { value: loaded, timed } = await measure(() => load(path));
    if (loaded !== rows.length) throw new Error(`${name} wrote ${loaded} of ${rows.length} rows`);
    return { seconds: timed.seconds, cpuSeconds: timed.cpuSeconds, roundTrips: timed.roundTrips };
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
}

async function mergeAll(path: string, rows: readonly MergeRow[], batchSize: number): Promise<number> {
  const destination = new SqliteDestination(`sqlite:${path}`);
  try {
    let created = 0;
    for (let i = 0; i < rows.length; i += batchSize) {
      created += (await destination.mergeBatch(TABLE, BENCH_TENANT, rows.slice(i, i + batchSize), new Date())).created;
    }
    return created;
  } finally {
    await destination.close();
  }
}

export async function runSqliteLoadJob(job: DialectLoadJob): Promise<LoadResult> {
  const rows = await readMergeRows(job);
  const copy: LoadSample[] = [];
  const merge: Record<string, LoadSample[]> = {};
  for (let r = 0; r < job.repeats; r++) {
    copy.push(await sample(job, 'insert', rows, async (path) => insertAll(path, rows, new Date())));
    for (const batchSize of job.batchSizes) {
      (merge[String(batchSize)] ??= []).push(await sample(job, `merge-${batchSize}`, rows, (path) => mergeAll(path, rows, batchSize)));
    }
  }
  return { kind: 'load', rows: rows.length, copy, merge, maxRssMb: maxRssMb() };
}
