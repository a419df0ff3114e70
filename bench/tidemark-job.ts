/**
 * Tidemark end to end, as `tidemark sync` runs it: open the destination (through the latency
 * proxy), check its table, `runSync` (simulator over HTTP → normalize → merge → ledger →
 * reconcile), close. Then the same run again over unchanged data, which must write nothing.
 * The ledger is on the same Postgres, reached directly: the control plane sits beside the worker.
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
import { countingSqlClient } from './counting-sql-client.ts';
import type { TidemarkJob, TidemarkResult, TidemarkRun } from './jobs.ts';
import { maxRssMb, measure } from './measure.ts';

async function timedRun(job: TidemarkJob, table: TargetTable, ledger: Ledger, ledgerStatements: () => number): Promise<TidemarkRun> {
  const sync = benchSync(table, job.batchSize, job.window.timezone);
  const window = benchWindow(job);
  const statementsBefore = ledgerStatements();
  const { value: summary, timed } = await measure(async () => {
    const destination = new PostgresDestination(await openPostgres(job.proxyUrl, { max: 4, applicationName: 'tidemark-bench' }));
    try {
      await destination.ensureTable(table);
      return await runSync({ sync, window, client: benchClient(job), destination, ledger, trigger: 'bench' });
    } finally {
      await destination.close();
    }
  });
  const { counts } = summary;
  return {
    ...timed,
    status: summary.status,
    error: summary.error,
    ...counts,
    ledgerStatements: ledgerStatements() - statementsBefore,
    upstreamRequests: summary.upstream.requests ?? 0,
  };
}

export async function runTidemarkJob(job: TidemarkJob): Promise<TidemarkResult> {
  const destinationSchema = benchSchemaName();
  const ledgerSchema = benchSchemaName();
  const table = benchTable(destinationSchema);
  const name = qualifiedName(table);
  const versions = qualifiedName(benchTable(destinationSchema, 'row_versions'));
  // The sync's table exists before its first run (`ensureTable` in the timed run only checks).
  await withDirectClient(job.directUrl, async (client) => {
    for (const statement of createTableSql(table)) await client.query(statement);
  });
  const controlDb = countingSqlClient(await openPostgres(job.directUrl, { max: 4, applicationName: 'tidemark-bench-control' }));
  try {
    await migrateLedger(controlDb, ledgerSchema);
    const ledger = new Ledger(controlDb, ledgerSchema);
    const statements = () => controlDb.statements;

    const first = await timedRun(job, table, ledger, statements);
    if (first.status !== 'succeeded') throw new Error(`the first Tidemark run failed: ${first.error ?? first.status}`);

    // Remember every row's version, so the no-op run can be checked row by row.
    await withDirectClient(job.directUrl, (client) =>
      client.query(`CREATE TABLE ${versions} AS SELECT shift_id, xmin::text AS version FROM ${name}`),
    );
    const noopStartedAt = new Date();
    const noop = await timedRun(job, table, ledger, statements);
    if (noop.status !== 'succeeded') throw new Error(`the no-op Tidemark run failed: ${noop.error ?? noop.status}`);
    const check = await withDirectClient(job.directUrl, async (client) => {
      const result = await client.query<{ rows: number; synced: number; rewritten: number }>(
        `SELECT count(*)::int AS rows,
                count(*) FILTER (WHERE t.synced_at >= $1)::int AS synced,
                count(*) FILTER (WHERE v.version IS DISTINCT FROM t.xmin::text)::int AS rewritten
         FROM ${name} t LEFT JOIN ${versions} v USING (shift_id)`,
        [noopStartedAt.toISOString()],
      );
      return result.rows[0]!;
    });
    return {
      kind: 'tidemark',
      first,
      noop: { ...noop, rowsWithNewSyncedAt: check.synced, rowsRewritten: check.rewritten },
      rowsInTable: check.rows,
      maxRssMb: maxRssMb(),
    };
  } finally {
    await controlDb.close();
    await dropSchemas(job.directUrl, [destinationSchema, ledgerSchema]);
  }
}
