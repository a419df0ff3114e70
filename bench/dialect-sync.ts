/**
 * One timed Tidemark sync into any destination, as tidemark-job.ts times Postgres: open the
 * destination, check its table, `runSync`, close. The ledger lives in a fresh schema on the bench
 * Postgres, reached directly (a colocated control plane), whatever the destination.
 */
import { openPostgres } from '../src/db/open.ts';
import type { Destination, TargetTable } from '../src/destinations/destination.ts';
import { runSync } from '../src/engine/run-sync.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import { benchSchemaName, dropSchemas } from './bench-database.ts';
import { benchClient, benchSync, benchWindow } from './bench-sync.ts';
import { countingSqlClient, type CountingSqlClient } from './counting-sql-client.ts';
import type { JobContext, TidemarkRun } from './jobs.ts';
import { measure } from './measure.ts';

export interface BenchLedger {
  readonly db: CountingSqlClient;
  readonly ledger: Ledger;
}

export async function withBenchLedger<T>(job: JobContext, work: (ledger: BenchLedger) => Promise<T>): Promise<T> {
  const schema = benchSchemaName();
  const db = countingSqlClient(await openPostgres(job.directUrl, { max: 4, applicationName: 'tidemark-bench-control' }));
  try {
    await migrateLedger(db, schema);
    return await work({ db, ledger: new Ledger(db, schema) });
  } finally {
    await db.close();
    await dropSchemas(job.directUrl, [schema]);
  }
}

export async function timedSync(
  job: JobContext & { readonly batchSize: number },
  table: TargetTable,
  syncId: string,
  { db, ledger }: BenchLedger,
  open: () => Promise<Destination>,
): Promise<TidemarkRun> {
  const sync = { ...benchSync(table, job.batchSize, job.window.timezone), id: syncId };
  const window = benchWindow(job);
  const statementsBefore = db.statements;
  const { value: summary, timed } = await measure(async () => {
    const destination = await open();
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
    ledgerStatements: db.statements - statementsBefore,
    upstreamRequests: summary.upstream.requests ?? 0,
  };
}
