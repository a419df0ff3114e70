/**
 * Configured schedules (`syncs[].schedules`) against the ones registered in the job engine:
 * missing (configured, never registered: the sync silently never runs), extra (registered, no
 * longer configured: it still fires) and changed (cron, zone, window or missed-run policy differ).
 */
import type { Config } from '../config/schema.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { errorMessage } from '../engine/errors.ts';
import { desiredSchedules, diffSchedules, driftCount, type DesiredSchedule } from '../jobs/schedules.ts';
import { jobsSchema } from '../jobs/queues.ts';
import type { Finding } from './finding.ts';
import { readRegisteredSchedules, type RegisteredSchedules } from './registered-schedules.ts';

export const APPLY_FIX = 'run `tidemark schedules apply` (or restart `tidemark start`)';
export const INSTALL_FIX = 'run `tidemark start` or `tidemark schedules apply`';

interface ScheduleShape {
  readonly cron: string;
  readonly timezone: string;
  readonly missed: string;
  readonly window: string | null;
}

function shapeOf(desired: DesiredSchedule): ScheduleShape {
  return { cron: desired.cron, timezone: desired.timezone, missed: desired.missed, window: desired.data.window ?? null };
}

function describe(shape: Pick<ScheduleShape, 'cron' | 'timezone'> & Partial<ScheduleShape>): string {
  const window = shape.window ? `, window ${shape.window}` : '';
  const missed = shape.missed ? `, missed: ${shape.missed}` : '';
  return `"${shape.cron}" ${shape.timezone}${window}${missed}`;
}

function differences(registered: ScheduleShape, configured: ScheduleShape): string {
  const fields = (['cron', 'timezone', 'window', 'missed'] as const).filter((field) => registered[field] !== configured[field]);
  return fields.map((field) => `${field} ${JSON.stringify(registered[field] ?? '(sync default)')} → ${JSON.stringify(configured[field] ?? '(sync default)')}`).join(', ');
}

/** The findings for what the engine holds (exported for its own sake: no database involved). */
export function assessSchedules(config: Config, registered: RegisteredSchedules): Finding[] {
  const desired = desiredSchedules(config);
  const engine = `job engine "${registered.schema}"`;
  if (registered.state === 'not-installed') {
    if (desired.length === 0) {
      return [{ level: 'ok', subject: engine, message: 'not installed yet; no schedules are configured, so none is missing (the first `tidemark start`, `worker`, `trigger` or `schedules apply` installs it)' }];
    }
    return [{
      level: 'error',
      subject: engine,
      message: `pg-boss is not installed in the control plane: the ${desired.length} configured schedule(s) (${desired.map((d) => d.key).join(', ')}) were never registered and never run`,
      fix: INSTALL_FIX,
    }];
  }
  if (registered.state === 'other-version') {
    const newer = registered.installed !== null && registered.installed > registered.expected;
    return [{
      level: 'error',
      subject: engine,
      message: `its tables are at pg-boss schema version ${registered.installed ?? '(none)'}, this Tidemark runs on ${registered.expected}`,
      fix: newer ? 'upgrade Tidemark here: a newer version migrated the job tables (every process on one control plane must run the same version)' : `${APPLY_FIX}: it migrates the job tables`,
    }];
  }
  const drift = diffSchedules(desired, registered.schedules);
  const findings: Finding[] = [];
  for (const want of drift.missing) {
    findings.push({ level: 'error', subject: `schedule ${want.key}`, message: `configured (${describe(shapeOf(want))}) but not registered in the job engine: it never runs`, fix: APPLY_FIX });
  }
  for (const gone of drift.extra) {
    findings.push({ level: 'error', subject: `schedule ${gone.key}`, message: `registered (${describe(gone)}) but no longer configured: it still fires`, fix: APPLY_FIX });
  }
  for (const { desired: want, registered: have } of drift.changed) {
    findings.push({
      level: 'error',
      subject: `schedule ${want.key}`,
      message: `registered with other settings than configured (${differences(have, shapeOf(want))}): it runs on the old ones`,
      fix: APPLY_FIX,
    });
  }
  if (driftCount(drift) === 0) {
    findings.push({
      level: 'ok',
      subject: engine,
      message: desired.length === 0 ? 'no schedules configured and none registered' : `${desired.length} schedule(s) configured, all registered as configured`,
    });
  }
  return findings;
}

export async function checkJobSchedules(db: SqlClient, config: Config): Promise<Finding[]> {
  try {
    return assessSchedules(config, await readRegisteredSchedules(db, config.controlPlane.schema));
  } catch (error) {
    return [{ level: 'error', subject: `job engine "${jobsSchema(config.controlPlane.schema)}"`, message: `cannot read its schedules: ${errorMessage(error)}` }];
  }
}
