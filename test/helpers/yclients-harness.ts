/**
 * YClients syncs wired to the real Postgres and the simulator, for engine tests: one destination
 * schema holding the three YClients tables, one ledger schema, and any number of tenants (each a
 * YClients company) syncing into the same tables. `run(stream, …)` runs the real pipeline.
 */
import { startYclientsSimulator, type YclientsSimulator, type YclientsSimulatorOptions } from '../../src/connectors/yclients/simulator/index.ts';
import { yclients } from '../../src/connectors/yclients/connector.ts';
import { PostgresDestination } from '../../src/destinations/postgres/postgres-destination.ts';
import type { TargetTable } from '../../src/destinations/destination.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import { migrateLedger } from '../../src/ledger/migrate.ts';
import { runSync, type RunSummary } from '../../src/engine/run-sync.ts';
import type { ResolvedSync } from '../../src/engine/resolved-sync.ts';
import type { StreamDefinition } from '../../src/engine/stream.ts';
import type { RateLimits, UpstreamClient } from '../../src/upstream/index.ts';
import { businessWindow, relativeWindow, type BusinessWindow } from '../../src/time/window.ts';
import { testDatabase, type TestDatabase } from './postgres.ts';

export interface YclientsTenant {
  readonly id: string;
  readonly timezone: string;
  readonly companyId: number;
}

/** The simulator's two default companies as tenants. */
export const MOSCOW: YclientsTenant = { id: 'tverskaya', timezone: 'Europe/Moscow', companyId: 501101 };
export const YEKATERINBURG: YclientsTenant = { id: 'vainera', timezone: 'Asia/Yekaterinburg', companyId: 501102 };

/** The named windows of docs/connectors/yclients.md: `full` is today + 30 days, `today` today + tomorrow. */
export const NAMED_WINDOWS = { full: { pastDays: 0, futureDays: 30 }, today: { pastDays: 0, futureDays: 1 } } as const;

export type StreamName = 'staff' | 'services' | 'staff_schedules';

export interface ClientOverrides {
  readonly partnerToken?: string;
  readonly userToken?: string;
  readonly limits?: RateLimits;
  readonly maxAttempts?: number;
}

export interface RunOptions extends ClientOverrides {
  readonly tenant?: YclientsTenant;
  /** A named window or business days [from, to); schedules only. Default `today`. */
  readonly window?: keyof typeof NAMED_WINDOWS | { readonly from: string; readonly to: string };
  /** Reuse this client (one rate-limit budget across runs, as one worker would). */
  readonly client?: UpstreamClient;
  readonly deleteGuard?: { maxFraction: number; minRows: number };
}

export interface YclientsHarness {
  readonly simulator: YclientsSimulator;
  readonly ledger: Ledger;
  readonly destination: TestDatabase;
  /** `schema.table` of a stream's table, quoted for SQL. */
  table(stream: StreamName): string;
  client(tenant?: YclientsTenant, overrides?: ClientOverrides): UpstreamClient;
  windowOf(tenant: YclientsTenant, window: NonNullable<RunOptions['window']>): BusinessWindow;
  run(stream: StreamName, options?: RunOptions): Promise<RunSummary>;
  /** Rows of a stream's table, `where` a SQL condition, ordered by `orderBy`. */
  rows(stream: StreamName, where?: string, orderBy?: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

function streamOf(name: StreamName): StreamDefinition<UpstreamClient> {
  const stream = yclients.streams.find((s) => s.name === `yclients.${name}`);
  if (!stream) throw new Error(`no stream yclients.${name}`);
  return stream;
}

export async function yclientsHarness(
  options: { readonly simulator?: YclientsSimulatorOptions; readonly tenants?: readonly YclientsTenant[] } = {},
): Promise<YclientsHarness> {
  const simulator = await startYclientsSimulator(options.simulator ?? {});
  const destination = await testDatabase('postgres', 'ycdst');
  const control = await testDatabase('postgres', 'ycctl');
  await migrateLedger(control.client, control.schema!);
  const ledger = new Ledger(control.client, control.schema!);
  const pg = new PostgresDestination(destination.client);
  const tenants = options.tenants ?? [MOSCOW];
  const tables = new Map<StreamName, TargetTable>();
  for (const name of ['staff', 'services', 'staff_schedules'] as const) {
    const spec = streamOf(name).table;
    const table: TargetTable = { spec, name: spec.name, schema: destination.schema! };
    await pg.ensureTable(table);
    tables.set(name, table);
  }
  const qualified = (name: StreamName) => `"${destination.schema!}"."${tables.get(name)!.name}"`;

  function client(tenant: YclientsTenant = tenants[0]!, overrides: ClientOverrides = {}): UpstreamClient {
    return yclients.createClient({
      tenantId: tenant.id,
      connectionId: `${tenant.id}-yclients`,
      baseUrl: simulator.url,
      credentials: { partnerToken: overrides.partnerToken ?? simulator.partnerToken, userToken: overrides.userToken ?? simulator.userToken },
      credentialEnv: { partnerToken: 'YCLIENTS_PARTNER_TOKEN', userToken: `${tenant.id.toUpperCase()}_YCLIENTS_USER_TOKEN` },
      limits: overrides.limits,
      maxAttempts: overrides.maxAttempts ?? 5,
      timeoutMs: 10_000,
      options: { companyId: tenant.companyId },
    });
  }

  function windowOf(tenant: YclientsTenant, window: NonNullable<RunOptions['window']>): BusinessWindow {
    if (typeof window === 'string') return relativeWindow(tenant.timezone, NAMED_WINDOWS[window].pastDays, NAMED_WINDOWS[window].futureDays);
    return businessWindow(window.from, window.to, tenant.timezone);
  }

  return {
    simulator,
    ledger,
    destination,
    table: qualified,
    client,
    windowOf,
    run(name, runOptions = {}) {
      const tenant = runOptions.tenant ?? tenants[0]!;
      const stream = streamOf(name);
      const sync: ResolvedSync = {
        id: `${tenant.id}-${name}`,
        tenantId: tenant.id,
        timezone: tenant.timezone,
        connectionId: `${tenant.id}-yclients`,
        stream,
        mode: stream.defaultMode,
        table: tables.get(name)!,
        batchSize: 1000,
        deleteGuard: runOptions.deleteGuard ?? { maxFraction: 0.5, minRows: 10 },
        retentionDays: stream.retention?.defaultDays ?? null,
      };
      return runSync({
        sync,
        window: stream.defaultMode === 'window' ? windowOf(tenant, runOptions.window ?? 'today') : null,
        client: runOptions.client ?? client(tenant, runOptions),
        destination: pg,
        ledger,
      });
    },
    async rows(name, where = 'true', orderBy = '1') {
      const result = await destination.client.query(`SELECT * FROM ${qualified(name)} WHERE ${where} ORDER BY ${orderBy}`);
      return result.rows as Record<string, unknown>[];
    },
    async close() {
      await simulator.close();
      await control.cleanup();
      await destination.cleanup();
    },
  };
}
