/**
 * The schedules registered in the job engine, read the way the engine itself would (pg-boss's
 * getSchedules, in the schema and queue the JobEngine uses) but without JobEngine.open: that one
 * installs or migrates pg-boss and creates or updates the queues, and doctor must change nothing.
 * Here pg-boss runs with migrate, schedule, supervise, LISTEN/NOTIFY and instance registration
 * off, on doctor's own connection (PGlite's one connection included).
 */
import { createRequire } from 'node:module';
import { PgBoss, fromPglite, type Db, type Schedule } from 'pg-boss';
import type { SqlClient } from '../db/sql-client.ts';
import { SYNC_QUEUE, jobsSchema } from '../jobs/queues.ts';

/** The pg-boss schema version this build's pg-boss installs and runs on. */
export const PGBOSS_SCHEMA_VERSION: number = (createRequire(import.meta.url)('pg-boss/package.json') as { pgboss: { schema: number } }).pgboss.schema;

export type RegisteredSchedules =
  | { readonly state: 'not-installed'; readonly schema: string }
  | { readonly state: 'other-version'; readonly schema: string; readonly installed: number | null; readonly expected: number }
  | { readonly state: 'ok'; readonly schema: string; readonly schedules: readonly Schedule[] };

function adapterOf(db: SqlClient): Db {
  if (db.pglite) return fromPglite(db.pglite);
  return {
    async executeSql(text: string, values?: unknown[]) {
      return { rows: (await db.query(text, values)).rows };
    },
  };
}

export async function readRegisteredSchedules(db: SqlClient, controlSchema: string): Promise<RegisteredSchedules> {
  const schema = jobsSchema(controlSchema);
  const boss = new PgBoss({
    db: adapterOf(db),
    schema,
    ...(db.pglite ? { backend: 'pglite' as const } : {}),
    migrate: false,
    schedule: false,
    supervise: false,
    useListenNotify: false,
    registerInstance: false,
    persistWarnings: false,
  });
  const errors: Error[] = [];
  boss.on('error', (error: Error) => errors.push(error));
  if (!(await boss.isInstalled())) return { state: 'not-installed', schema };
  const installed = await boss.schemaVersion();
  if (installed !== PGBOSS_SCHEMA_VERSION) return { state: 'other-version', schema, installed, expected: PGBOSS_SCHEMA_VERSION };
  try {
    await boss.start();
    const schedules = await boss.getSchedules(SYNC_QUEUE);
    if (errors[0]) throw errors[0];
    return { state: 'ok', schema, schedules };
  } finally {
    await boss.stop({ graceful: false, close: false });
  }
}
