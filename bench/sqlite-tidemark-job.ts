/**
 * Tidemark end to end into SQLite (a file in a temporary directory; embedded, so no network and no
 * RTT): the same three timed syncs as on Postgres. The no-op run is checked by the table (no row
 * with a new synced_at) and by the file: the WAL is emptied before it and must hold 0 frames after
 * it (any row written, even with equal values, would have appended its page).
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import type { TargetTable } from '../src/destinations/destination.ts';
import { SqliteDestination } from '../src/destinations/sqlite/sqlite-destination.ts';
import { createTableSql, qualifiedName } from '../src/destinations/sqlite/sql.ts';
import { sqliteInstant } from '../src/destinations/sqlite/values.ts';
import { timedSync, withBenchLedger, type BenchLedger } from './dialect-sync.ts';
import type { DialectTidemarkJob, TidemarkResult } from './jobs.ts';
import { maxRssMb } from './measure.ts';

export function createSqliteFile(path: string, tables: readonly TargetTable[]): void {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  for (const table of tables) for (const sql of createTableSql(table)) db.exec(sql);
  db.close();
}

const count = (db: DatabaseSync, sql: string, ...params: string[]) => Number((db.prepare(sql).get(...params) as { n: number | bigint }).n);

export async function runSqliteTidemarkJob(job: DialectTidemarkJob): Promise<TidemarkResult> {
  const coldTable: TargetTable = { spec: shiftsStream.table, name: 'cold_shifts' };
  const table: TargetTable = { spec: shiftsStream.table, name: shiftsStream.table.name };
  const coldPath = join(job.destinationDirect, `cold-${job.shifts}.db`);
  const path = join(job.destinationDirect, `shifts-${job.shifts}.db`);
  createSqliteFile(coldPath, [coldTable]);
  createSqliteFile(path, [table]);
  return withBenchLedger(job, async (ledger: BenchLedger) => {
    const cold = await timedSync(job, coldTable, 'bench-shifts-cold', ledger, async () => new SqliteDestination(`sqlite:${coldPath}`));
    const open = async () => new SqliteDestination(`sqlite:${path}`);
    const first = await timedSync(job, table, 'bench-shifts', ledger, open);
    // A second connection held open over the no-op run, so the WAL outlives the destination's close.
    const checker = new DatabaseSync(path);
    try {
      count(checker, `SELECT COUNT(*) AS n FROM ${qualifiedName(table)}`);
      checker.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      const startedAt = new Date();
      const noop = await timedSync(job, table, 'bench-shifts', ledger, open);
      const wal = checker.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { log: number };
      const rows = count(checker, `SELECT COUNT(*) AS n FROM ${qualifiedName(table)}`);
      const synced = count(checker, `SELECT COUNT(*) AS n FROM ${qualifiedName(table)} WHERE synced_at >= ?`, sqliteInstant(startedAt));
      return {
        kind: 'tidemark',
        cold,
        first,
        noop: { ...noop, rowsWithNewSyncedAt: synced, rowsRewritten: Math.max(0, wal.log) },
        rowsInTable: rows,
        maxRssMb: maxRssMb(),
      };
    } finally {
      checker.close();
    }
  });
}
