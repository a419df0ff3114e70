/**
 * One tenant's Connecteam sync wired to real databases and the simulator, for engine tests:
 * `run(from, to)` runs the real pipeline; `rows()` reads what the destination holds.
 */
import { startConnecteamSimulator, type ConnecteamSimulator } from '../../src/connectors/connecteam/simulator/index.ts';
import type { ConnecteamDataset } from '../../src/connectors/connecteam/simulator/types.ts';
import { connecteam } from '../../src/connectors/connecteam/connector.ts';
import { shiftsStream } from '../../src/connectors/connecteam/shifts-stream.ts';
import { usersStream } from '../../src/connectors/connecteam/users-stream.ts';
import { PostgresDestination } from '../../src/destinations/postgres/postgres-destination.ts';
import type { TargetTable } from '../../src/destinations/destination.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { migrateLedger } from '../../src/ledger/migrate.ts';
import { runSync, type RunSummary, type RunSyncOptions } from '../../src/engine/run-sync.ts';
import type { ResolvedSync } from '../../src/engine/resolved-sync.ts';
import { businessWindow } from '../../src/time/window.ts';
import { CHICAGO } from './shifts.ts';
import { testDatabase, type PostgresBackend, type TestDatabase } from './postgres.ts';

export interface HarnessOptions {
  readonly dataset: ConnecteamDataset;
  readonly stream?: 'shifts' | 'users';
  readonly batchSize?: number;
  readonly deleteGuard?: { maxFraction: number; minRows: number };
  readonly tenantId?: string;
  /** Postgres servers: merge batches of at least this many rows through COPY staging (1 = always). */
  readonly copyMinRows?: number;
}

export interface SyncHarness {
  readonly simulator: ConnecteamSimulator;
  readonly ledger: Ledger;
  readonly destination: TestDatabase;
  readonly table: TargetTable;
  readonly sync: ResolvedSync;
  run(from?: string, to?: string, extra?: Pick<RunSyncOptions, 'onProgress' | 'signal'>): Promise<RunSummary>;
  /** Rows of the destination table, `where` a SQL condition, ordered by `orderBy`. */
  rows(where?: string, orderBy?: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function syncHarness(backend: PostgresBackend, options: HarnessOptions): Promise<SyncHarness> {
  const simulator = await startConnecteamSimulator({ dataset: options.dataset, rateLimit: false });
  // PGlite starts in about a second: one instance holds both the ledger (schema tidemark) and the table.
  const destination = await testDatabase(backend, 'dst');
  const control = backend === 'pglite' ? { ...destination, cleanup: async () => undefined } : await testDatabase(backend, 'ctl');
  const ledgerSchema = control.schema ?? 'tidemark';
  await migrateLedger(control.client, ledgerSchema);
  const ledger = new Ledger(control.client, ledgerSchema);
  const stream = options.stream === 'users' ? usersStream : shiftsStream;
  const table: TargetTable = { spec: stream.table, name: stream.table.name, ...(destination.schema ? { schema: destination.schema } : {}) };
  const pgDestination = new PostgresDestination(destination.client, options.copyMinRows !== undefined ? { copyMinRows: options.copyMinRows } : {});
  await pgDestination.ensureTable(table);
  const tenantId = options.tenantId ?? 'acme';
  const sync: ResolvedSync = {
    id: `${tenantId}-${stream.name}`,
    tenantId,
    timezone: CHICAGO,
    connectionId: 'acme-connecteam',
    stream,
    mode: stream.defaultMode,
    table,
    batchSize: options.batchSize ?? 1000,
    deleteGuard: options.deleteGuard ?? { maxFraction: 0.5, minRows: 10 },
  };
  const qualified = table.schema ? `"${table.schema}"."${table.name}"` : `"${table.name}"`;
  return {
    simulator,
    ledger,
    destination,
    table,
    sync,
    run(from?: string, to?: string, extra = {}) {
      return runSync({
        ...extra,
        sync,
        window: from && to ? businessWindow(from, to, CHICAGO) : null,
        client: connecteam.createClient({
          tenantId,
          connectionId: 'acme-connecteam',
          baseUrl: simulator.url,
          credentials: { apiKey: simulator.apiKey },
          credentialEnv: { apiKey: 'TEST_KEY' },
          limits: undefined,
          maxAttempts: 5,
          timeoutMs: 10_000,
          options: {},
        }),
        destination: pgDestination,
        ledger,
      });
    },
    async rows(where = 'true', orderBy = '1') {
      const result = await destination.client.query(`SELECT *, xmin::text AS xmin FROM ${qualified} WHERE ${where} ORDER BY ${orderBy}`);
      return result.rows;
    },
    async close() {
      await simulator.close();
      await control.cleanup();
      await destination.cleanup();
    },
  };
}
