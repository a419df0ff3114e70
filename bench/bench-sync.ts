/**
 * The Tidemark sync the benchmark runs: connecteam.shifts in window mode for one tenant, with the
 * real connector and HTTP client pointed at the simulator, without a client-side request budget:
 * the simulator's rate limit is off, and what is measured is the engine, not a budget. (A budget
 * costs 8 bytes per allowed request up front, which would also show up in peak RSS.)
 */
import { connecteam } from '../src/connectors/connecteam/connector.ts';
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import type { TargetTable } from '../src/destinations/destination.ts';
import type { ResolvedSync } from '../src/engine/resolved-sync.ts';
import type { UpstreamClient } from '../src/upstream/index.ts';
import { businessWindow, type BusinessWindow } from '../src/time/window.ts';
import type { JobContext } from './jobs.ts';

export const BENCH_TENANT = 'bench';

export function benchTable(schema: string, name = shiftsStream.table.name): TargetTable {
  return { spec: shiftsStream.table, name, schema };
}

export function benchSync(table: TargetTable, batchSize: number, timezone: string): ResolvedSync {
  return {
    id: 'bench-shifts',
    tenantId: BENCH_TENANT,
    timezone,
    connectionId: 'bench-connecteam',
    stream: shiftsStream,
    mode: 'window',
    table,
    batchSize,
    deleteGuard: { maxFraction: 0.5, minRows: 10 },
  };
}

export function benchClient(context: JobContext): UpstreamClient {
  return connecteam.createClient({
    tenantId: BENCH_TENANT,
    connectionId: 'bench-connecteam',
    baseUrl: context.simulator.url,
    credentials: { apiKey: context.simulator.apiKey },
    credentialEnv: { apiKey: 'TIDEMARK_BENCH_CONNECTEAM_KEY' },
    limits: {}, // no client-side budget: the simulator has none either
    maxAttempts: 3,
    timeoutMs: 120_000,
    options: {},
  });
}

export function benchWindow(context: JobContext): BusinessWindow {
  return businessWindow(context.window.from, context.window.to, context.window.timezone);
}
