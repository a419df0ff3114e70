/**
 * One tenant's Cliniko sync wired to the real engine, a real Postgres schema and the Cliniko
 * simulator. The client is the connector's own (Basic auth, User-Agent, 200 a minute at an even
 * pace, exact ids); only the length of a "minute" is shortened, the same on both sides, so tests
 * spend the real budget's shape in milliseconds instead of minutes.
 */
import { startClinikoSimulator, type ClinikoSimulator, type ClinikoSimulatorOptions } from '../../src/connectors/cliniko/simulator/index.ts';
import { clinikoClientOptions } from '../../src/connectors/cliniko/connector.ts';
import { appointmentsStream } from '../../src/connectors/cliniko/appointments-stream.ts';
import { patientsStream } from '../../src/connectors/cliniko/patients-stream.ts';
import { practitionersStream } from '../../src/connectors/cliniko/practitioners-stream.ts';
import { PostgresDestination } from '../../src/destinations/postgres/postgres-destination.ts';
import type { TargetTable } from '../../src/destinations/destination.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { migrateLedger } from '../../src/ledger/migrate.ts';
import { runSync, type RunSummary, type RunSyncOptions } from '../../src/engine/run-sync.ts';
import type { ResolvedSync } from '../../src/engine/resolved-sync.ts';
import type { SyncMode } from '../../src/engine/stream.ts';
import { UpstreamClient, type RateLimits } from '../../src/upstream/index.ts';
import { testDatabase, type TestDatabase } from './postgres.ts';

export const CLINIKO_STREAMS = { patients: patientsStream, practitioners: practitionersStream, appointments: appointmentsStream } as const;
export type ClinikoStreamName = keyof typeof CLINIKO_STREAMS;

/** The test minute: 200 requests per 600 ms on both sides (the real budget's shape, 100× faster). */
export const TEST_MINUTE_MS = 600;

export interface ClinikoHarnessOptions {
  readonly stream: ClinikoStreamName;
  readonly simulator?: ClinikoSimulatorOptions;
  /** Share another harness's simulator (and not close it). */
  readonly sharedSimulator?: ClinikoSimulator;
  readonly tenantId?: string;
  readonly timezone?: string;
  readonly mode?: SyncMode;
  readonly lookbackMinutes?: number;
  readonly batchSize?: number;
  /** Default: the connector's (200 a minute). */
  readonly limits?: RateLimits;
  /** The client's minute; default TEST_MINUTE_MS, as the simulator's. */
  readonly minuteMs?: number;
  readonly maxAttempts?: number;
  /** Share another harness's database (and ledger), e.g. for two tenants writing one table. */
  readonly shared?: ClinikoHarness;
}

export interface ClinikoHarness {
  readonly simulator: ClinikoSimulator;
  readonly ledger: Ledger;
  readonly destination: TestDatabase;
  readonly table: TargetTable;
  readonly sync: ResolvedSync;
  /** A new client of this connection, exactly as a run gets one. */
  client(apiKey?: string): UpstreamClient;
  run(extra?: Pick<RunSyncOptions, 'onProgress' | 'signal'> & { client?: UpstreamClient }): Promise<RunSummary>;
  /** Rows of the destination table, `where` a SQL condition, ordered by `orderBy`. */
  rows(where?: string, orderBy?: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function clinikoHarness(options: ClinikoHarnessOptions): Promise<ClinikoHarness> {
  const simulator =
    options.sharedSimulator ?? (await startClinikoSimulator({ rateLimit: { minuteMs: TEST_MINUTE_MS }, ...options.simulator }));
  const destination = options.shared?.destination ?? (await testDatabase('postgres', 'cliniko'));
  const ledgerSchema = destination.schema ?? 'tidemark';
  if (!options.shared) await migrateLedger(destination.client, ledgerSchema);
  const ledger = options.shared?.ledger ?? new Ledger(destination.client, ledgerSchema);
  const stream = CLINIKO_STREAMS[options.stream];
  const table: TargetTable = { spec: stream.table, name: stream.table.name, ...(destination.schema ? { schema: destination.schema } : {}) };
  const pgDestination = new PostgresDestination(destination.client);
  await pgDestination.ensureTable(table);
  const tenantId = options.tenantId ?? 'harbour';
  const connectionId = `${tenantId}-cliniko`;
  const sync: ResolvedSync = {
    id: `${tenantId}-${options.stream}`,
    tenantId,
    timezone: options.timezone ?? 'Australia/Sydney',
    connectionId,
    stream,
    mode: options.mode ?? stream.defaultMode,
    table,
    batchSize: options.batchSize ?? 1000,
    deleteGuard: { maxFraction: 0.5, minRows: 10 },
    lookbackMinutes: options.lookbackMinutes ?? stream.incremental?.defaultLookbackMinutes ?? 0,
  };
  const qualified = `"${destination.schema}"."${table.name}"`;
  const client = (apiKey = simulator.apiKey) =>
    new UpstreamClient({
      ...clinikoClientOptions({
        tenantId,
        connectionId,
        baseUrl: simulator.apiUrl,
        credentials: { apiKey },
        credentialEnv: { apiKey: 'HARBOUR_CLINIKO_KEY' },
        limits: options.limits,
        maxAttempts: options.maxAttempts ?? 5,
        timeoutMs: 10_000,
        options: { contactEmail: 'it@harbourphysio.example' },
      }),
      minuteMs: options.minuteMs ?? TEST_MINUTE_MS,
    });
  return {
    simulator,
    ledger,
    destination,
    table,
    sync,
    client,
    run(extra = {}) {
      const { client: given, ...rest } = extra;
      return runSync({ ...rest, sync, window: null, client: given ?? client(), destination: pgDestination, ledger });
    },
    async rows(where = 'true', orderBy = '1') {
      const result = await destination.client.query(`SELECT * FROM ${qualified} WHERE tenant_id = '${tenantId}' AND (${where}) ORDER BY ${orderBy}`);
      return result.rows;
    },
    async close() {
      if (!options.sharedSimulator) await simulator.close();
      if (!options.shared) await destination.cleanup();
    },
  };
}
