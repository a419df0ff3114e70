/**
 * Tidemark end to end, as `tidemark sync` runs it: open the destination (through the latency
 * proxy), check its table, `runSync` (simulator over HTTP → normalize → merge → ledger →
 * reconcile), close. The ledger is on the same Postgres, reached directly: the control plane sits
 * beside the worker. Three timed runs in one process:
 *   cold  — the first sync of a fresh process into an empty table (what one `tidemark sync` pays);
 *   first — the same sync into another empty table, the process now warm (what a worker pays);
 *   no-op — `first` again over unchanged data, which must write nothing (checked row by row).
 */
import { openPostgres } from '../src/db/open.ts';
import { PostgresDestination } from '../src/destinations/postgres/postgres-destination.ts';
import { createTableSql, qualifiedName } from '../src/destinations/postgres/sql.ts';
import { runSync } from '../src/engine/run-sync.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import type { TargetTable } from '../src/destinations/destination.ts';
import { benchSchemaName, dropSchemas, withDirectClient } from './bench-database.ts';
import { benchClient, benchSync, benchTable, benchWindow } from './bench-sync.ts';
import { countingSqlClient, type CountingSqlClient } from './counting-sql-client.ts';
import type { TidemarkJob, TidemarkResult, TidemarkRun } from './jobs.ts';
import { maxRssMb, measure } from './measure.ts';

async function timedRun(job: TidemarkJob, table: TargetTable, syncId: string, ledgerDb: CountingSqlClient, ledger: Ledger): Promise<TidemarkRun> {
  const sync = { ...benchSync(table, job.batchSize, job.window.timezone), id: syncId };
  const window = benchWindow(job);
  const statementsBefore = ledgerDb.statements;
  const { value: summary, timed } = await measure(async () => {
    const destination = new PostgresDestination(await openPostgres(job.proxyUrl, { max: 4, applicationName: 'tidemark-bench' }));
    try {
      await destination.ensureTable(table);
      return await runSync({ sync, window, client: benchClient(job), destination, ledger, trigger: 'bench' });
    } finally {
      await destination.close();
    }
  });
  if (summary.status !== 'succeeded') throw new Error(`Tidemark run ${syncId} ${summary.status}: ${summary.error ?? ''}`);
  return {
    ...timed,
    status: summary.status,
    error: summary.error,
    ...summary.counts,
    ledgerStatements: ledgerDb.statements - statementsBefore,
    upstreamRequests: summary.upstream.requests ?? 0,
  };
}

/** Run the no-op sync and count the rows it wrote: new row versions (xmin) and moved synced_at. */
async function checkedNoop(job: TidemarkJob, table: TargetTable, run: () => Promise<TidemarkRun>): Promise<TidemarkResult['noop'] & { rows: number }> {
  const name = qualifiedName(table);
  const versions = qualifiedName({ ...table, name: `${table.name}_versions` });
  await withDirectClient(job.directUrl, (client) => client.query(`CREATE TABLE ${versions} AS SELECT shift_id, xmin::text AS version FROM ${name}`));
  const startedAt = new Date();
  const noop = await run();
  const check = await withDirectClient(job.directUrl, async (client) => {
    const result = await client.query<{ rows: number; synced: number; rewritten: number }>(
      `SELECT count(*)::int AS rows,
              count(*) FILTER (WHERE t.synced_at >= $1)::int AS synced,
              count(*) FILTER (WHERE v.version IS DISTINCT FROM t.xmin::text)::int AS rewritten
       FROM ${name} t LEFT JOIN ${versions} v USING (shift_id)`,
      [startedAt.toISOString()],
    );
    return result.rows[0]!;
  });
  return { ...noop, rowsWithNewSyncedAt: check.synced, rowsRewritten: check.rewritten, rows: check.rows };
}

export async function runTidemarkJob(job: TidemarkJob): Promise<TidemarkResult> {
  const destinationSchema = benchSchemaName();
  const ledgerSchema = benchSchemaName();
  const coldTable = benchTable(destinationSchema, 'cold_shifts');
  const table = benchTable(destinationSchema);
  // A sync's table exists before its first run (`ensureTable` in the timed run only checks).
  await withDirectClient(job.directUrl, async (client) => {
    for (const statement of [...createTableSql(coldTable), ...createTableSql(table)]) await client.query(statement);
  });
  const ledgerDb = countingSqlClient(await openPostgres(job.directUrl, { max: 4, applicationName: 'tidemark-bench-control' }));
  try {
    await migrateLedger(ledgerDb, ledgerSchema);
    const ledger = new Ledger(ledgerDb, ledgerSchema);
    const cold = await timedRun(job, coldTable, 'bench-shifts-cold', ledgerDb, ledger);
    const first = await timedRun(job, table, 'bench-shifts', ledgerDb, ledger);
    const { rows, ...noop } = await checkedNoop(job, table, () => timedRun(job, table, 'bench-shifts', ledgerDb, ledger));
    return { kind: 'tidemark', cold, first, noop, rowsInTable: rows, maxRssMb: maxRssMb() };
  } finally {
    await ledgerDb.close();
    await dropSchemas(job.directUrl, [destinationSchema, ledgerSchema]);
  }
}
