/**
 * `--apply`: back up every row of the duplicate groups, keep the best row of each, delete the rest,
 * then add the unique constraint on the key. The groups are counted again under lock, so the
 * report says what was done, not what the dry run saw.
 */
import { assertIdentifier } from '../../db/identifiers.ts';
import type { DedupeConnection } from './connection.ts';
import type { DedupePlan } from './find-groups.ts';
import { DedupeTargetError } from './target.ts';
import { applyPostgres } from './apply-postgres.ts';
import { applyMysql } from './apply-mysql.ts';

export interface DedupeOutcome {
  readonly groups: number;
  readonly rowsDeleted: number;
  /** The backup table, with every row of the groups as it was (kept and deleted); absent when there were none. */
  readonly backupTable: string | undefined;
  readonly backupRows: number;
  /** The constraint added by this run; absent when one on the key already existed. */
  readonly constraintAdded: string | undefined;
}

/** What the dialect's apply is given: the plan, the backup table's name, and the constraint to add. */
export interface ApplyStep {
  readonly plan: DedupePlan;
  readonly backupTable: string;
  /** Absent when a unique key on exactly these columns exists already. */
  readonly addConstraint: string | undefined;
}

/** `YYYYMMDDHHMMSS` in UTC: sorts in time order and is the same whichever zone the operator is in. */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function checkedName(name: string, what: string): string {
  try {
    return assertIdentifier(name, what);
  } catch (error) {
    throw new DedupeTargetError(`${(error as Error).message}; the table name is too long for it (rename the table or shorten the key)`);
  }
}

export async function applyDedupe(connection: DedupeConnection, plan: DedupePlan, now = new Date()): Promise<DedupeOutcome> {
  const step: ApplyStep = {
    plan,
    backupTable: checkedName(`${plan.shape.table}_dedupe_backup_${backupStamp(now)}`, 'backup table name'),
    addConstraint: plan.existingConstraint ? undefined : checkedName(plan.constraintName, 'constraint name'),
  };
  return connection.dialect === 'postgres' ? applyPostgres(connection.client, step) : applyMysql(connection.pool, step);
}
