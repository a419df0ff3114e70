/**
 * Shared pieces of the job-engine tests (schedules on a controlled clock, retries and the
 * dead-letter queue, the embedded PGlite control plane): a Connecteam configuration whose control
 * plane and warehouse live in the test's own schemas, cleanup that also drops pg-boss's schema,
 * and polling with a deadline (never a fixed sleep).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { jobsSchema } from '../../src/jobs/queues.ts';
import { freshSchema, PG_URL, pgRows } from './postgres.ts';

/**
 * Polls `probe` until it returns something other than undefined/null/false, or fails after
 * `timeoutMs` saying what it waited for and what it saw last (`describe`).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) {
      const seen = options.describe ? `; last seen: ${await options.describe()}` : '';
      throw new Error(`timed out after ${options.timeoutMs ?? 60_000} ms waiting for ${what}${seen}`);
    }
    await delay(options.intervalMs ?? 100);
  }
}

/** A control-plane schema on the test server; `drop()` removes it and pg-boss's `<schema>_jobs`. */
export async function freshControlPlane(): Promise<{ schema: string; drop(): Promise<void> }> {
  const control = await freshSchema('ctl');
  return {
    schema: control.schema,
    async drop() {
      await pgRows(`DROP SCHEMA IF EXISTS "${jobsSchema(control.schema)}" CASCADE`);
      await control.drop();
    },
  };
}

export interface ConnecteamJobsConfigOptions {
  /** Control plane URL; default the test Postgres. */
  readonly controlUrl?: string;
  readonly controlSchema: string;
  /** Warehouse URL; default the test Postgres. */
  readonly destinationUrl?: string;
  /** Warehouse schema on the test Postgres (omit for PGlite). */
  readonly destinationSchema?: string;
  readonly baseUrl: string;
  /** The sync acme-shifts' settings beyond the basics (windows, schedules…). */
  readonly shifts?: Record<string, unknown>;
  readonly jobs?: Record<string, unknown>;
  /** Connection retries inside one run (default 1: a 5xx fails the run at once). */
  readonly maxAttempts?: number;
}

/**
 * Tenant acme (America/Chicago), its Connecteam connection (key in ACME_CT_KEY), one warehouse, and
 * the sync acme-shifts (connecteam.shifts, window mode).
 */
export function connecteamJobsConfig(options: ConnecteamJobsConfigOptions) {
  return {
    controlPlane: { url: options.controlUrl ?? PG_URL, schema: options.controlSchema },
    jobs: { pollingIntervalSeconds: 0.5, ...options.jobs },
    tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }],
    connections: [
      { id: 'acme-connecteam', tenant: 'acme', connector: 'connecteam', baseUrl: options.baseUrl, credentials: { apiKey: { env: 'ACME_CT_KEY' } }, maxAttempts: options.maxAttempts ?? 1 },
    ],
    destinations: [{ id: 'warehouse', url: options.destinationUrl ?? PG_URL, ...(options.destinationSchema ? { schema: options.destinationSchema } : {}) }],
    syncs: [{ id: 'acme-shifts', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.shifts', destination: 'warehouse', ...options.shifts }],
  };
}
