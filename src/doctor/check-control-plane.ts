/**
 * The control plane: it answers (and how fast), its ledger's migrations, and the job engine's
 * schedules against the configuration, all on one read-only connection (embedded PGlite is one
 * connection per process), closed before the destinations are looked at.
 */
import type { Config } from '../config/schema.ts';
import type { Finding } from './finding.ts';
import { openControlPlane } from './open-control-plane.ts';
import { checkLedgerMigrations } from './check-ledger-migrations.ts';
import { checkJobSchedules } from './check-job-schedules.ts';

export async function checkControlPlane(config: Config, env: NodeJS.ProcessEnv): Promise<Finding[]> {
  const opened = await openControlPlane(config, env);
  if (!opened.ok) return [opened.finding];
  try {
    return [opened.finding, ...(await checkLedgerMigrations(opened.db, config.controlPlane.schema)), ...(await checkJobSchedules(opened.db, config))];
  } finally {
    await opened.db.close();
  }
}
