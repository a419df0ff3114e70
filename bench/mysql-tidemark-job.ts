/**
 * Tidemark end to end into MariaDB through the latency proxy: the same three timed syncs as on
 * Postgres (cold process, warm, no-op). MariaDB has no xmin, so the no-op run is checked by the
 * table (no row with a new synced_at) and by the server (its Handler_update counter does not move:
 * no row update was even attempted; nothing else writes to this server during the job).
 */
import { randomBytes } from 'node:crypto';
import type { TargetTable } from '../src/destinations/destination.ts';
import { MysqlDestination } from '../src/destinations/mysql/mysql-destination.ts';
import { createTableSql, qualifiedName } from '../src/destinations/mysql/sql.ts';
import { mysqlInstant } from '../src/destinations/mysql/values.ts';
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import { timedSync, withBenchLedger, type BenchLedger } from './dialect-sync.ts';
import type { DialectTidemarkJob, TidemarkResult } from './jobs.ts';
import { maxRssMb } from './measure.ts';
import { scalar, withMysql } from './mysql-bench-database.ts';

const handlerUpdates = async (url: string) => Number(await withMysql(url, (c) => scalar(c, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'HANDLER_UPDATE'")));

export async function runMysqlTidemarkJob(job: DialectTidemarkJob): Promise<TidemarkResult> {
  const suffix = randomBytes(4).toString('hex');
  const coldTable: TargetTable = { spec: shiftsStream.table, name: `cold_shifts_${suffix}` };
  const table: TargetTable = { spec: shiftsStream.table, name: `shifts_${suffix}` };
  const direct = job.destinationDirect;
  // A sync's table exists before its first run (`ensureTable` in the timed run only checks).
  await withMysql(direct, async (c) => {
    for (const t of [coldTable, table]) await c.query(createTableSql(t));
  });
  const open = async () => new MysqlDestination(job.proxyUrl);
  try {
    return await withBenchLedger(job, async (ledger: BenchLedger) => {
      const cold = await timedSync(job, coldTable, 'bench-shifts-cold', ledger, open);
      const first = await timedSync(job, table, 'bench-shifts', ledger, open);
      const updatesBefore = await handlerUpdates(direct);
      const startedAt = new Date();
      const noop = await timedSync(job, table, 'bench-shifts', ledger, open);
      const rewritten = (await handlerUpdates(direct)) - updatesBefore;
      const check = await withMysql(direct, async (c) => ({
        rows: Number(await scalar(c, `SELECT COUNT(*) FROM ${qualifiedName(table)}`)),
        synced: Number(await scalar(c, `SELECT COUNT(*) FROM ${qualifiedName(table)} WHERE synced_at >= ?`, [mysqlInstant(startedAt)])),
      }));
      return {
        kind: 'tidemark',
        cold,
        first,
        noop: { ...noop, rowsWithNewSyncedAt: check.synced, rowsRewritten: rewritten },
        rowsInTable: check.rows,
        maxRssMb: maxRssMb(),
      };
    });
  } finally {
    await withMysql(direct, async (c) => {
      for (const t of [coldTable, table]) await c.query(`DROP TABLE IF EXISTS ${qualifiedName(t)}`);
    });
  }
}
